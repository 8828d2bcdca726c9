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

/** A map's child map under `key`, made on first use. */
function level<K, V>(map: Map<K, Map<string, V>>, key: K): Map<string, V> {
  let child = map.get(key);
  if (!child) {
    child = new Map();
    map.set(key, child);
  }
  return child;
}

type Series = Map<number, Map<string, Map<string, Map<string, OutcomeBatch>>>>;

export class OutcomeRecorder {
  /**
   * Bucket start → service → version → route → batch: found with the strings the route table
   * already holds, no key string built per outcome.
   */
  #series: Series = new Map();
  #batches: OutcomeBatch[] = [];
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
    const batch = this.#batchOf(service, version, route, now);
    if (!batch) return;
    batch.requests++;
    if (isError || !answered) batch.errors++;
    if (!answered) batch.noAnswer++;
    addLatency(batch.histogram, latencyMs);
  }

  /**
   * A request the client left unfinished (its body stalled or abandoned): counted apart, never in
   * the version's requests, errors or latency, so such requests can neither fail nor dilute it.
   */
  recordClientFault(service: string, version: string, route: string, now: number): void {
    const batch = this.#batchOf(service, version, route, now);
    if (batch) batch.clientFaults++;
  }

  #batchOf(service: string, version: string, route: string, now: number): OutcomeBatch | undefined {
    const bucketStart = now - (now % STATS_BUCKET_MS);
    const routes = level(level(level(this.#series, bucketStart), service), version);
    let batch = routes.get(route);
    if (!batch) {
      if (this.#batches.length >= MAX_SERIES) {
        this.droppedOutcomes++;
        return undefined;
      }
      batch = {
        service,
        version,
        route,
        bucketStart,
        requests: 0,
        errors: 0,
        noAnswer: 0,
        clientFaults: 0,
        histogram: {},
      };
      routes.set(route, batch);
      this.#batches.push(batch);
    }
    this.#held++;
    this.#oldest = Math.min(this.#oldest, now);
    return batch;
  }

  /** Whether any outcome is held. */
  get holding(): boolean {
    return this.#held > 0;
  }

  shouldFlush(now: number): boolean {
    return (
      this.#held >= this.#policy.maxRequests ||
      // Full series: flush now rather than drop every further series' outcomes until the deadline.
      this.#batches.length >= MAX_SERIES ||
      (this.#held > 0 && now - this.#oldest >= this.#policy.maxAgeMs)
    );
  }

  /** Everything held, emptied out of the recorder. */
  drain(): OutcomeBatch[] {
    const batches = this.#batches;
    this.#batches = [];
    this.#series = new Map();
    this.#held = 0;
    this.#oldest = Number.POSITIVE_INFINITY;
    return batches;
  }
}
