// One Durable Object per release: the single writer of its state and history. It loads the
// state, lets the pure release core decide, stores the decision with its effects in one
// transaction, and delivers them (rollout starts, promotions and aborts sent to the service
// objects on the release's behalf) at once and from its alarm until acknowledged.
import { DurableObject } from "cloudflare:workers";
import * as z from "zod";
import type { ReleaseStatus } from "../../../schemas/api-responses.ts";
import type { TickReply } from "../../../schemas/ledger.ts";
import { problemsOf } from "../../../schemas/problems.ts";
import { ReleaseFile } from "../../../schemas/release-file.ts";
import {
  type ReleaseEvent,
  type ReleaseState,
  releaseEventSchema,
  releaseStateSchema,
} from "../../../schemas/release-state.ts";
import { fail, ok, type Result } from "../../../schemas/result.ts";
import { TimeCodec } from "../../../schemas/rollout-state.ts";
import type { Attribution, ReleaseRpc } from "../../contracts.ts";
import {
  claimReleaseTick,
  decideRelease,
  type ReleaseDecision,
  startRelease,
} from "../../core/release/release.ts";
import type { Env } from "../../env.ts";
import { readRollouts, readServiceFacts } from "./release-io.ts";
import { ReleaseWriter } from "./release-writer.ts";

export class ReleaseObject extends DurableObject<Env> implements ReleaseRpc {
  readonly #writer: ReleaseWriter;
  /** The release's name: the object is addressed by it (idFromName). */
  readonly #name: string;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#writer = new ReleaseWriter(ctx, env);
    this.#name = ctx.id.name ?? this.#writer.store.load()?.name ?? "";
  }

  async start(input: unknown, who: Attribution, force = false): Promise<Result<ReleaseStatus>> {
    const name = this.#name;
    const parsed = ReleaseFile.safeParse(input);
    if (!parsed.success)
      return fail("invalid", "the release file is not valid", problemsOf(parsed.error));
    const file = parsed.data;
    if (file.name !== name) return fail("invalid", `this object holds release "${name}"`);
    const facts = await readServiceFacts(this.env, file);
    // Loaded after the reads: a start that raced this one is seen.
    const started = startRelease(
      this.#writer.store.load(),
      file,
      facts,
      { author: who.author ?? null, reason: who.reason ?? null },
      Date.now(),
      force,
    );
    return this.#decided(started);
  }

  status(): Result<ReleaseStatus> {
    const state = this.#writer.store.load();
    if (!state) return fail("not_found", `no release named "${this.#name}"`);
    return ok(releaseStatusView(state, this.#writer.store.events(state.startedAt), Date.now()));
  }

  async abort(who: Attribution): Promise<Result<ReleaseStatus>> {
    const state = this.#writer.store.load();
    if (!state) return fail("not_found", `no release named "${this.#name}"`);
    const input = {
      kind: "abort" as const,
      author: who.author ?? null,
      reason: who.reason ?? null,
    };
    return this.#decided(decideRelease(state, input, Date.now()));
  }

  /**
   * A tick at `scheduledTime`, from this object's alarm or (when the registry holds it as late)
   * the cron; then the alarm is set for the next one.
   */
  async tick(scheduledTime: number): Promise<TickReply> {
    // Stored as the last tick's time: anything but a time would corrupt the release's state.
    if (!Number.isFinite(scheduledTime))
      return { ticked: false, why: `a tick needs a time, not ${JSON.stringify(scheduledTime)}` };
    const reply = await this.#tick(scheduledTime);
    await this.#writer.schedule();
    return reply;
  }

  /**
   * Claimed before any await (a repeated tick is a no-op), the started services' rollouts read,
   * then decided only if nothing changed meanwhile (an abort, a settled effect).
   */
  async #tick(scheduledTime: number): Promise<TickReply> {
    const plan = claimReleaseTick(this.#writer.store.load(), scheduledTime);
    if (!plan.run) return { ticked: false, why: plan.why };
    this.#writer.store.saveState(plan.state);
    const claimed = JSON.stringify(plan.state);
    const rollouts = await readRollouts(this.env, plan.services);
    const current = this.#writer.store.load();
    if (!current || JSON.stringify(current) !== claimed)
      return { ticked: false, why: "the release changed during the tick" };
    const decided = decideRelease(current, { kind: "observe", rollouts }, scheduledTime);
    if (!decided.ok) return { ticked: false, why: decided.error.message };
    await this.#writer.commit(decided.value);
    const after = this.#writer.store.load() ?? decided.value.state;
    return { ticked: true, phase: after.phase, outcome: after.reason };
  }

  /** Ticks a running release when due, and delivers what is due (effects not yet delivered). */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const due = this.#writer.tickDue();
    if (due !== null && due <= now) await this.#tick(now);
    await this.#writer.deliver();
  }

  async #decided(result: Result<ReleaseDecision>): Promise<Result<ReleaseStatus>> {
    if (!result.ok) return result;
    await this.#writer.commit(result.value);
    return this.status();
  }
}

const ReleaseStatusCodec = z.object({
  release: releaseStateSchema(TimeCodec),
  events: z.array(releaseEventSchema(TimeCodec)),
  now: TimeCodec,
});

/** A release as the API sends it: epoch-ms times become ISO-8601 here, at the boundary. */
function releaseStatusView(
  state: ReleaseState,
  events: ReleaseEvent[],
  now: number,
): ReleaseStatus {
  return ReleaseStatusCodec.encode({ release: state, events, now });
}
