// Writes the KV route document from the registry's rows. KV takes one write per second per key:
// writes are coalesced (the latest state always written, at most once a second), only one is
// in flight, and a failed write is retried from the alarm.
import { ROUTES_KEY, type RoutesDocEnvelope } from "../../../schemas/routes-doc.ts";
import type { Env } from "../../env.ts";
import type { RegistryStore } from "./registry-store.ts";

const MIN_WRITE_INTERVAL_MS = 1_000;
const RETRY_MS = 2_000;

export class RouteDocWriter {
  readonly #ctx: DurableObjectState;
  readonly #env: Env;
  readonly #store: RegistryStore;
  #writing = false;
  /** Rows already reported as not fitting the schema (name@sequence): each is logged once. */
  readonly #reported = new Set<string>();

  constructor(ctx: DurableObjectState, env: Env, store: RegistryStore) {
    this.#ctx = ctx;
    this.#env = env;
    this.#store = store;
  }

  generation(): number {
    return Number(this.#store.getMeta("generation") ?? 0);
  }

  /** Something changed: write now, or when KV allows the next write. */
  async changed(): Promise<void> {
    this.#store.setMeta("dirty", "1");
    const lastWrite = Number(this.#store.getMeta("lastWriteAt") ?? 0);
    if (Date.now() - lastWrite < MIN_WRITE_INTERVAL_MS)
      return this.#scheduleAt(lastWrite + MIN_WRITE_INTERVAL_MS);
    await this.#writeNow();
  }

  /** From the alarm: a write is owed. */
  async owed(): Promise<void> {
    if (this.#store.getMeta("dirty") === "1") await this.#writeNow();
  }

  /**
   * Every service as its last publication has it. A row that no longer fits today's schema is
   * logged and published as stored: isolates skip what they cannot read and keep the rest.
   */
  document(generation: number, now: number): RoutesDocEnvelope {
    const services = this.#store.live().map(({ name, sequence, decoded, live, liveProblem }) => {
      const problem = decoded.ok ? liveProblem : decoded.problem;
      if (problem !== undefined && !this.#reported.has(`${name}@${sequence}`)) {
        this.#reported.add(`${name}@${sequence}`);
        console.error(
          `keystone: stored service "${name}" does not fit the schema (${problem}); published as stored`,
        );
      }
      const config = decoded.ok ? decoded.config : decoded.raw;
      return live ? { name, sequence, config, live } : { name, sequence, config };
    });
    return { format: 2, generation, publishedAt: new Date(now).toISOString(), services };
  }

  async #writeNow(): Promise<void> {
    // The input gate opens while `put` is awaited: two interleaved writes could land out of
    // order, older content last. The write in flight re-checks `dirty` when it finishes.
    if (this.#writing) return;
    const now = Date.now();
    this.#writing = true;
    try {
      // Synchronous up to the put: generation reserved, document built from the latest rows.
      const generation = this.generation() + 1;
      this.#store.setMeta("generation", String(generation));
      this.#store.setMeta("lastWriteAt", String(now));
      this.#store.setMeta("dirty", "0");
      const doc = this.document(generation, now);
      try {
        await this.#env.ROUTES.put(ROUTES_KEY, JSON.stringify(doc));
      } catch (error) {
        console.error(`keystone: writing the route table to KV failed, retrying: ${String(error)}`);
        this.#store.setMeta("dirty", "1");
        return this.#scheduleAt(now + RETRY_MS);
      }
    } finally {
      this.#writing = false;
    }
    if (this.#store.getMeta("dirty") === "1") await this.#scheduleAt(now + MIN_WRITE_INTERVAL_MS);
  }

  async #scheduleAt(due: number): Promise<void> {
    const scheduled = await this.#ctx.storage.getAlarm();
    if (scheduled === null || scheduled > due) await this.#ctx.storage.setAlarm(due);
  }
}
