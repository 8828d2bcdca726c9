// The split's part of a routing decision, and what may stand in for the visitor's bucket there: a
// version pin the split gave earlier (sticky.affinity) and a regional wave's place (a step's
// `where`). Rules, override tokens and experiment pins come first and are left as they are.
import { PIN_HEADER, readPin } from "./affinity.ts";
import type { RequestFacts } from "./facts.ts";
import { nameAt } from "./layout.ts";
import type { SplitReason } from "./reason.ts";
import type { Choice, CompiledService } from "./route-table.ts";

export type { SplitReason };

/** What the split stage reads from the caller's context. */
export interface SplitContext {
  now: number;
  affinitySecret?: string | undefined;
}

export function decideSplit(
  facts: RequestFacts,
  service: CompiledService,
  ctx: SplitContext,
  bucket: number,
): Choice {
  // Outside the wave's place the candidate's share goes to the baseline: those requests are
  // recorded apart, so the step's analysis compares the versions within the place only.
  const outside = service.wave !== undefined && !service.wave(facts);
  const pin = service.affinity && ctx.affinitySecret ? validPin(facts, service, ctx) : undefined;
  if (pin)
    return {
      name: pin.version,
      reason: { kind: "affinity", expiresAt: pin.expiresAt },
      outcomeRoute: outside ? "wave-outside" : "affinity",
    };
  if (outside)
    return {
      name: service.baseline,
      reason: { kind: "wave-outside" },
      outcomeRoute: "wave-outside",
    };
  // The common case allocates nothing: the choice of each version was built with the table.
  return service.splitChoices.get(nameAt(service.ranges, bucket))!;
}

/** A pin the visitor presented (the header when sent, else the cookie) that still holds. */
function validPin(facts: RequestFacts, service: CompiledService, ctx: SplitContext) {
  const affinity = service.affinity!;
  const token = facts.header(PIN_HEADER) ?? facts.cookie(affinity.cookie);
  if (token === null) return undefined;
  const pin = readPin(ctx.affinitySecret!, service.name, token, ctx.now, affinity.maxPinLength);
  return pin && service.versions.has(pin.version) && affinity.scope.holds(pin) ? pin : undefined;
}
