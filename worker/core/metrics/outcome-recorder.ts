// Outcomes of proxied requests, aggregated in isolate memory and handed out in batches, so the
// hot path never calls a Durable Object per request. Bounded: at most MAX_SERIES series.
// Each outcome keeps the route that chose its version, so analysis can leave forced traffic out.
import type { OutcomeBatch } from "../../../schemas/stats.ts";
import { addLatency } from "./histogram.ts";

/** Stats time buckets are this long (1 s, so a step window starts within a second); a batch never spans two. */
export const STATS_BUCKET_MS = 1_000;
const MAX_SERIES = 2_000;

export interface FlushPolicy {
  /** Flush when this many requests are held… */
  maxRequests: number;
  /** …or when the oldest held outcome is this old. */
  maxAgeMs: number;
}

export class OutcomeRecorder {
  readonly #series = new Map<string, OutcomeBatch>();
  readonly #policy: FlushPolicy;
  #held = 0;
  #oldest = Number.POSITIVE_INFINITY;
  /** Outcomes dropped because the series bound was hit. */
  droppedOutcomes = 0;

  constructor(policy: FlushPolicy) {
    this.#policy = policy;
  }

  record(
    service: string,
    version: string,
    route: string,
    now: number,
    latencyMs: number,
    isError: boolean,
    answered: boolean,
  ): void {
    const bucketStart = now - (now % STATS_BUCKET_MS);
    const key = `${service}\u0000${version}\u0000${route}\u0000${bucketStart}`;
    let batch = this.#series.get(key);
    if (!batch) {
      if (this.#series.size >= MAX_SERIES) {
        this.droppedOutcomes++;
        return;
      }
      batch = {
        service,
        version,
        route,
        bucketStart,
        requests: 0,
        errors: 0,
        noAnswer: 0,
        histogram: {},
      };
      this.#series.set(key, batch);
    }
    batch.requests++;
    if (isError || !answered) batch.errors++;
    if (!answered) batch.noAnswer++;
    addLatency(batch.histogram, latencyMs);
    this.#held++;
    this.#oldest = Math.min(this.#oldest, now);
  }

  /** Whether any outcome is held. */
  get holding(): boolean {
    return this.#held > 0;
  }

  shouldFlush(now: number): boolean {
    return (
      this.#held >= this.#policy.maxRequests ||
      (this.#held > 0 && now - this.#oldest >= this.#policy.maxAgeMs)
    );
  }

  /** Everything held, emptied out of the recorder. */
  drain(): OutcomeBatch[] {
    const batches = [...this.#series.values()];
    this.#series.clear();
    this.#held = 0;
    this.#oldest = Number.POSITIVE_INFINITY;
    return batches;
  }
}
