// One Durable Object per service: the single writer of its config, rollout and history. It loads
// the ledger's state, lets the pure ledger decide, stores the decision with its effects in one
// transaction, and delivers the effects (at once, and from its alarm until acknowledged).
import { DurableObject } from "cloudflare:workers";
import type {
  ChangeResult,
  RolloutStateWire,
  RolloutStatus,
  ServiceRecord,
} from "../../schemas/api-responses.ts";
import type { HistoryEntry } from "../../schemas/history.ts";
import {
  ClaimingCommand,
  type Command,
  DirectCommand,
  type Prepared,
  type TickReply,
} from "../../schemas/ledger.ts";
import { fail, ok, type Result } from "../../schemas/result.ts";
import { isActive, type RolloutState } from "../../schemas/rollout-state.ts";
import type { ServiceRpc } from "../contracts.ts";
import { countedRoutes } from "../core/ledger/analysis-routes.ts";
import { decide } from "../core/ledger/ledger.ts";
import { published } from "../core/ledger/state.ts";
import { refreshBoundMs } from "../core/ledger/status.ts";
import { claimTick, tick as decideTick, tickChecks } from "../core/ledger/tick.ts";
import type { Env } from "../env.ts";
import { readWindows, runChecks } from "./rollout-io.ts";
import {
  finishedOf,
  type Pending,
  PREPARED_TTL_MS,
  pendingOf,
  setFinished,
  setPending,
} from "./service-tx.ts";
import { ServiceWriter } from "./service-writer.ts";
import { registryOf } from "./stubs.ts";
import { rolloutWire, statusView } from "./wire.ts";

/** How long a write waits for a two-phase change of the same service to finish. */
const BUSY_WAIT_MS = 10_000;

export class ServiceObject extends DurableObject<Env> implements ServiceRpc {
  readonly #writer: ServiceWriter;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#writer = new ServiceWriter(ctx, env);
    this.#writer.wakeAlso = () => pendingOf(this.#writer.store)?.expiresAt ?? null;
    migrateUnpublished(this.#writer);
  }

  record(name: string): ServiceRecord | null {
    const state = this.#writer.store.load(name);
    if (!state.config) return null;
    const updatedAt = new Date(this.#writer.store.updatedAt() ?? 0).toISOString();
    return { name, revision: state.revision, updatedAt, config: state.config };
  }

  history(_name: string): HistoryEntry[] {
    return this.#writer.store.history();
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

  rolloutState(name: string): RolloutStateWire | null {
    const rollout = this.#writer.store.load(name).rollout;
    return rollout ? rolloutWire(rollout) : null;
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
    const bound = refreshBoundMs(Number(this.env.ROUTE_REFRESH_SECONDS ?? "30") || 30);
    return ok(statusView({ ...state, config: state.config }, windows, now, bound));
  }

  async execute(name: string, input: DirectCommand) {
    const command = DirectCommand.parse(input);
    const busy = await this.#settled(name);
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

  async prepare(name: string, txId: string, input: ClaimingCommand): Promise<Result<Prepared>> {
    const command = ClaimingCommand.parse(input);
    const busy = await this.#settled(name);
    if (!busy.ok) return busy;
    const result = this.#decide(name, command);
    if (!result.ok) return result;
    const { reply, effects } = result.value;
    const publication =
      effects.flatMap((e) => (e.kind === "publish" ? [e.publication] : []))[0] ?? null;
    if (!reply.changed)
      return ok({ service: name, changed: false, revision: reply.revision, publication: null });
    this.#writer.store.setMeta("name", name);
    setPending(this.#writer.store, { txId, command, expiresAt: Date.now() + PREPARED_TTL_MS });
    await this.#writer.schedule();
    return ok({ service: name, changed: true, revision: reply.revision, publication });
  }

  async commit(name: string, txId: string): Promise<Result<ChangeResult>> {
    const pending = pendingOf(this.#writer.store);
    if (pending?.txId !== txId) {
      const finished = finishedOf(this.#writer.store, txId);
      return finished
        ? ok(finished)
        : fail(
            "conflict",
            `the change to "${name}" expired before it was committed: apply it again`,
          );
    }
    return this.#commitPending(name, pending);
  }

  async abort(_name: string, txId: string): Promise<void> {
    if (pendingOf(this.#writer.store)?.txId === txId) setPending(this.#writer.store, null);
    await this.#writer.schedule();
  }

  /**
   * One cron tick. Claimed before any await (a repeated tick is a no-op); a tick whose rollout
   * changed while it read stats or ran gates (an operator, another tick) is dropped.
   */
  async tick(name: string, scheduledTime: number): Promise<TickReply> {
    const store = this.#writer.store;
    if (pendingOf(store)) return { ticked: false, why: "a change is being applied" };
    const claim = claimTick(store.load(name), scheduledTime);
    if (!claim.reply.run || !claim.state.rollout)
      return { ticked: false, why: claim.reply.run ? "no rollout in progress" : claim.reply.why };
    store.saveHead(claim.state);
    const claimed = JSON.stringify(claim.state.rollout);
    const windows = await readWindows(this.env, name, claim.state.rollout, claim.reply.queries);
    const gateFailures = await runChecks(tickChecks(claim.state, windows, scheduledTime));
    const current = store.load(name);
    if (JSON.stringify(current.rollout) !== claimed || pendingOf(store))
      return { ticked: false, why: "the rollout changed during the tick" };
    const decided = decideTick(current, windows, gateFailures, scheduledTime);
    await this.#writer.commit(name, decided);
    await this.#deliver();
    return decided.reply;
  }

  /** Delivers what is due and settles a two-phase change whose caller never came back. */
  override async alarm(): Promise<void> {
    const name = this.#writer.store.getMeta("name");
    const pending = pendingOf(this.#writer.store);
    if (name && pending && Date.now() >= pending.expiresAt) await this.#settle(name, pending);
    await this.#writer.deliver();
  }

  #decide<C extends Command>(name: string, command: C) {
    const target = command.kind === "revert" ? this.#writer.store.revision(command.to) : undefined;
    return decide(this.#writer.store.load(name), command, Date.now(), { target });
  }

  /** Delivers publications and halts now; notifications follow without holding up the reply. */
  async #deliver(): Promise<void> {
    await this.#writer.deliver((effect) => effect.kind === "notify");
    this.ctx.waitUntil(this.#writer.deliver());
  }

  async #commitPending(name: string, pending: Pending): Promise<Result<ChangeResult>> {
    const result = this.#decide(name, pending.command);
    if (!result.ok) {
      setPending(this.#writer.store, null);
      return result;
    }
    await this.#writer.commit(name, result.value, () => {
      setPending(this.#writer.store, null);
      setFinished(this.#writer.store, pending.txId, result.value.reply);
    });
    await this.#deliver();
    return ok(result.value.reply);
  }

  /** A prepared change past its time: committed if the registry committed its claims, else dropped. */
  async #settle(name: string, pending: Pending): Promise<void> {
    const outcome = await registryOf(this.env).txOutcome(pending.txId);
    if (pendingOf(this.#writer.store)?.txId !== pending.txId) return;
    if (outcome === "committed") await this.#commitPending(name, pending);
    else setPending(this.#writer.store, null);
  }

  /** Waits until no two-phase change holds this service (settling an expired one). */
  async #settled(name: string): Promise<Result<void>> {
    const deadline = Date.now() + BUSY_WAIT_MS;
    for (
      let pending = pendingOf(this.#writer.store);
      pending;
      pending = pendingOf(this.#writer.store)
    ) {
      if (Date.now() >= pending.expiresAt) await this.#settle(name, pending);
      else if (Date.now() >= deadline)
        return fail("conflict", `another change to "${name}" is being applied: retry`);
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return ok(undefined);
  }
}

/** An object stored before the outbox kept a failed publication in meta `unpublished`: queue it. */
function migrateUnpublished(writer: ServiceWriter): void {
  const name = writer.store.getMeta("unpublished");
  if (name === undefined) return;
  const { state, effect } = published(writer.store.load(name));
  const now = Date.now();
  writer.store.setMeta("name", name);
  writer.store.saveHead(state);
  writer.outbox.add([effect], now);
  writer.store.setMeta("unpublished", null);
  void writer.schedule();
}
