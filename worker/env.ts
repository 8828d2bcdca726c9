// Bindings, vars and secrets of the Worker (see wrangler.toml and docs/storage.md).
import type { RegistryObject } from "./control-plane/registry-object.ts";
import type { ServiceObject } from "./control-plane/service-object.ts";
import type { StatsObject } from "./control-plane/stats-object.ts";

export interface Env {
  ROUTES: KVNamespace;
  SERVICES: DurableObjectNamespace<ServiceObject>;
  REGISTRY: DurableObjectNamespace<RegistryObject>;
  STATS: DurableObjectNamespace<StatsObject>;
  /** Bearer token that may change config. */
  ADMIN_TOKEN?: string;
  /** Bearer token that may only read. */
  READ_TOKEN?: string;
  /**
   * Hostnames that serve /_keystone/* (comma-separated; "*" for every host, as local dev does).
   * Unset: no host does, and /_keystone/* belongs to the data plane like any other path.
   */
  ADMIN_HOSTS?: string;
  /** Seconds an isolate serves its cached route table before refreshing it in the background. */
  ROUTE_REFRESH_SECONDS?: string;
  /** Longest an isolate holds request outcomes before flushing them to the stats objects. */
  METRICS_FLUSH_SECONDS?: string;
  /** HMAC key signing outbound notify events (x-keystone-signature). */
  NOTIFY_SECRET?: string;
  /** HMAC key of the CI deploy webhook. */
  DEPLOY_WEBHOOK_SECRET?: string;
  /** HMAC key of `x-keystone-override` tokens; overrides are ignored without it. */
  OVERRIDE_SECRET?: string;
}
