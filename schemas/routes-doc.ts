// The KV values the data plane reads: each service's effective config, as last published, in a
// key of its own (RouteEntry in a ServiceDoc), the host index and the head; and the whole
// document older registries wrote. Each service is an entry of its own, so one entry that fails
// today's schema (a partial upgrade, a hand edit) is skipped by the isolates without failing the
// others.
import * as z from "zod";
import { LiveRouting } from "./live-routing.ts";
import { Service } from "./service.ts";

export { ROUTES_HEAD_KEY, ROUTES_KEY } from "./route-doc-format.ts";

/** The envelope: checked first, on its own; entries are checked one by one (RouteEntry). */
export const RoutesDocEnvelope = z.object({
  format: z.union([z.literal(1), z.literal(2)]),
  /** Increases with every publication; lets isolates skip recompiling an unchanged doc. */
  generation: z.number().int().nonnegative(),
  publishedAt: z.iso.datetime(),
  /** Format 2: RouteEntry values; format 1 (older registries): bare Service values. */
  services: z.array(z.unknown()),
});

/** One service as published: its effective config and the sequence of that publication. */
export const RouteEntry = z.strictObject({
  name: z.string(),
  /**
   * Rises with every change of the service's effective routing (revisions, steps, pauses,
   * promotions, rollbacks); an isolate lifts a fast-abort halt once it holds an entry whose
   * sequence is at or above the halt's.
   */
  sequence: z.number().int().nonnegative(),
  config: Service,
  /** Pin scope and regional wave, from the service's rollout (absent: none). */
  live: LiveRouting.optional(),
  /**
   * Capabilities a data plane must have to serve this entry as meant (DATA_PLANE_CAPABILITIES);
   * one without them keeps the service's last good entry. Fields it does not know it ignores.
   */
  needs: z.array(z.string().min(1)).optional(),
});

/** What the registry writes (format 2). */
export const RoutesDoc = z.strictObject({
  format: z.literal(2),
  generation: z.number().int().nonnegative(),
  publishedAt: z.iso.datetime(),
  services: z.array(RouteEntry),
});

// ── Publication per service (route-doc-format.ts tells where each lives) ─────────────────────

const Generation = z.number().int().nonnegative();

/** `routes:v2:head`: the latest generation and what the recent publications changed. */
export const RoutesHead = z.strictObject({
  format: z.literal(1),
  generation: Generation,
  publishedAt: z.iso.datetime(),
  recentSince: Generation,
  recent: z.array(
    z.strictObject({
      generation: Generation,
      services: z.array(z.string()),
      shards: z.array(z.number().int().min(-1)),
    }),
  ),
  rootHosts: z.record(z.string(), z.array(z.string())),
});

/** `routes:v2:hosts:<shard>`: host pattern → services claiming it. */
export const HostShardDoc = z.strictObject({
  format: z.literal(1),
  generation: Generation,
  hosts: z.record(z.string(), z.array(z.string())),
});

/** `routes:v2:service:<name>`: the wrapper, checked first; its entry is checked as a RouteEntry. */
export const ServiceDocEnvelope = z.strictObject({
  format: z.literal(1),
  generation: Generation,
  entry: z.unknown(),
});

export type RoutesDocEnvelope = z.infer<typeof RoutesDocEnvelope>;
export type RouteEntry = z.infer<typeof RouteEntry>;
export type RoutesDoc = z.infer<typeof RoutesDoc>;
