// Two-phase changes of one service object (apply, revert, delete may move hosts): prepare holds
// the validated change and blocks other writes; the registry decides the host claims; commit
// stores it, abort drops it. A change left prepared (its caller gone) is settled by asking the
// registry how it ended once it expires (the writer's alarm wakes for it).
import type { ChangeResult } from "../../../schemas/api-responses.ts";
import { ClaimingCommand, type Prepared } from "../../../schemas/ledger.ts";
import { fail, ok, type Result } from "../../../schemas/result.ts";
import { registryOf } from "../../contracts.ts";
import { decide } from "../../core/ledger/ledger.ts";
import type { Env } from "../../env.ts";
import type { PendingChange } from "./service-store.ts";
import type { ServiceWriter } from "./service-writer.ts";

/** How long a prepared change holds the service before it is settled without its caller. */
const PREPARED_TTL_MS = 30_000;
/** How long a write waits for a two-phase change of the same service to finish. */
const BUSY_WAIT_MS = 10_000;

export class TwoPhaseChanges {
  readonly #writer: ServiceWriter;
  readonly #env: Env;

  constructor(writer: ServiceWriter, env: Env) {
    this.#writer = writer;
    this.#env = env;
  }

  /** The change prepared and holding the service, if any. */
  pending(): PendingChange | undefined {
    return this.#writer.store.pendingChange();
  }

  async prepare(name: string, txId: string, input: ClaimingCommand): Promise<Result<Prepared>> {
    const command = ClaimingCommand.parse(input);
    const settled = await this.untilSettled(name);
    if (!settled.ok) return settled;
    const rolloutId = crypto.randomUUID();
    const result = this.#decide(name, command, rolloutId);
    if (!result.ok) return result;
    const { reply, effects } = result.value;
    const plan = reply.plan ? { plan: reply.plan } : {};
    const publication = effects.findLast((e) => e.kind === "publish")?.publication;
    if (!reply.changed || !publication)
      return ok({
        service: name,
        changed: false,
        revision: reply.revision,
        publication: null,
        ...plan,
      });
    const store = this.#writer.store;
    store.setMeta("name", name);
    store.setPendingChange({ txId, command, expiresAt: Date.now() + PREPARED_TTL_MS, rolloutId });
    await this.#writer.schedule();
    return ok({ service: name, changed: true, revision: reply.revision, publication, ...plan });
  }

  async commit(name: string, txId: string): Promise<Result<ChangeResult>> {
    const pending = this.pending();
    if (pending?.txId === txId) return this.#commitPending(name, pending);
    const last = this.#writer.store.lastChange();
    if (last?.txId === txId) return ok(last.result); // a retried commit answers the same
    return fail(
      "conflict",
      `the change to "${name}" expired before it was committed: apply it again`,
    );
  }

  async abort(txId: string): Promise<void> {
    if (this.pending()?.txId === txId) this.#writer.store.setPendingChange(null);
    await this.#writer.schedule();
  }

  /**
   * Waits until no two-phase change holds this service (settling an expired one); a conflict when
   * one still holds it after BUSY_WAIT_MS.
   */
  async untilSettled(name: string): Promise<Result<void>> {
    const deadline = Date.now() + BUSY_WAIT_MS;
    for (let pending = this.pending(); pending; pending = this.pending()) {
      if (Date.now() >= pending.expiresAt) await this.#settle(name, pending);
      else if (Date.now() >= deadline)
        return fail("conflict", `another change to "${name}" is being applied: retry`);
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return ok(undefined);
  }

  /** From the alarm: settles a prepared change whose caller never came back. */
  async settleExpired(name: string): Promise<void> {
    const pending = this.pending();
    if (pending && Date.now() >= pending.expiresAt) await this.#settle(name, pending);
  }

  /** What an apply would do now, decided as the apply would be and not stored (diff). */
  preview(name: string, command: ClaimingCommand) {
    return this.#decide(name, command, "preview");
  }

  #decide(name: string, command: ClaimingCommand, rolloutId?: string) {
    const store = this.#writer.store;
    const target = command.kind === "revert" ? store.revision(command.to) : undefined;
    return decide(store.load(name), command, Date.now(), {
      target,
      ...(rolloutId ? { rolloutId } : {}),
    });
  }

  async #commitPending(name: string, pending: PendingChange): Promise<Result<ChangeResult>> {
    const result = this.#decide(name, pending.command, pending.rolloutId);
    if (!result.ok) {
      this.#writer.store.setPendingChange(null);
      return result;
    }
    const reply = result.value.reply;
    await this.#writer.commit(name, result.value, { txId: pending.txId, result: reply });
    return ok(reply);
  }

  /** A prepared change past its time: committed if the registry committed its claims, else dropped. */
  async #settle(name: string, pending: PendingChange): Promise<void> {
    const outcome = await registryOf(this.#env).txOutcome(pending.txId);
    if (this.pending()?.txId !== pending.txId) return;
    if (outcome === "committed") await this.#commitPending(name, pending);
    else this.#writer.store.setPendingChange(null);
  }
}
