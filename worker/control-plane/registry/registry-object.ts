// The registry Durable Object: the index of every service, the owner of host claims, and the one
// writer of the KV route document. It keeps the highest publication sequence per service, so a
// late or repeated publication never overwrites a newer one and a deleted service stays deleted.
import { DurableObject } from "cloudflare:workers";
import {
  Publication,
  type PublishAck,
  type RegistryEntry,
  type TxOutcome,
} from "../../../schemas/ledger.ts";
import { fail, ok, type Result } from "../../../schemas/result.ts";
import type { Service } from "../../../schemas/service.ts";
import type { RegistryRpc } from "../../contracts.ts";
import { type ClaimHolder, claimConflicts } from "../../core/claims.ts";
import type { Env } from "../../env.ts";
import { hostsClaimedBy, RegistryStore, type TickerKind } from "./registry-store.ts";
import { RouteDocWriter } from "./route-doc-writer.ts";

export class RegistryObject extends DurableObject<Env> implements RegistryRpc {
  readonly #store: RegistryStore;
  readonly #writer: RouteDocWriter;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new RegistryStore(ctx.storage.sql);
    this.#writer = new RouteDocWriter(ctx, env, this.#store);
  }

  /** Records a service's publication unless one as new or newer is held (then a no-op). */
  async publish(input: Publication): Promise<PublishAck> {
    const publication = Publication.parse(input);
    const held = this.#store.sequenceOf(publication.service);
    if (held !== undefined && held >= publication.sequence)
      return { stored: false, sequence: held };
    this.#store.put(publication, Date.now());
    await this.#writer.changed();
    return { stored: true, sequence: publication.sequence };
  }

  /**
   * Phase two of changes that may move hosts: every claim of every publication is checked against
   * the other services' and stored with them in one transaction, or nothing is.
   */
  async commitClaims(txId: string, input: Publication[]): Promise<Result<null>> {
    const publications = input.map((p) => Publication.parse(p));
    const decided = this.#store.txOutcome(txId);
    if (decided === "committed") return ok(null);
    if (decided === "aborted")
      return fail("conflict", "the change waited too long and was abandoned: apply it again");
    const refused = this.#refusedClaims(publications.flatMap(claimsOf));
    if (refused) return refused;
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      for (const publication of publications) {
        const held = this.#store.sequenceOf(publication.service);
        if (held === undefined || held < publication.sequence) this.#store.put(publication, now);
      }
      this.#store.setTxOutcome(txId, "committed", now);
    });
    await this.#writer.changed();
    return ok(null);
  }

  /**
   * What commitClaims would refuse of these services' hosts now, nothing stored: a plan (diff)
   * says the refusal apply would meet.
   */
  hostConflicts(configs: Pick<Service, "name" | "hosts" | "pathPrefix">[]): Result<null> {
    const incoming = configs.map((config) => ({
      service: String(config.name),
      hosts: config.hosts.map(String),
      pathPrefix: String(config.pathPrefix),
    }));
    return this.#refusedClaims(incoming) ?? ok(null);
  }

  /** The claims other services already hold, as one failure naming each (undefined: none). */
  #refusedClaims(incoming: ClaimHolder[]): Result<never> | undefined {
    const conflicts = claimConflicts(
      this.#claims(incoming.flatMap((claim) => claim.hosts)),
      incoming,
    );
    if (conflicts.length === 0) return undefined;
    const [first] = conflicts;
    return fail(
      "host_claimed",
      `host ${first!.host} with pathPrefix ${first!.pathPrefix} is already served by service "${first!.owner}"`,
      conflicts.map((c) => ({
        path: `${c.service}.hosts[${c.index}]`,
        message: `host ${c.host} with pathPrefix ${c.pathPrefix} is already served by service "${c.owner}"`,
      })),
    );
  }

  /** Asked by a service whose prepared change expired: an unknown change is aborted for good. */
  txOutcome(txId: string): TxOutcome {
    const outcome = this.#store.txOutcome(txId);
    if (outcome) return outcome;
    this.#store.setTxOutcome(txId, "aborted", Date.now());
    return "aborted";
  }

  /** Live services whose stored config fits today's schema. */
  list(): RegistryEntry[] {
    return this.#store
      .live()
      .flatMap(({ name, sequence, decoded }) =>
        decoded.ok ? [{ name, sequence, config: decoded.config }] : [],
      );
  }

  /** Whether a service of this name was ever published (a deleted one too: its history stays). */
  knows(name: string): boolean {
    return this.#store.sequenceOf(String(name)) !== undefined;
  }

  published(names: string[]): string[] {
    return Array.isArray(names) ? names.filter((name) => this.knows(name)) : [];
  }

  /** Services with a rollout in progress: what the cron ticks. */
  activeRollouts(): string[] {
    return this.#store.activeRollouts();
  }

  /** Active rollouts whose object's tick is overdue (or never reported): the cron wakes them. */
  lateRollouts(dueBefore: number): string[] {
    return this.#store.lateRollouts(Number(dueBefore));
  }

  /** Running releases whose object's tick is overdue (or never reported). */
  lateReleases(dueBefore: number): string[] {
    return this.#store.lateReleases(Number(dueBefore));
  }

  /** An object reports when its alarm will tick it next (null: no tick ahead). */
  tickScheduled(kind: TickerKind, name: string, due: number | null): void {
    const at = due === null ? null : Number(due);
    if (kind !== "service" && kind !== "release") return;
    if (at !== null && !Number.isFinite(at)) return;
    this.#store.setTickDue(kind, String(name), at);
  }

  /** A release object says whether it is running: the cron ticks the running ones. */
  indexRelease(name: string, active: boolean): void {
    this.#store.setReleaseActive(String(name), active === true, Date.now());
  }

  /** Whether a release of this name was ever started: a name never started has no object. */
  knowsRelease(name: string): boolean {
    return this.#store.knowsRelease(String(name));
  }

  activeReleases(): string[] {
    return this.#store.activeReleases();
  }

  /**
   * Records a deploy-webhook signature; false when it was seen before (a replay). Signatures are
   * kept for twice the webhook's freshness window, after which the timestamp check refuses them.
   */
  claimWebhookSignature(signature: string, now: number, keepMs: number): boolean {
    return this.#store.claimSignature(signature, now, keepMs);
  }

  /** The generation last written to KV (0 before the first write). */
  generation(): number {
    return this.#writer.generation();
  }

  /** Scheduled for when KV allows the next write: write the latest state now. */
  override async alarm(): Promise<void> {
    await this.#writer.owed();
  }

  /**
   * What the live services claiming any of these hosts claim (the only ones a change to them can
   * conflict with); a row that no longer parses still claims what it names.
   */
  #claims(hosts: string[]): ClaimHolder[] {
    return this.#store
      .claimants(hosts)
      .map((entry) => ({ service: entry.name, ...hostsClaimedBy(entry) }));
  }
}

function claimsOf(publication: Publication): ClaimHolder[] {
  const config = publication.config;
  return [
    {
      service: publication.service,
      hosts: config?.hosts ?? [],
      pathPrefix: config?.pathPrefix ?? "/",
    },
  ];
}
