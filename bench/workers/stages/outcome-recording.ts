// Bare proxy + outcome recording: the isolate's recorder per request and its batched flushes to
// the stats Durable Objects (the real StatsObject), as the data plane records them.
import { OutcomeRecorder } from "../../../worker/core/metrics/outcome-recorder.ts";
import { OutcomeFlusher } from "../../../worker/data-plane/outcome-flusher.ts";
import type { Env } from "../../../worker/env.ts";
import { bareForward, benchVerdict, type StageEnv } from "./shared.ts";

export { StatsObject } from "../../../worker/control-plane/stats/stats-object.ts";

const recorder = new OutcomeRecorder({ maxRequests: 5_000, maxAgeMs: 5_000 });
let flusher: OutcomeFlusher | undefined;

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const { service, version } = await benchVerdict(request, env, url);
    flusher ??= new OutcomeFlusher(env.STATS);
    const started = Date.now();
    const response = await bareForward(request, env, url);
    recorder.record(
      service.name,
      version.name,
      "split",
      started,
      Date.now() - started,
      service.isError(response.status),
      true,
    );
    if (recorder.shouldFlush(Date.now())) ctx.waitUntil(flusher.send(recorder.drain()));
    return response;
  },
} satisfies ExportedHandler<StageEnv & Env>;
