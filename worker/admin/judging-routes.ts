// Admin endpoints that explain how a service is judged: its rollout's last verdicts, each with
// its judgement, and its shadow traffic's comparisons (totals, busiest paths, sample diffs).
import { Hono } from "hono/tiny";
import type * as z from "zod";
import { MirrorReadout, MirrorReport, MirrorReportQuery } from "../../schemas/mirror.ts";
import { problemsOf } from "../../schemas/problems.ts";
import { RolloutVerdicts, VerdictsQuery } from "../../schemas/verdict-log.ts";
import { statsObjectOf } from "../contracts.ts";
import type { Env } from "../env.ts";
import { requireScope } from "./auth.ts";
import { ApiError, parseRpc, unwrap } from "./errors.ts";
import { respond } from "./respond.ts";
import { recordOf, serviceToRead } from "./service-record.ts";

type App = Hono<{ Bindings: Env }>;

/** Paths a mirror report lists. */
const REPORT_PATHS = 20;

function query<S extends z.ZodType>(schema: S, values: Record<string, string>): z.output<S> {
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  throw new ApiError("invalid", "bad query parameters", problemsOf(parsed.error));
}

export function judgingRoutes(): App {
  const app: App = new Hono();

  app.get("/services/:name/rollout/verdicts", requireScope("read"), async (c) => {
    const name = c.req.param("name");
    const { last } = query(VerdictsQuery, c.req.query());
    const result = await (await serviceToRead(c.env, name)).verdicts(name, last);
    return respond(c, RolloutVerdicts, unwrap(RolloutVerdicts, result, `service "${name}"`));
  });

  app.get("/services/:name/mirror", requireScope("read"), async (c) => {
    const name = c.req.param("name");
    const { minutes } = query(MirrorReportQuery, c.req.query());
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
    return respond(c, MirrorReport, {
      service: name,
      mirror: mirror && { version: mirror.version, percent: mirror.percent },
      totals: {
        ...readout.totals,
        mismatchPercent: compared === 0 ? null : (100 * mismatched) / compared,
      },
      paths: readout.paths,
      samples: readout.samples.map((s) => ({ ...s, at: new Date(s.at).toISOString() })),
    });
  });

  return app;
}
