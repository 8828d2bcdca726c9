// The route document's contract beyond its shape, with no schema library (the data plane reads
// it at start-up): where it lives in KV, and the capabilities a data plane of this release has.

/** KV key of the route document (see docs/storage.md). */
export const ROUTES_KEY = "routes:v1";

/**
 * What a data plane of this release understands beyond the fields it decodes. A route entry whose
 * meaning an older data plane would get wrong by ignoring a new field (a new kind of condition, a
 * field that changes where traffic goes) names a capability in `needs`; an isolate without it
 * keeps serving that service's last good entry. A release that adds such a field adds its
 * capability here, and the registry names it in `needs` on the entries that use the field.
 */
export const DATA_PLANE_CAPABILITIES: ReadonlySet<string> = new Set<string>();
