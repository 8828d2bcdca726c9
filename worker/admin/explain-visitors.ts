// `explain` for consistent visitors: a version pin, a regional wave's place, a track group's
// shared bucket, each in words.
import type { LiveRouting } from "../../schemas/live-routing.ts";
import type { Reason, Verdict } from "../core/decide.ts";
import { describeWhere } from "../core/wave.ts";

/** The line for a split-stage reason other than the plain split. */
export function splitStageLine(verdict: Verdict, reason: Reason): string {
  const { service, version } = verdict;
  if (reason.kind === "affinity")
    return `no rule matched; the visitor's version pin keeps ${version.name} until ${new Date(reason.expiresAt).toISOString()} (sticky.affinity), whatever the weights`;
  if (reason.kind === "wave-outside")
    return `no rule matched; the rollout's step is limited to a place this request is outside: it stays on ${service.baseline}`;
  return `routed to ${version.name}`;
}

/** Lines on the wave in force and the track group, when the service has them. */
export function visitorsWhy(verdict: Verdict, live: LiveRouting | undefined): string[] {
  const lines: string[] = [];
  if (live?.wave)
    lines.push(`the rollout's current step is a regional wave: ${describeWhere(live.wave)}`);
  const group = verdict.service.group;
  if (group)
    lines.push(
      `group "${group}": bucket ${verdict.bucket} is shared by every service of the group (salt "${group}"), so with equal weights the visitor is on the same track in each`,
    );
  return lines;
}
