// The schemas: one source of truth for config, KV values and API bodies.

export * from "./api.ts";
export * from "./cidr.ts";
export * from "./condition.ts";
export * from "./config-file.ts";
export * from "./duration.ts";
export * from "./problems.ts";
export * from "./rollout.ts";
export * from "./rollout-state.ts";
export * from "./routes-doc.ts";
export * from "./service.ts";
export * from "./split.ts";
