// The stats spread's bound, apart from the stats schemas: the data plane picks a shard with it
// on the request path, where zod is not loaded (see schemas/mirror-limits.ts for the same reason).

/** Most stats objects one version's flushes spread over (docs/scale.md). */
export const MAX_STATS_SHARDS = 64;
