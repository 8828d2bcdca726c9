// Bindings, vars and secrets of the Worker (see wrangler.toml and docs/storage.md). Durable Object
// namespaces are typed by their RPC contracts, not their classes: env imports no object.
import type { RegistryRpc, ReleaseRpc, ServiceRpc, StatsRpc } from "./contracts.ts";

export interface Env {
  ROUTES: KVNamespace;
  SERVICES: DurableObjectNamespace<ServiceRpc>;
  REGISTRY: DurableObjectNamespace<RegistryRpc>;
  STATS: DurableObjectNamespace<StatsRpc>;
  RELEASES: DurableObjectNamespace<ReleaseRpc>;
  /** Bearer token that may change config. */
  ADMIN_TOKEN?: string;
  /** Bearer token that may only read. */
  READ_TOKEN?: string;
  /**
   * Hostnames that serve /_keystone/* (comma-separated; "*" for every host, as local dev does).
   * Unset: no host does, and /_keystone/* belongs to the data plane like any other path.
   */
  ADMIN_HOSTS?: string;
  /**
   * Where people reach the admin hostname (https://keystone.example.com), for status-page links
   * in notifications; unset: https:// and the first named host of ADMIN_HOSTS.
   */
  PUBLIC_ADMIN_URL?: string;
  /** Seconds an isolate serves its cached route table before refreshing it in the background. */
  ROUTE_REFRESH_SECONDS?: string;
  /**
   * Seconds between a rollout's (or release's) ticks, each made by its own object's alarm; the
   * cron wakes an object whose tick is more than half of this late. Default 60.
   */
  ROLLOUT_TICK_SECONDS?: string;
  /** Longest an isolate holds request outcomes before flushing them to the stats objects. */
  METRICS_FLUSH_SECONDS?: string;
  /** HMAC key signing outbound notify events (x-keystone-signature). */
  NOTIFY_SECRET?: string;
  /** HMAC key of the CI deploy webhook. */
  DEPLOY_WEBHOOK_SECRET?: string;
  /** HMAC key of `x-keystone-override` tokens; overrides are ignored without it. */
  OVERRIDE_SECRET?: string;
  /**
   * HMAC key of version-affinity pins and track-group visitor tokens (x-keystone-visitor);
   * without it, sticky.affinity and group visitor headers are off.
   */
  AFFINITY_SECRET?: string;
  /**
   * Key of the visitor bucket hash: with it a client cannot work out or choose which visitor ids
   * land on a candidate. Setting or changing it moves every visitor's bucket once (set it while
   * no rollout runs); without it buckets use the unkeyed hash of before.
   */
  BUCKET_SECRET?: string;
}

/** What the data plane reads of the Worker's environment (the DataPlane class). */
export type DataPlaneBindings = Pick<
  Env,
  | "ROUTES"
  | "STATS"
  | "ROUTE_REFRESH_SECONDS"
  | "METRICS_FLUSH_SECONDS"
  | "OVERRIDE_SECRET"
  | "AFFINITY_SECRET"
  | "BUCKET_SECRET"
>;

/**
 * The data plane Worker's environment (worker/data-plane/wrangler.toml): the data plane's
 * bindings, its STATS namespace bound to the control plane Worker's objects by script_name, and
 * the control plane Worker itself, which answers /_keystone/ on the admin hosts.
 */
export interface DataPlaneWorkerEnv extends DataPlaneBindings {
  ADMIN_HOSTS?: string;
  CONTROL_PLANE: Fetcher;
}
