// What operators are told about a service beyond its state: which release each track serves,
// and how long a fast-abort halt may still divert traffic in some isolates.
import type { TrackRelease } from "../../../schemas/history.ts";
import type { HaltRecord } from "../../../schemas/ledger.ts";
import type { Service } from "../../../schemas/service.ts";

export function tracksOf(config: Service): TrackRelease[] {
  return Object.entries(config.versions).map(([track, version]) => ({
    track,
    origin: version.origin,
    release: version.release ?? null,
    weight: config.split[track] ?? 0,
  }));
}

/**
 * The latest time an isolate may still divert the halted version: the registry acknowledged the
 * rollback's publication, then KV and the isolates' refresh carry it everywhere within
 * `refreshBoundMs`. Null while the publication is not acknowledged (the halt holds until then).
 */
export function haltHoldsUntil(halt: HaltRecord, refreshBoundMs: number): number | null {
  return halt.acknowledgedAt === null ? null : halt.acknowledgedAt + refreshBoundMs;
}

/**
 * An isolate refreshes its table every `refreshSeconds` in the background, or before serving when
 * idle for twice that; KV's edge cache adds up to 30 s and its propagation up to 60 s; the
 * registry writes KV within a second of a publication.
 */
export function refreshBoundMs(refreshSeconds: number): number {
  return (2 * refreshSeconds + 30 + 60 + 1) * 1000;
}
