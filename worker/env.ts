// Bindings, vars and secrets of the Worker (see wrangler.toml and docs/storage.md).
export interface Env {
  ROUTES: KVNamespace;
  /** Seconds an isolate serves its cached route table before refreshing it in the background. */
  ROUTE_REFRESH_SECONDS?: string;
  /** HMAC key of `x-keystone-override` tokens; overrides are ignored without it. */
  OVERRIDE_SECRET?: string;
}
