// One Durable Object per service: the single writer of its config, rollout and history. It loads
// the ledger's state, lets the pure ledger decide, stores the decision with its effects in one
// transaction, and delivers the effects (at once, and from its alarm until acknowledged).
import { DurableObject } from "cloudflare:workers";
import type { ChangeResult, RolloutStatus, ServiceRecord } from "../../../schemas/api-responses.ts";
import type { ServicePreview } from "../../../schemas/apply-plan.ts";
import type { HistoryEntry } from "../../../schemas/history.ts";
import type { Incident } from "../../../schemas/incident.ts";
import {
  ClaimingCommand,
  DirectCommand,
  type Prepared,
  type TickReply,
} from "../../../schemas/ledger.ts";
import { fail, ok, type Result } from "../../../schemas/result.ts";
import { isActive, type RolloutState } from "../../../schemas/rollout-state.ts";
import type { RolloutVerdicts } from "../../../schemas/verdict-log.ts";
import type { ServiceRpc } from "../../contracts.ts";
import { countedRoutes } from "../../core/ledger/analysis-routes.ts";
import { decide } from "../../core/ledger/ledger.ts";
import { nextRampAt } from "../../core/rollout/ramp.ts";
import type { Env } from "../../env.ts";
import { haltBoundOf } from "./incident-trace.ts";
import { readWindows } from "./rollout-io.ts";
import { ServiceWriter } from "./service-writer.ts";
import { runRamp, runTick } from "./tick-runner.ts";
import { TwoPhaseChanges } from "./two-phase.ts";
import { previewWire, recordWire, rolloutWire, statusView, verdictsWire } from "./wire.ts";

export class ServiceObject extends DurableObject<Env> implements ServiceRpc {
  readonly #writer: ServiceWriter;
  readonly #twoPhase: TwoPhaseChanges;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#writer = new ServiceWriter(ctx, env);
    this.#twoPhase = new TwoPhaseChanges(this.#writer, env, () => this.#deliver());
    // The alarm also wakes for a ramping rollback's next cut (finer than the cron's minute).
    this.#writer.wakeAlso = () =>
      minOf(this.#twoPhase.pending()?.expiresAt, nextRampAt(this.rolloutState()));
    this.#writer.migrateUnpublished();
  }

  /** The config of record and its spec (the name is the config's own; the argument is only a fallback). */
  record(name = ""): ServiceRecord | null {
    return recordWire(this.#writer.store.load(name), this.#writer.store.updatedAt() ?? 0);
  }

  /** What applying `command` (an apply) would do now: the ledger's decision, not stored. */
  preview(name: string, command: ClaimingCommand): ServicePreview {
    const parsed = ClaimingCommand.parse(command);
    return previewWire(name, this.#writer.store.load(name), this.#twoPhase.preview(name, parsed));
  }

  history(_name?: string): HistoryEntry[] {
    return this.#writer.store.history();
  }

  /** Incidents, newest first (epoch-ms times). */
  incidents(): Incident[] {
    return this.#writer.store.incidents.list();
  }

  incident(id: string): Incident | null {
    return this.#writer.store.incidents.get(id) ?? null;
  }

  deploymentCounts() {
    const counts = this.#writer.store.countEvents([
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

  /** The rollout as stored (epoch-ms times): for readers inside the Worker, such as metrics. */
  rolloutState(): RolloutState | null {
    return this.#writer.store.load("").rollout;
  }

  /** The last verdicts of the latest rollout, each with its judgement, oldest first. */
  verdicts(name: string, limit: number): Result<RolloutVerdicts> {
    const state = this.#writer.store.load(name);
    if (!state.config) return fail("not_found", `service "${name}" does not exist`);
    const entries = state.rollout ? this.#writer.verdicts.last(state.rollout.id, limit) : [];
    const judge = state.config.rollout
      ? (state.config.rollout.analysis.judge ?? "threshold")
      : null;
    return ok(verdictsWire(name, judge, entries));
  }

  async rolloutStatus(name: string): Promise<Result<RolloutStatus>> {
    const state = this.#writer.store.load(name);
    if (!state.config) return fail("not_found", `service "${name}" does not exist`);
    const now = Date.now();
    const rollout = state.rollout;
    const query = isActive(rollout)
      ? { from: rollout.stepStartedAt, to: now, routes: countedRoutes(state.config, rollout) }
      : null;
    const windows =
      query && rollout
        ? await readWindows(this.env, name, rollout, { candidate: query, baseline: query })
        : null;
    const incident = rollout && this.#writer.store.incidents.ofRollout(rollout.id);
    const status = { ...state, config: state.config };
    return ok(statusView(status, windows, now, haltBoundOf(this.env), incident ?? null));
  }

  async execute(name: string, input: DirectCommand) {
    const command = DirectCommand.parse(input);
    const busy = await this.#twoPhase.settled(name);
    if (!busy.ok) return busy;
    const result = decide(this.#writer.store.load(name), command, Date.now(), {
      rolloutId: crypto.randomUUID(),
    });
    if (!result.ok) return result;
    await this.#writer.commit(name, result.value);
    await this.#deliver();
    const reply: ChangeResult | RolloutState = result.value.reply;
    return ok("phase" in reply ? rolloutWire(reply) : reply);
  }

  prepare(name: string, txId: string, command: ClaimingCommand): Promise<Result<Prepared>> {
    return this.#twoPhase.prepare(name, txId, command);
  }

  commit(name: string, txId: string): Promise<Result<ChangeResult>> {
    return this.#twoPhase.commit(name, txId);
  }

  abort(_name: string, txId: string): Promise<void> {
    return this.#twoPhase.abort(txId);
  }

  tick(name: string, scheduledTime: number): Promise<TickReply> {
    const busy = () => this.#twoPhase.pending() !== undefined;
    return runTick(this.#writer, this.env, name, scheduledTime, busy, () => this.#deliver());
  }

  /** Delivers what is due and settles a two-phase change whose caller never came back. */
  override async alarm(): Promise<void> {
    const name = this.#writer.store.getMeta("name");
    if (name) await this.#twoPhase.settleExpired(name);
    if (name && !this.#twoPhase.pending())
      await runRamp(this.#writer, name, Date.now(), () => this.#deliver());
    await this.#writer.deliver();
  }

  /** Delivers publications and halts now; notifications follow without holding up the reply. */
  async #deliver(): Promise<void> {
    await this.#writer.deliver((effect) => effect.kind === "notify");
    this.ctx.waitUntil(this.#writer.deliver());
  }
}

function minOf(...times: (number | null | undefined)[]): number | null {
  const set = times.filter((t): t is number => typeof t === "number");
  return set.length === 0 ? null : Math.min(...set);
}
