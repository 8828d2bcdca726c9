// The schemas: one source of truth for config, KV values, stored state, RPC and API bodies.

export * from "./api.ts";
export * from "./api-responses.ts";
export * from "./cidr.ts";
export * from "./condition.ts";
export * from "./config-file.ts";
export * from "./duration.ts";
export * from "./event-types.ts";
export * from "./history.ts";
export * from "./ledger.ts";
export * from "./problems.ts";
export * from "./release-file.ts";
export * from "./release-state.ts";
export * from "./result.ts";
export * from "./rollout.ts";
export * from "./rollout-state.ts";
export * from "./routes-doc.ts";
export * from "./service.ts";
export * from "./split.ts";
export * from "./stats.ts";
export * from "./stored-config.ts";
export * from "./wire-values.ts";
