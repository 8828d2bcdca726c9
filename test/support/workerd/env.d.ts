// The test pool's bindings: the Worker's own plus the URLs of the real origins from globalSetup.
import type { Env as WorkerEnv } from "../../../worker/env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      STABLE_ORIGIN: string;
      CANARY_ORIGIN: string;
      REFUSED_ORIGIN: string;
      FAULTY_ORIGIN: string;
      SLOW_ORIGIN: string;
      ONE_PERCENT_ORIGIN: string;
      FOUR_PERCENT_ORIGIN: string;
      REPRICED_ORIGIN: string;
      DEAF_ORIGIN: string;
      /** A local server answering as Prometheus, Datadog and JSON endpoints do. */
      METRIC_PROVIDER: string;
      METRICS_PROM_TOKEN: string;
      METRICS_DD_API: string;
      METRICS_DD_APP: string;
    }
  }
}
