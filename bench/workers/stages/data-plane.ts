// The whole data plane (createDataPlane: every step together) without the admin API and the cron:
// what the stages add up to, against Keystone as deployed. The request path's Worker, with the
// stats Durable Object its outcomes are flushed to.
export { StatsObject } from "../../../worker/control-plane/stats/stats-object.ts";
export { default } from "../request-path.ts";
