// Sends the recorder's batches to the stats Durable Objects, one call per (service, version),
// off the response path (waitUntil). Each call carries an id that its retries reuse, so the
// stats object counts a retried flush once; a call that still fails is dropped and counted:
// metrics must never hold up routing, and nothing is lost without a number saying so.
import type { FlushAnswer, HaltSignal, OutcomeBatch } from "../../schemas/stats.ts";
import { statsObjectName } from "../control-plane/stubs.ts";
import type { Env } from "../env.ts";

const RETRY_DELAYS_MS = [100, 500];

/** What a stats object said about its version's halt (null: none). */
export type HaltListener = (service: string, version: string, halt: HaltSignal | null) => void;

export class OutcomeFlusher {
  readonly #stats: Env["STATS"];
  readonly #onAnswer: HaltListener;
  /** DO calls made (for the hot-path counters), batches and outcomes given up on. */
  calls = 0;
  droppedBatches = 0;
  droppedOutcomes = 0;

  constructor(stats: Env["STATS"], onAnswer: HaltListener = () => {}) {
    this.#stats = stats;
    this.#onAnswer = onAnswer;
  }

  async send(batches: OutcomeBatch[]): Promise<void> {
    const bySeries = new Map<string, OutcomeBatch[]>();
    for (const batch of batches) {
      const key = statsObjectName(batch.service, batch.version);
      const series = bySeries.get(key);
      if (series) series.push(batch);
      else bySeries.set(key, [batch]);
    }
    await Promise.all([...bySeries].map(([name, series]) => this.#sendSeries(name, series)));
  }

  async #sendSeries(name: string, batches: OutcomeBatch[]): Promise<void> {
    const flush = { id: crypto.randomUUID(), batches };
    for (let attempt = 0; ; attempt++) {
      try {
        this.calls++;
        const stub = this.#stats.get(this.#stats.idFromName(name));
        const answer: FlushAnswer = await stub.record(flush);
        this.#onAnswer(batches[0]!.service, batches[0]!.version, answer.halt);
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
