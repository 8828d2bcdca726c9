// The admin API's endpoints that explain how a service is judged: its rollout's last verdicts,
// each with its judgement, and its shadow traffic's comparisons (totals, busiest paths, sample
// diffs).
import { MirrorReadout } from "../../schemas/mirror.ts";
import { statsObjectOf } from "../contracts.ts";
import type { Handlers } from "./endpoints.ts";
import { objectAnswer, parseRpc } from "./errors.ts";
import { recordOf, serviceToRead } from "./service-record.ts";

/** Paths a mirror report lists. */
const REPORT_PATHS = 20;

export const judgingHandlers = {
  async analysisTest({ params: { name } }, c) {
    const result = await (await serviceToRead(c.env, name)).testMetrics();
    return objectAnswer(result, `service "${name}"`);
  },

  async rolloutVerdicts({ params: { name }, query: { last } }, c) {
    const result = await (await serviceToRead(c.env, name)).verdicts(last);
    return objectAnswer(result, `service "${name}"`);
  },

  async mirrorReport({ params: { name }, query: { minutes } }, c) {
    const mirror = (await recordOf(c.env, name)).config.mirror ?? null;
    const readout = mirror
      ? parseRpc(
          MirrorReadout,
          await statsObjectOf(c.env, name, mirror.version).mirrorReadout(
            Date.now() - minutes * 60_000,
            REPORT_PATHS,
          ),
          `the stats of ${name}/${mirror.version}`,
        )
      : { totals: { compared: 0, mismatched: 0, failed: 0 }, paths: [], samples: [] };
    const { compared, mismatched } = readout.totals;
    return {
      service: name,
      mirror: mirror && { version: mirror.version, percent: mirror.percent },
      totals: {
        ...readout.totals,
        mismatchPercent: compared === 0 ? null : (100 * mismatched) / compared,
      },
      paths: readout.paths,
      samples: readout.samples.map((s) => ({ ...s, at: new Date(s.at).toISOString() })),
    };
  },
} satisfies Partial<Handlers>;
