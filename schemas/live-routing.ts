// What the data plane needs beyond a service's effective config, derived from its rollout when
// published: which version pins still hold, and the place a regional wave's weight is limited to.
import * as z from "zod";
import { Where } from "./rollout.ts";

export const LiveRouting = z.strictObject({
  /**
   * The pin scope: the service's latest rollout id ("-" before its first). A version-affinity pin
   * given under another scope is void, so a new rollout starts from the split alone.
   */
  scope: z.string().min(1).max(100),
  /**
   * The candidate of that rollout when it ended badly (rolled back or aborted): its pins given
   * before the end are void; pins given afterwards (scope "<id>!") hold.
   */
  voided: z.string().nullable(),
  /**
   * Set while a ramped rollback returns the candidate's share cut by cut: no pin is given for the
   * candidate then, so its visitors follow each cut and none is held on it past the ramp's end.
   */
  ramping: z.literal(true).optional(),
  /** The current step's place: outside it, the split sends the candidate's share to the baseline. */
  wave: Where.nullable(),
});

export type LiveRouting = z.infer<typeof LiveRouting>;
