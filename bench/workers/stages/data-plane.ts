// The whole data plane (the DataPlane class: every step together) without the admin API and the cron:
// what the stages add up to, against Keystone as deployed. The data plane Worker's entry, with the
// stats Durable Object its outcomes are flushed to (here in the same Worker).
export { StatsObject } from "../../../worker/control-plane/stats/stats-object.ts";
export { default } from "../../../worker/data-plane/index.ts";
