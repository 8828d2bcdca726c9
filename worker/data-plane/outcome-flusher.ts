// Sends the recorder's batches to the stats Durable Objects, one call per (service, version),
// off the response path (waitUntil). Each call carries an id that its retries reuse, so the
// stats object counts a retried flush once; a call that still fails is dropped and counted:
// metrics must never hold up routing, and nothing is lost without a number saying so.
// A busy version's outcomes spread over several stats objects: the answers say how many, and this
// isolate sends to the one its seed picks (the same one for a flush's retries, so its id dedupes).
import type { MirrorBatch } from "../../schemas/mirror.ts";
import type { FlushAnswer, HaltSignal, OutcomeBatch } from "../../schemas/stats.ts";
import { statsObjectName } from "../contracts.ts";
import { shardOf } from "../core/metrics/fan-out.ts";
import type { Env } from "../env.ts";

const RETRY_DELAYS_MS = [100, 500];

/** What one flush call carries to one stats object. */
interface Series {
  service: string;
  version: string;
  batches: OutcomeBatch[];
  mirror: MirrorBatch[];
}

/** Told what a stats object said about its version's halt (null: none). */
export interface HaltListener {
  heard(service: string, version: string, halt: HaltSignal | null): void;
}

export class OutcomeFlusher {
  readonly #stats: Env["STATS"];
  readonly #halts: HaltListener | undefined;
  /** DO calls made (for the hot-path counters), batches and outcomes given up on. */
  calls = 0;
  droppedBatches = 0;
  droppedOutcomes = 0;
  /** Uniform in [0, 1), drawn at this isolate's first flush: which shard it sends to. */
  #shardSeed: number | undefined;
  /** Fan-out per version as its stats objects last said (absent: one object). */
  readonly #fanOut = new Map<string, number>();

  constructor(stats: Env["STATS"], halts?: HaltListener) {
    this.#stats = stats;
    this.#halts = halts;
  }

  /** Outcomes, and mirrored comparisons (to the mirrored version's object), one call per object. */
  async send(batches: OutcomeBatch[], mirror: MirrorBatch[] = []): Promise<void> {
    const bySeries = new Map<string, Series>();
    const seriesOf = (service: string, version: string) => {
      const key = statsObjectName(service, version);
      const series = bySeries.get(key) ?? { service, version, batches: [], mirror: [] };
      bySeries.set(key, series);
      return series;
    };
    for (const batch of batches) seriesOf(batch.service, batch.version).batches.push(batch);
    for (const batch of mirror) seriesOf(batch.service, batch.version).mirror.push(batch);
    await Promise.all([...bySeries].map(([name, series]) => this.#sendSeries(name, series)));
  }

  async #sendSeries(name: string, { service, version, batches, mirror }: Series): Promise<void> {
    this.#shardSeed ??= Math.random();
    // Mirrored comparisons are read from the first object only: a flush carrying them goes there.
    const shard = mirror.length ? 0 : shardOf(this.#shardSeed, this.#fanOut.get(name) ?? 1);
    const flush = {
      id: crypto.randomUUID(),
      batches,
      ...(mirror.length ? { mirror } : {}),
      ...(shard ? { shard } : {}),
    };
    const target = statsObjectName(service, version, shard);
    for (let attempt = 0; ; attempt++) {
      try {
        this.calls++;
        const stub = this.#stats.get(this.#stats.idFromName(target));
        const answer: FlushAnswer = await stub.record(flush);
        this.#fanOut.set(name, answer.shards ?? 1);
        this.#halts?.heard(service, version, answer.halt);
        return;
      } catch (error) {
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay === undefined) {
          const outcomes = batches.reduce((sum, batch) => sum + batch.requests, 0);
          this.droppedBatches += batches.length;
          this.droppedOutcomes += outcomes;
          console.error(
            `keystone: dropped ${outcomes} outcome(s) in ${batches.length} batch(es) for ${name} after ${attempt + 1} attempts: ${String(error)}`,
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
