// One Durable Object per service: the single writer of its config of record and its rollout.
// Every change is validated, stored as a new revision or event with history, then published.
import { DurableObject } from "cloudflare:workers";
import type { ChangeResult, ServiceRecord } from "../../schemas/api.ts";
import { problemsOf } from "../../schemas/problems.ts";
import { Analysis, NotifyEvent } from "../../schemas/rollout.ts";
import { isActive, type RolloutState } from "../../schemas/rollout-state.ts";
import { Service } from "../../schemas/service.ts";
import type { Split } from "../../schemas/split.ts";
import type { WindowStats } from "../core/metrics/window-stats.ts";
import {
  abortRollout,
  candidateOf,
  pauseRollout,
  promoteRollout,
  resumeRollout,
  startRollout,
  type Transition,
} from "../core/rollout/commands.ts";
import { concludedConfig, effectiveConfig } from "../core/rollout/effective.ts";
import {
  applyTick,
  decideTick,
  holdForGates,
  type TickDecision,
} from "../core/rollout/evaluate.ts";
import { stepsOf } from "../core/rollout/steps.ts";
import { statsObjectName } from "../data-plane/outcome-flusher.ts";
import type { Env } from "../env.ts";
import { checkBase, revertTarget, sameConfig, withSplit } from "./changes.ts";
import { fail, ok, type Result } from "./result.ts";
import { checkGates, notify, stepWindows } from "./rollout-io.ts";
import { ServiceStore, type StoredEvent } from "./service-store.ts";
import { registryOf } from "./stubs.ts";

export interface ChangeMeta {
  baseRevision?: number | undefined;
  author?: string | undefined;
  reason?: string | undefined;
}

export interface RolloutStart {
  origin?: string | undefined;
  release?: string | undefined;
  strategy?: "canary" | "linear" | "blueGreen" | undefined;
}

export interface RolloutStatus {
  state: RolloutState | null;
  split: Split;
  /** The current step's window, for each side (only while a rollout is active). */
  candidate: WindowStats | null;
  baseline: WindowStats | null;
  /** Bake time of the current step (null at a gate or with no rollout). */
  stepBakeMs: number | null;
  now: number;
}

export type TickResult =
  | { ticked: true; phase: string; outcome: string }
  | { ticked: false; why: string };

/** How long to wait before retrying a publication the registry did not take. */
const PUBLISH_RETRY_MS = 5_000;

const EVENT_OF: Partial<Record<TickDecision["kind"], string>> = {
  advance: "rollout.advanced",
  gate: "rollout.paused",
  promote: "rollout.promoted",
  rollback: "rollout.rolledBack",
  pause: "rollout.paused",
};

export class ServiceObject extends DurableObject<Env> {
  readonly #store: ServiceStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new ServiceStore(ctx.storage.sql);
  }

  /** The current config of record, or null when the service does not exist (or was deleted). */
  record(): ServiceRecord | null {
    const latest = this.#store.latest();
    if (!latest?.config) return null;
    return {
      name: latest.config.name,
      revision: latest.number,
      updatedAt: new Date(latest.at).toISOString(),
      config: latest.config,
    };
  }

  history(): StoredEvent[] {
    return this.#store.history();
  }

  async apply(config: Service, meta: ChangeMeta): Promise<Result<ChangeResult>> {
    const rollout = this.#store.rollout();
    if (
      isActive(rollout) &&
      (!config.versions[rollout.candidate] || !config.versions[rollout.baseline])
    ) {
      return fail(
        "conflict",
        `a rollout of "${rollout.candidate}" is in progress: keep versions ${rollout.baseline} and ${rollout.candidate}, or abort it first`,
      );
    }
    return this.#change(config.name, meta, "apply", "config.applied", () => ok(config));
  }

  async setWeights(name: string, split: Split, meta: ChangeMeta): Promise<Result<ChangeResult>> {
    if (isActive(this.#store.rollout())) {
      return fail(
        "conflict",
        `a rollout controls the weights of "${name}": pause and promote, or abort it first`,
      );
    }
    return this.#change(name, meta, "weights", "weights.changed", (current) =>
      current ? withSplit(current, split) : fail("not_found", `service "${name}" does not exist`),
    );
  }

  async revert(name: string, to: number, meta: ChangeMeta): Promise<Result<ChangeResult>> {
    if (isActive(this.#store.rollout()))
      return fail("conflict", `a rollout of "${name}" is in progress: abort it first`);
    return this.#change(name, meta, "revert", "config.reverted", () =>
      revertTarget(name, this.#store.revision(to)),
    );
  }

  async remove(name: string, meta: ChangeMeta): Promise<Result<ChangeResult>> {
    const latest = this.#store.latest();
    if (!latest?.config) return fail("not_found", `service "${name}" does not exist`);
    if (isActive(this.#store.rollout()))
      return fail("conflict", `a rollout of "${name}" is in progress: abort it first`);
    const base = checkBase(name, latest, meta.baseRevision);
    if (!base.ok) return base;
    const revision = this.#store.addRevision(Date.now(), "delete", null, {
      type: "service.deleted",
      author: meta.author,
      reason: meta.reason,
    });
    await this.#publish(name);
    return ok({ name, revision, changed: true });
  }

  // ── Rollouts ────────────────────────────────────────────────────────────────────────────

  rolloutState(): RolloutState | null {
    return this.#store.rollout();
  }

  /** Ended rollouts by outcome, for /_keystone/metrics. */
  deploymentCounts(): Record<"promoted" | "rolledBack" | "aborted", number> {
    const counts = this.#store.countEvents([
      "rollout.promoted",
      "rollout.rolledBack",
      "rollout.aborted",
    ]);
    return {
      promoted: counts["rollout.promoted"] ?? 0,
      rolledBack: counts["rollout.rolledBack"] ?? 0,
      aborted: counts["rollout.aborted"] ?? 0,
    };
  }

  async rolloutStatus(name: string): Promise<Result<RolloutStatus>> {
    const config = this.#store.latest()?.config;
    if (!config) return fail("not_found", `service "${name}" does not exist`);
    const state = this.#store.rollout();
    const now = Date.now();
    const windows = isActive(state) ? await stepWindows(this.env, name, state, now) : null;
    const step = state && config.rollout ? stepsOf(config.rollout)[state.stepIndex] : undefined;
    return ok({
      state,
      split: effectiveConfig(config, state).split,
      candidate: windows?.candidate ?? null,
      baseline: windows?.baseline ?? null,
      stepBakeMs: step?.kind === "weight" ? step.bakeMs : null,
      now,
    });
  }

  async startRollout(
    name: string,
    options: RolloutStart,
    meta: ChangeMeta,
  ): Promise<Result<RolloutState>> {
    const latest = this.#store.latest();
    if (!latest?.config) return fail("not_found", `service "${name}" does not exist`);
    const current = this.#store.rollout();
    if (isActive(current))
      return fail(
        "conflict",
        `a rollout of "${current.candidate}" is already ${current.phase} (step ${current.stepIndex + 1} of ${current.stepCount})`,
      );
    const prepared = prepareRollout(latest.config, options);
    if (!prepared.ok) return prepared;
    const started = startRollout(prepared.value, Date.now());
    if (!started.ok) return fail("invalid", started.message);
    if (!sameConfig(latest.config, prepared.value)) {
      this.#store.addRevision(Date.now(), "rollout", prepared.value, {
        type: "config.applied",
        author: meta.author,
        reason:
          meta.reason ??
          `rollout start: ${started.state.candidate} → ${prepared.value.versions[started.state.candidate]!.origin}`,
      });
    }
    const result = await this.#commitRollout(
      name,
      prepared.value,
      started.state,
      "rollout.started",
      meta,
    );
    if (current) await this.#signalStats(name, current, "resume");
    return result;
  }

  async promoteRollout(
    name: string,
    full: boolean,
    meta: ChangeMeta,
  ): Promise<Result<RolloutState>> {
    return this.#operate(
      name,
      meta,
      full ? "rollout.promoted" : "rollout.resumed",
      (config, state, now) => promoteRollout(config, state, now, full),
    );
  }

  async pauseRollout(name: string, meta: ChangeMeta): Promise<Result<RolloutState>> {
    return this.#operate(name, meta, "rollout.paused", (_, state, now) => pauseRollout(state, now));
  }

  async resumeRollout(name: string, meta: ChangeMeta): Promise<Result<RolloutState>> {
    return this.#operate(name, meta, "rollout.resumed", (_, state, now) =>
      resumeRollout(state, now),
    );
  }

  async abortRollout(name: string, meta: ChangeMeta): Promise<Result<RolloutState>> {
    return this.#operate(name, meta, "rollout.aborted", (_, state, now) =>
      abortRollout(state, now),
    );
  }

  /**
   * One cron tick. Idempotent: a tick for a time at or before the last one applied is a no-op,
   * and a tick whose state changed while it awaited stats or gates (an operator, another tick)
   * is dropped, so nothing advances twice.
   */
  async tick(name: string, now: number): Promise<TickResult> {
    const state = this.#store.rollout();
    const config = this.#store.latest()?.config;
    if (!config?.rollout || state?.phase !== "progressing")
      return { ticked: false, why: "no rollout in progress" };
    if (now <= state.lastTickAt) return { ticked: false, why: "this tick was already applied" };
    const claimed = { ...state, lastTickAt: now };
    this.#store.setRollout(claimed);
    const version = this.#store.rolloutVersion();

    const windows = await stepWindows(this.env, name, claimed, now);
    const input = {
      policy: config.rollout,
      steps: stepsOf(config.rollout),
      state: claimed,
      ...windows,
      now,
    };
    let decision = decideTick(input);
    if (decision.kind === "advance" || decision.kind === "promote") {
      decision = holdForGates(
        decision,
        await checkGates(config, claimed, decision.kind === "promote"),
        claimed.failures,
      );
    }
    if (this.#store.rolloutVersion() !== version)
      return { ticked: false, why: "the rollout changed during the tick" };
    const next = applyTick(input, decision);
    const event =
      decision.kind === "hold"
        ? decision.outcome === "failed"
          ? "rollout.checkFailed"
          : undefined
        : EVENT_OF[decision.kind];
    await this.#commitRollout(name, config, next, event, { author: "cron" });
    return { ticked: true, phase: next.phase, outcome: next.lastVerdict?.outcome ?? decision.kind };
  }

  /** Retries a publication the registry did not take. */
  override async alarm(): Promise<void> {
    const pending = this.#store.getMeta("unpublished");
    if (pending !== undefined) await this.#publish(pending);
  }

  async #operate(
    name: string,
    meta: ChangeMeta,
    event: string,
    transition: (config: Service, state: RolloutState, now: number) => Transition,
  ): Promise<Result<RolloutState>> {
    const config = this.#store.latest()?.config;
    if (!config) return fail("not_found", `service "${name}" does not exist`);
    const state = this.#store.rollout();
    if (!state)
      return fail(
        "conflict",
        `service "${name}" has no rollout: start one with keystone rollout start ${name}`,
      );
    const result = transition(config, state, Date.now());
    if (!result.ok) return fail("conflict", result.message);
    return this.#commitRollout(name, config, result.state, event, meta);
  }

  /** Stores a rollout state; an ended rollout also writes the concluded config as a revision. */
  async #commitRollout(
    name: string,
    config: Service,
    state: RolloutState,
    event: string | undefined,
    meta: ChangeMeta,
  ): Promise<Result<RolloutState>> {
    const now = Date.now();
    const detail = {
      phase: state.phase,
      step: state.stepIndex + 1,
      weight: state.weight,
      verdict: state.lastVerdict,
    };
    let record = config;
    if (!isActive(state)) {
      record = concludedConfig(config, state);
      this.#store.addRevision(now, "rollout", record, {
        type: event ?? `rollout.${state.phase}`,
        author: meta.author,
        reason: meta.reason ?? state.lastVerdict?.reason,
        detail,
      });
    } else if (event) {
      this.#store.addEvent(now, {
        type: event,
        revision: this.#store.latest()?.number ?? null,
        author: meta.author,
        reason: meta.reason ?? state.lastVerdict?.reason,
        detail,
      });
    }
    this.#store.setRollout(state);
    await this.#publish(name);
    if (state.phase === "rolledBack" || state.phase === "aborted")
      await this.#signalStats(name, state, "halt");
    if (event && isNotifyEvent(event)) {
      const text = `${name}: ${event.replace("rollout.", "rollout ")} — ${state.lastVerdict?.reason ?? state.phase}`;
      this.ctx.waitUntil(notify(this.env, record, { event, service: name, text, state }, now));
    }
    return ok(state);
  }

  /**
   * The fast abort path: a rolled-back or aborted candidate's stats object tells every isolate on
   * its next metrics flush to divert it until the isolate holds the publication that carries the
   * rollback (its sequence: until publications carry their own, the revision just stored). The
   * next rollout start clears the halt of the one before.
   */
  async #signalStats(name: string, state: RolloutState, signal: "halt" | "resume"): Promise<void> {
    const rolloutId = `${state.candidate}@${state.startedAt}`;
    try {
      const stats = this.env.STATS.get(
        this.env.STATS.idFromName(statsObjectName(name, state.candidate)),
      );
      await (signal === "halt"
        ? stats.halt({ rolloutId, sequence: this.#store.latest()?.number ?? 0 })
        : stats.resume(rolloutId));
    } catch (error) {
      console.error(
        `keystone: could not ${signal} ${name}/${state.candidate} stats: ${String(error)}`,
      );
    }
  }

  async #change(
    name: string,
    meta: ChangeMeta,
    kind: string,
    eventType: string,
    next: (current: Service | null) => Result<Service>,
  ): Promise<Result<ChangeResult>> {
    const latest = this.#store.latest();
    const base = checkBase(name, latest, meta.baseRevision);
    if (!base.ok) return base;
    const config = next(latest?.config ?? null);
    if (!config.ok) return config;
    if (sameConfig(latest?.config, config.value)) {
      return ok({ name, revision: latest!.number, changed: false });
    }
    const revision = this.#store.addRevision(Date.now(), kind, config.value, {
      type: eventType,
      author: meta.author,
      reason: meta.reason,
      detail: kind === "weights" ? { split: config.value.split } : undefined,
    });
    await this.#publish(name);
    if (config.value.notify.length > 0) {
      this.ctx.waitUntil(
        notify(
          this.env,
          config.value,
          {
            event: "config.applied",
            service: name,
            text: `${name}: revision ${revision} (${kind})`,
            state: null,
          },
          Date.now(),
        ),
      );
    }
    return ok({ name, revision, changed: true });
  }

  /** Publishes what the data plane should serve now: the latest config with any rollout applied. */
  async #publish(name: string): Promise<void> {
    const latest = this.#store.latest();
    const rollout = this.#store.rollout();
    const config = latest?.config ? effectiveConfig(latest.config, rollout) : null;
    try {
      await registryOf(this.env).publish(name, latest?.number ?? 0, config, isActive(rollout));
      this.ctx.storage.sql.exec("DELETE FROM meta WHERE key = 'unpublished'");
    } catch (error) {
      console.error(`keystone: publishing ${name} failed, retrying: ${String(error)}`);
      this.#store.setMeta("unpublished", name);
      await this.ctx.storage.setAlarm(Date.now() + PUBLISH_RETRY_MS);
    }
  }
}

function isNotifyEvent(event: string): event is NotifyEvent {
  return NotifyEvent.safeParse(event).success;
}

/** The config a rollout starts from: the candidate's new origin/release, and strategy, if given. */
function prepareRollout(config: Service, options: RolloutStart): Result<Service> {
  if (!config.rollout && !options.strategy)
    return fail(
      "invalid",
      `service "${config.name}" has no rollout policy: add rollout: to its config`,
    );
  const rollout = config.rollout ?? {
    strategy: options.strategy!,
    analysis: Analysis.parse({}),
    onFailure: "rollback" as const,
  };
  const candidateName = candidateOf({ ...config, rollout });
  const candidate = candidateName ? config.versions[candidateName] : undefined;
  const next = {
    ...config,
    rollout: { ...rollout, strategy: options.strategy ?? rollout.strategy },
    versions:
      candidate && candidateName
        ? {
            ...config.versions,
            [candidateName]: {
              ...candidate,
              origin: options.origin ?? candidate.origin,
              release: options.release ?? candidate.release,
            },
          }
        : config.versions,
  };
  const parsed = Service.safeParse(next);
  return parsed.success
    ? ok(parsed.data)
    : fail("invalid", "the rollout does not fit the service", problemsOf(parsed.error));
}
