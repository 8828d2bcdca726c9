// Mirrored comparisons aggregated in isolate memory per (service, mirrored version, second),
// handed out in batches with the outcome flushes: never a Durable Object call per request.
// Bounded: series, paths per batch (the rest under "(other)") and sample diffs per flush.
import type { MirrorBatch, MirrorDifference } from "../../../schemas/mirror.ts";
import {
  MAX_MIRROR_PATHS,
  MAX_MIRROR_SAMPLES,
  OTHER_PATHS,
} from "../../../schemas/mirror-limits.ts";
import { STATS_BUCKET_MS } from "../metrics/outcome-recorder.ts";
import { pathKey } from "./path-key.ts";

const MAX_SERIES = 500;

/** One mirrored request's end: compared (with its differences) or not answered by the mirror. */
export interface MirrorOutcome {
  service: string;
  /** The mirrored version. */
  version: string;
  at: number;
  method: string;
  pathname: string;
  primaryVersion: string;
  primaryStatus: number;
  /** Null when the mirrored origin gave no answer (refused, reset, timed out). */
  mirrorStatus: number | null;
  differences: MirrorDifference[];
}

export class MirrorRecorder {
  readonly #series = new Map<string, MirrorBatch>();
  readonly #samplesKept = new Map<string, number>();
  #held = 0;
  #oldest = Number.POSITIVE_INFINITY;
  /** Outcomes dropped because the series bound was hit. */
  dropped = 0;

  record(outcome: MirrorOutcome): void {
    const bucketStart = outcome.at - (outcome.at % STATS_BUCKET_MS);
    const key = `${outcome.service}\u0000${outcome.version}\u0000${bucketStart}`;
    let batch = this.#series.get(key);
    if (!batch) {
      if (this.#series.size >= MAX_SERIES) {
        this.dropped++;
        return;
      }
      batch = {
        service: outcome.service,
        version: outcome.version,
        bucketStart,
        compared: 0,
        mismatched: 0,
        failed: 0,
        paths: [],
        samples: [],
      };
      this.#series.set(key, batch);
    }
    this.#held++;
    this.#oldest = Math.min(this.#oldest, outcome.at);
    if (outcome.mirrorStatus === null) {
      batch.failed++;
      return;
    }
    const differs = outcome.differences.length > 0;
    batch.compared++;
    if (differs) batch.mismatched++;
    const path = pathKey(outcome.pathname);
    const counted =
      batch.paths.find((p) => p.path === path) ??
      (batch.paths.length < MAX_MIRROR_PATHS ? undefined : this.#other(batch));
    const row = counted ?? { path, compared: 0, mismatched: 0 };
    if (!counted) batch.paths.push(row);
    row.compared++;
    if (differs) row.mismatched++;
    if (differs) this.#sample(batch, outcome, path);
  }

  #other(batch: MirrorBatch) {
    const other = batch.paths.find((p) => p.path === OTHER_PATHS);
    if (other) return other;
    const row = { path: OTHER_PATHS, compared: 0, mismatched: 0 };
    batch.paths.push(row);
    return row;
  }

  /** The first few diffs of each version per flush are kept; the path as counted (ids as :id). */
  #sample(batch: MirrorBatch, outcome: MirrorOutcome, path: string): void {
    const series = `${outcome.service}\u0000${outcome.version}`;
    const kept = this.#samplesKept.get(series) ?? 0;
    if (kept >= MAX_MIRROR_SAMPLES) return;
    this.#samplesKept.set(series, kept + 1);
    batch.samples.push({
      at: outcome.at,
      method: outcome.method.slice(0, 20),
      path,
      primaryVersion: outcome.primaryVersion,
      primaryStatus: outcome.primaryStatus,
      mirrorStatus: outcome.mirrorStatus ?? 0,
      differences: outcome.differences,
    });
  }

  get holding(): boolean {
    return this.#held > 0;
  }

  /** Whether held comparisons are due: as many, or as old, as the outcome flush policy allows. */
  due(now: number, policy: { maxRequests: number; maxAgeMs: number }): boolean {
    return (
      this.#held >= policy.maxRequests || (this.#held > 0 && now - this.#oldest >= policy.maxAgeMs)
    );
  }

  drain(): MirrorBatch[] {
    const batches = [...this.#series.values()];
    this.#series.clear();
    this.#samplesKept.clear();
    this.#held = 0;
    this.#oldest = Number.POSITIVE_INFINITY;
    return batches;
  }
}
