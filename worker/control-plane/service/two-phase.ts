// Two-phase changes of one service object (apply, revert, delete may move hosts): prepare holds
// the validated change and blocks other writes; the registry decides the host claims; commit
// stores it, abort drops it. A change left prepared (its caller gone) is settled by asking the
// registry how it ended once it expires.
import * as z from "zod";
import type { ChangeResult } from "../../../schemas/api-responses.ts";
import { ClaimingCommand, type Prepared } from "../../../schemas/ledger.ts";
import { fail, ok, type Result } from "../../../schemas/result.ts";
import { registryOf } from "../../contracts.ts";
import { decide } from "../../core/ledger/ledger.ts";
import type { Env } from "../../env.ts";
import type { ServiceWriter } from "./service-writer.ts";

/** How long a prepared change holds the service before it is settled without its caller. */
const PREPARED_TTL_MS = 30_000;
/** How long a write waits for a two-phase change of the same service to finish. */
const BUSY_WAIT_MS = 10_000;

const Pending = z.object({
  txId: z.string(),
  command: ClaimingCommand,
  expiresAt: z.number(),
  /** The id of a rollout the change starts (an apply toward a new release): the same at commit. */
  rolloutId: z.string().optional(),
});
const Finished = z.object({
  txId: z.string(),
  result: z.object({ name: z.string(), revision: z.number(), changed: z.boolean() }),
});
type Pending = z.infer<typeof Pending>;

export class TwoPhaseChanges {
  readonly #writer: ServiceWriter;
  readonly #env: Env;
  readonly #deliver: () => Promise<void>;

  constructor(writer: ServiceWriter, env: Env, deliver: () => Promise<void>) {
    this.#writer = writer;
    this.#env = env;
    this.#deliver = deliver;
  }

  pending(): Pending | undefined {
    const text = this.#writer.store.getMeta("pendingTx");
    return text === undefined ? undefined : Pending.parse(JSON.parse(text));
  }

  async prepare(name: string, txId: string, input: ClaimingCommand): Promise<Result<Prepared>> {
    const command = ClaimingCommand.parse(input);
    const busy = await this.settled(name);
    if (!busy.ok) return busy;
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
    this.#writer.store.setMeta("name", name);
    this.#setPending({ txId, command, expiresAt: Date.now() + PREPARED_TTL_MS, rolloutId });
    await this.#writer.schedule();
    return ok({ service: name, changed: true, revision: reply.revision, publication, ...plan });
  }

  async commit(name: string, txId: string): Promise<Result<ChangeResult>> {
    const pending = this.pending();
    if (pending?.txId === txId) return this.#commitPending(name, pending);
    const text = this.#writer.store.getMeta("lastTx");
    const last = text === undefined ? undefined : Finished.parse(JSON.parse(text));
    if (last?.txId === txId) return ok(last.result); // a retried commit answers the same
    return fail(
      "conflict",
      `the change to "${name}" expired before it was committed: apply it again`,
    );
  }

  async abort(txId: string): Promise<void> {
    if (this.pending()?.txId === txId) this.#setPending(null);
    await this.#writer.schedule();
  }

  /** Waits until no two-phase change holds this service (settling an expired one). */
  async settled(name: string): Promise<Result<void>> {
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

  #decide(name: string, command: ClaimingCommand, rolloutId?: string) {
    const target = command.kind === "revert" ? this.#writer.store.revision(command.to) : undefined;
    return decide(this.#writer.store.load(name), command, Date.now(), {
      target,
      ...(rolloutId ? { rolloutId } : {}),
    });
  }

  /** What an apply would do now, decided as the apply would be and not stored (diff). */
  preview(name: string, command: ClaimingCommand) {
    return this.#decide(name, command, "preview");
  }

  #setPending(pending: Pending | null): void {
    this.#writer.store.setMeta("pendingTx", pending === null ? null : JSON.stringify(pending));
  }

  async #commitPending(name: string, pending: Pending): Promise<Result<ChangeResult>> {
    const result = this.#decide(name, pending.command, pending.rolloutId);
    if (!result.ok) {
      this.#setPending(null);
      return result;
    }
    const reply = result.value.reply;
    await this.#writer.commit(name, result.value, () => {
      this.#setPending(null);
      this.#writer.store.setMeta("lastTx", JSON.stringify({ txId: pending.txId, result: reply }));
    });
    await this.#deliver();
    return ok(reply);
  }

  /** A prepared change past its time: committed if the registry committed its claims, else dropped. */
  async #settle(name: string, pending: Pending): Promise<void> {
    const outcome = await registryOf(this.#env).txOutcome(pending.txId);
    if (this.pending()?.txId !== pending.txId) return;
    if (outcome === "committed") await this.#commitPending(name, pending);
    else this.#setPending(null);
  }
}
