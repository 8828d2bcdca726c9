// One Durable Object per service: the single writer of its config, rollout and history. It loads
// the ledger's state, lets the pure ledger decide (an operator's command, a two-phase change, a
// tick), and hands the decision to its writer, which stores it with its effects in one transaction
// and delivers them (at once, and from the alarm until acknowledged).
import { DurableObject } from "cloudflare:workers";
import type { ChangeResult, RolloutStatus, ServiceRecord } from "../../../schemas/api-responses.ts";
import type { ServicePreview } from "../../../schemas/apply-plan.ts";
import { type HistoryEntry, MAX_HISTORY_ENTRIES } from "../../../schemas/history.ts";
import type { Incident } from "../../../schemas/incident.ts";
import {
  ClaimingCommand,
  DirectCommand,
  type Prepared,
  type TickReply,
} from "../../../schemas/ledger.ts";
import type { AnalysisTest } from "../../../schemas/metric-check.ts";
import { fail, ok, type Result } from "../../../schemas/result.ts";
import { isActive, type RolloutState } from "../../../schemas/rollout-state.ts";
import type { RolloutVerdicts } from "../../../schemas/verdict-log.ts";
import type { ServiceRpc } from "../../contracts.ts";
import { countedRoutes } from "../../core/ledger/analysis-routes.ts";
import { deadlineTick } from "../../core/ledger/deadline.ts";
import { decide } from "../../core/ledger/ledger.ts";
import { stepRamp } from "../../core/ledger/ramp-step.ts";
import type { Decision } from "../../core/ledger/state.ts";
import { claimTick, tick, tickChecks, type Windows } from "../../core/ledger/tick.ts";
import { judgeMetrics } from "../../core/provider-metrics/metric-judge.ts";
import { trialCalls } from "../../core/provider-metrics/provider-calls.ts";
import { isRamping } from "../../core/rollout/ramp.ts";
import type { Env } from "../../env.ts";
import { haltBoundOf } from "./incident-trace.ts";
import { MetricReader, TICK_BUDGET_MS } from "./metric-readings.ts";
import { readWindows, runChecks } from "./rollout-io.ts";
import { ServiceWriter } from "./service-writer.ts";
import { TwoPhaseChanges } from "./two-phase.ts";
import { previewView, recordView, statusView } from "./views.ts";
import { rolloutWire, verdictsWire } from "./wire.ts";

export class ServiceObject extends DurableObject<Env> implements ServiceRpc {
  readonly #writer: ServiceWriter;
  readonly #twoPhase: TwoPhaseChanges;
  /**
   * The service's name: the object is addressed by it (idFromName), so the runtime gives it on
   * the id. An alarm an older release set comes without it: the name stored at the first write
   * stands in.
   */
  readonly #name: string;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#writer = new ServiceWriter(ctx, env);
    this.#twoPhase = new TwoPhaseChanges(this.#writer, env);
    this.#name = ctx.id.name ?? this.#writer.store.getMeta("name") ?? "";
  }

  /** The config of record and its spec. */
  record(): ServiceRecord | null {
    return recordView(this.#writer.store.load(this.#name), this.#writer.store.updatedAt() ?? 0);
  }

  /** What applying `command` (an apply) would do now: the ledger's decision, not stored. */
  preview(command: ClaimingCommand): ServicePreview {
    const name = this.#name;
    const parsed = ClaimingCommand.parse(command);
    return previewView(name, this.#writer.store.load(name), this.#twoPhase.preview(name, parsed));
  }

  history(limit = MAX_HISTORY_ENTRIES): HistoryEntry[] {
    return this.#writer.store.history(
      Math.min(Math.max(1, Math.floor(limit)), MAX_HISTORY_ENTRIES),
    );
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

  /** `keystone analysis test`: the rollout's metrics measured now; nothing stored, nothing acted on. */
  async testMetrics(): Promise<Result<AnalysisTest>> {
    const name = this.#name;
    const state = this.#writer.store.load(name);
    if (!state.config) return fail("not_found", `service "${name}" does not exist`);
    const metrics = state.config.rollout?.analysis.metrics ?? [];
    if (metrics.length === 0)
      return fail("bad_request", `service "${name}" has no rollout.analysis.metrics to test`);
    const trial = trialCalls(state.config, state.rollout, Date.now());
    if (!trial) return fail("bad_request", `service "${name}" has no candidate track to measure`);
    const readings = await new MetricReader(this.env, Date.now() + TICK_BUDGET_MS).read(
      trial.calls,
    );
    const { candidate, baseline, window } = trial;
    return ok({
      service: name,
      candidate,
      baseline,
      window,
      metrics: judgeMetrics(metrics, readings, []),
    });
  }

  /** The rollout as stored (epoch-ms times): for readers inside the Worker, such as metrics. */
  rolloutState(): RolloutState | null {
    return this.#writer.store.load(this.#name).rollout;
  }

  /** The last verdicts of the latest rollout, each with its judgement, oldest first. */
  verdicts(limit: number): Result<RolloutVerdicts> {
    const name = this.#name;
    const state = this.#writer.store.load(name);
    if (!state.config) return fail("not_found", `service "${name}" does not exist`);
    const entries = state.rollout ? this.#writer.verdicts.last(state.rollout.id, limit) : [];
    const judge = state.config.rollout
      ? (state.config.rollout.analysis.judge ?? "threshold")
      : null;
    return ok(verdictsWire(name, judge, entries));
  }

  async rolloutStatus(): Promise<Result<RolloutStatus>> {
    const name = this.#name;
    const state = this.#writer.store.load(name);
    if (!state.config) return fail("not_found", `service "${name}" does not exist`);
    const now = Date.now();
    const rollout = state.rollout;
    const query = isActive(rollout)
      ? { from: rollout.stepStartedAt, to: now, routes: countedRoutes(state.config, rollout) }
      : null;
    const windows =
      query && rollout
        ? // A shard that does not answer leaves the status without figures, not with part of them.
          await readWindows(this.env, name, rollout, { candidate: query, baseline: query }).catch(
            () => null,
          )
        : null;
    const incident = rollout && this.#writer.store.incidents.ofRollout(rollout.id);
    const status = { ...state, config: state.config };
    return ok(
      statusView(
        status,
        windows,
        now,
        haltBoundOf(this.env),
        incident ?? null,
        this.#writer.tickDue(),
      ),
    );
  }

  async execute(input: DirectCommand) {
    const name = this.#name;
    const command = DirectCommand.parse(input);
    const settled = await this.#twoPhase.untilSettled(name);
    if (!settled.ok) return settled;
    const result = decide(this.#writer.store.load(name), command, Date.now(), {
      rolloutId: crypto.randomUUID(),
    });
    if (!result.ok) return result;
    await this.#writer.commit(name, result.value);
    const reply: ChangeResult | RolloutState = result.value.reply;
    return ok("phase" in reply ? rolloutWire(reply) : reply);
  }

  prepare(txId: string, command: ClaimingCommand): Promise<Result<Prepared>> {
    return this.#twoPhase.prepare(this.#name, txId, command);
  }

  commit(txId: string): Promise<Result<ChangeResult>> {
    return this.#twoPhase.commit(this.#name, txId);
  }

  abort(txId: string): Promise<void> {
    return this.#twoPhase.abort(txId);
  }

  /**
   * A tick at `scheduledTime`, from this object's alarm or (when the registry holds it as late)
   * the cron; then the alarm is set for the next one.
   */
  async tick(scheduledTime: number): Promise<TickReply> {
    // Stored as the last tick's time: anything but a time would corrupt the rollout's state.
    if (!Number.isFinite(scheduledTime))
      return { ticked: false, why: `a tick needs a time, not ${JSON.stringify(scheduledTime)}` };
    const reply = await this.#tick(this.#name, scheduledTime);
    await this.#writer.schedule();
    return reply;
  }

  /**
   * Claimed before any await (a repeated tick is a no-op), windows read and the checks the ledger
   * asks for run, then decided only if nothing changed meanwhile (an operator's command, another
   * tick, a two-phase change).
   */
  async #tick(name: string, scheduledTime: number): Promise<TickReply> {
    const store = this.#writer.store;
    if (this.#twoPhase.pending()) return { ticked: false, why: "a change is being applied" };
    if (isRamping(store.load(name).rollout))
      return (
        (await this.#ramp(name, scheduledTime)) ?? {
          ticked: false,
          why: "the ramp's next cut is not due",
        }
      );
    const claim = claimTick(store.load(name), scheduledTime);
    if (!claim.reply.run || !claim.state.rollout)
      return (
        (await this.#expire(name, scheduledTime)) ?? {
          ticked: false,
          why: claim.reply.run ? "no rollout in progress" : claim.reply.why,
        }
      );
    store.saveHead(claim.state);
    const claimed = JSON.stringify(claim.state.rollout);
    let read: Windows;
    let metrics: Awaited<ReturnType<MetricReader["read"]>>;
    try {
      [read, metrics] = await Promise.all([
        readWindows(this.env, name, claim.state.rollout, claim.reply.queries),
        new MetricReader(this.env, Date.now() + TICK_BUDGET_MS).read(claim.reply.metrics),
      ]);
    } catch (error) {
      // A shard that did not answer: nothing is judged on part of the traffic. The progress
      // deadline still holds: a rollout whose figures cannot be read for longer than it allows
      // is as stuck as one held by them (aborted, or reported), not left at its step unseen.
      console.error(`keystone: tick of ${name} at ${scheduledTime}: ${String(error)}`);
      const why = `the window is inconclusive: ${String(error)}`;
      // Not while a change is being applied: its commit decides the rollout (as below).
      if (this.#twoPhase.pending()) return { ticked: false, why };
      // History and notifications get words, not the runtime's error (the log has it).
      const held = "held: its figures could not be read (a stats shard did not answer)";
      return (await this.#expire(name, scheduledTime, held)) ?? { ticked: false, why };
    }
    const windows = metrics.length > 0 ? { ...read, metrics } : read;
    const gateFailures = await runChecks(tickChecks(claim.state, windows, scheduledTime));
    const current = store.load(name);
    if (JSON.stringify(current.rollout) !== claimed || this.#twoPhase.pending())
      return { ticked: false, why: "the rollout changed during the tick" };
    const decided = tick(current, windows, gateFailures, scheduledTime);
    await this.#writer.commit(name, decided);
    return (await this.#expire(name, scheduledTime)) ?? decided.reply;
  }

  /**
   * Settles a two-phase change whose caller never came back, ticks the rollout (or cuts its ramp)
   * when due, delivers what is due; delivery sets the alarm for the next of these.
   */
  override async alarm(): Promise<void> {
    const name = this.#name;
    if (name) await this.#twoPhase.settleExpired(name);
    const now = Date.now();
    const due = this.#writer.tickDue();
    if (name && !this.#twoPhase.pending() && due !== null && due <= now)
      await this.#tick(name, now);
    await this.#writer.deliver();
  }

  /** The next cut of a ramping rollback, if due at `now` (the cron's time, or the alarm's). */
  #ramp(name: string, now: number): Promise<TickReply | undefined> {
    return this.#commitIfDecided(name, stepRamp(this.#writer.store.load(name), now));
  }

  /** After the tick (or instead of it, when paused): a step held past its deadline is acted on. */
  #expire(name: string, now: number, heldBy?: string): Promise<TickReply | undefined> {
    return this.#commitIfDecided(name, deadlineTick(this.#writer.store.load(name), now, heldBy));
  }

  async #commitIfDecided(name: string, decided: Decision<TickReply> | undefined) {
    if (!decided) return undefined;
    await this.#writer.commit(name, decided);
    return decided.reply;
  }
}
