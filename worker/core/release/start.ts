// Starting a release: checked against the services as they stand (each exists, can roll out what
// the file asks, has no rollout in progress, and has the step a condition waits for), then the
// services without a condition start at once.
import type { Problem } from "../../../schemas/problems.ts";
import type { ReleaseFile } from "../../../schemas/release-file.ts";
import { type ReleaseState, releaseEnded } from "../../../schemas/release-state.ts";
import { fail, ok, type Result } from "../../../schemas/result.ts";
import { isActive, type RolloutState } from "../../../schemas/rollout-state.ts";
import type { Service } from "../../../schemas/service.ts";
import { prepareRollout } from "../ledger/rollout-changes.ts";
import { stepsOf } from "../rollout/steps.ts";
import { type ReleaseDecision, ReleaseDraft } from "./draft.ts";
import { progress } from "./progress.ts";

/** A service of the release as it stands when the release starts. */
export interface ServiceFacts {
  config: Service | null;
  rollout: RolloutState | null;
}

/** Each service's step count, and the problems of the ones that cannot roll out as asked. */
function checkServices(file: ReleaseFile, facts: Record<string, ServiceFacts>) {
  const problems: Problem[] = [];
  const steps = new Map<string, number>();
  file.services.forEach((entry, i) => {
    const config = facts[entry.service]?.config;
    if (!config) {
      problems.push({
        path: `services[${i}].service`,
        message: `service "${entry.service}" does not exist`,
      });
      return;
    }
    const { service: _, after: __, ...change } = entry;
    const prepared = prepareRollout(config, { kind: "rollout.start", ...change });
    if (prepared.ok) steps.set(entry.service, stepsOf(prepared.value.rollout!).length);
    else
      for (const p of prepared.error.problems ?? [{ path: "", message: prepared.error.message }])
        problems.push({
          path: `services[${i}]`,
          message: p.path ? `${p.path}: ${p.message}` : p.message,
        });
  });
  file.services.forEach((entry, i) => {
    const reached = entry.after?.reached;
    const count = entry.after ? steps.get(entry.after.service) : undefined;
    if (reached !== undefined && count !== undefined && reached > count)
      problems.push({
        path: `services[${i}].after.reached`,
        message: `"${entry.after!.service}" has ${count} step${count === 1 ? "" : "s"}: use a step from 1 to ${count}, or passed: true`,
      });
  });
  return problems;
}

export function startRelease(
  previous: ReleaseState | null,
  file: ReleaseFile,
  facts: Record<string, ServiceFacts>,
  who: { author: string | null; reason: string | null },
  now: number,
  /** keystone release start --force: its services may go back past what serves, on purpose. */
  forced = false,
): Result<ReleaseDecision> {
  if (previous && !releaseEnded(previous))
    return fail(
      "wrong_phase",
      `release "${file.name}" is already ${previous.phase}: wait for it to end, or keystone release abort ${file.name}`,
    );
  const problems = checkServices(file, facts);
  if (problems.length > 0)
    return fail(
      "invalid",
      `release "${file.name}" cannot start: ${problems.length} problem(s)`,
      problems,
    );
  // A rollout another release holds is that release's: aborting the rollout would fail it, so
  // the answer names the release to wait for or abort, as an apply's refusal does.
  const busy = file.services.flatMap(({ service }) => {
    const rollout = facts[service]?.rollout;
    if (!isActive(rollout)) return [];
    const place = `step ${rollout.stepIndex + 1} of ${rollout.stepCount}`;
    const holder = rollout.heldBy?.release;
    return [
      holder
        ? `${service} is rolled out by release "${holder}" (${rollout.phase === "paused" && rollout.pausedBy === "release" ? "held" : rollout.phase} at ${place}): let it end, or keystone release abort ${holder}`
        : `${service} has a rollout ${rollout.phase} (${place}): let it end or abort it first`,
    ];
  });
  if (busy.length > 0)
    return fail("wrong_phase", `release "${file.name}" cannot start: ${busy.join("; ")}`);
  const initial: ReleaseState = {
    format: 1,
    name: file.name,
    file,
    phase: "running",
    services: file.services.map(({ service }) => ({
      service,
      status: "waiting",
      rolloutId: null,
      rollout: null,
      note: null,
    })),
    startedAt: now,
    endedAt: null,
    lastTickAt: now,
    author: who.author,
    reason: "starting",
    ...(forced ? { forced: true as const } : {}),
  };
  const draft = new ReleaseDraft(initial, now, who.author);
  const started = who.reason ?? `${file.services.length} services`;
  draft.record(
    "release.started",
    forced ? `${started} (forced: a service may go back past the release serving)` : started,
  );
  draft.send({ kind: "index", active: true });
  progress(draft);
  return ok(draft.decision());
}
