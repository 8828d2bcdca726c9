// A release as the API sends it: epoch-ms times become ISO-8601 here, at the boundary.
import type { ReleaseStatus } from "../../../schemas/api-responses.ts";
import type { ReleaseEvent, ReleaseState } from "../../../schemas/release-state.ts";

const iso = (ms: number) => new Date(ms).toISOString();

export function releaseStatusView(
  state: ReleaseState,
  events: ReleaseEvent[],
  now: number,
): ReleaseStatus {
  return {
    release: {
      ...state,
      startedAt: iso(state.startedAt),
      endedAt: state.endedAt === null ? null : iso(state.endedAt),
      lastTickAt: iso(state.lastTickAt),
    },
    events: events.map((event) => ({ ...event, at: iso(event.at) })),
    now: iso(now),
  };
}
