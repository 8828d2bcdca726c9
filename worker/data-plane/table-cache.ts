// The isolate's route table: loaded from KV once, then refreshed in the background, never on the
// request path while traffic keeps it warm; an isolate idle for over twice the interval refreshes
// before serving. A bad or missing value keeps the last good table serving, and a bad entry in a
// good document keeps that service's last good form: one service never takes the others down.

import { assembleRouteTable, compileService } from "../core/compile.ts";
import type { BucketKey } from "../core/hash.ts";
import { loadRegexEngine, needsRegexEngine } from "../core/regex-engine.ts";
import type { CompiledService, RouteTable } from "../core/route-table.ts";
import { decodeEnvelope, summarizeProblems } from "./route-decoder.ts";
import { type RejectedEntry, readEntries } from "./route-entries.ts";

/** How soon a cold isolate that failed to load anything may try KV again. */
const COLD_RETRY_MS = 1_000;

/** Why no table is loaded: `problem` in full for the logs, `publicProblem` for the 503 body. */
export type TableState =
  | { table: RouteTable }
  | { table: undefined; problem: string; publicProblem: string };

export interface RouteTableCacheOptions {
  /** Reads the raw KV value (null when absent). */
  read: () => Promise<string | null>;
  refreshMs: number;
  log?: (message: string) => void;
  /** The visitor hash's key (BUCKET_SECRET); none: the unkeyed hash. */
  bucketKey?: BucketKey | undefined;
}

export class RouteTableCache {
  readonly #options: RouteTableCacheOptions;
  #table: RouteTable | undefined;
  /** `{ table }` for the table loaded last: one object per load, not per request. */
  #serving: { table: RouteTable } | undefined;
  #raw: string | undefined;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #problem = "the route table has not been read yet";
  #publicProblem = "the route table has not been read yet";
  #inflight: Promise<void> | undefined;
  /** Entry problems already logged, by service: each is logged once, not at every load. */
  readonly #rejected = new Map<string, string>();
  /** KV reads made, for the hot-path counters. */
  reads = 0;
  /** Entries skipped, over every load. */
  rejectedEntries = 0;

  constructor(options: RouteTableCacheOptions) {
    this.#options = options;
  }

  /** The table loaded last, if any (no refresh, no wait). */
  get loaded(): RouteTable | undefined {
    return this.#table;
  }

  /** Services whose latest entry was skipped. */
  get rejectedServices(): string[] {
    return [...this.#rejected.keys()];
  }

  /**
   * The table to serve now when it needs no refresh (the common case, answered without a promise);
   * undefined when `current` must be asked.
   */
  fresh(now: number): TableState | undefined {
    return now - this.#checkedAt < this.#options.refreshMs ? this.#serving : undefined;
  }

  /** The table to serve now; schedules a background refresh when the cached one is due. */
  async current(now: number, waitUntil: (work: Promise<unknown>) => void): Promise<TableState> {
    const age = now - this.#checkedAt;
    if (this.#table) {
      // Past twice the interval (an isolate that sat idle) the table may be far behind: wait for
      // the refresh rather than serve it. A busy isolate refreshes in the background and never waits.
      if (age >= 2 * this.#options.refreshMs) await this.refresh(now);
      else if (age >= this.#options.refreshMs && !this.#inflight) waitUntil(this.refresh(now));
      return this.#serving!;
    }
    if (this.#inflight || now - this.#checkedAt >= COLD_RETRY_MS) await this.refresh(now);
    return (
      this.#serving ?? {
        table: undefined,
        problem: this.#problem,
        publicProblem: this.#publicProblem,
      }
    );
  }

  /** Loads the KV value now; concurrent callers share one read. */
  refresh(now: number): Promise<void> {
    // The age resets when the read completes, not when it starts: requests arriving meanwhile see
    // the old age and join this refresh instead of being served the table it is replacing.
    this.#inflight ??= this.#load().finally(() => {
      this.#checkedAt = now;
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #load(): Promise<void> {
    this.reads++;
    let raw: string | null;
    try {
      raw = await this.#options.read();
    } catch (error) {
      const problem = `reading the route table from KV failed: ${String(error)}`;
      return this.#reject(problem, "the route table could not be read");
    }
    if (raw === null) {
      const problem = "no route table has been published to KV yet";
      return this.#reject(problem, problem);
    }
    if (raw === this.#raw) return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      const problem = `the route table in KV is not valid JSON: ${String(error)}`;
      return this.#reject(problem, "the route table in KV is not valid");
    }
    // RE2 only for a document with a pattern string search cannot answer (regex-engine.ts).
    if (needsRegexEngine(json)) await loadRegexEngine();
    const parsed = decodeEnvelope(json);
    if (!parsed.ok) {
      const problem = `the route table in KV does not match the schema: ${summarizeProblems(parsed.problems)}`;
      return this.#reject(problem, "the route table in KV is not valid");
    }
    // KV caches are eventually consistent: a read may return an older value after a newer one.
    if (this.#table && parsed.value.generation < this.#table.generation) return;
    const { accepted, rejected } = readEntries(parsed.value);
    const services: CompiledService[] = [];
    for (const entry of accepted) {
      try {
        services.push(
          compileService(entry.config, entry.sequence, entry.live, this.#options.bucketKey),
        );
      } catch (error) {
        rejected.push({ name: entry.name, problem: `does not compile: ${String(error)}` });
      }
    }
    for (const entry of rejected) {
      const kept = this.#table?.services.get(entry.name);
      if (kept) services.push(kept);
      this.#noteRejected(entry, kept, parsed.value.generation);
    }
    this.rejectedEntries += rejected.length;
    for (const name of this.#rejected.keys())
      if (!rejected.some((entry) => entry.name === name)) this.#rejected.delete(name);
    this.#table = assembleRouteTable(services, parsed.value.generation);
    this.#serving = { table: this.#table };
    this.#raw = raw;
    this.#problem = "";
  }

  #noteRejected(entry: RejectedEntry, kept: CompiledService | undefined, generation: number) {
    if (this.#rejected.get(entry.name) === entry.problem) return;
    this.#rejected.set(entry.name, entry.problem);
    const serving = kept
      ? `still serving its entry of sequence ${kept.sequence}`
      : "not served until a good entry arrives";
    this.#options.log?.(
      `keystone: route entry "${entry.name}" of generation ${generation} skipped: ${entry.problem}; ${serving}`,
    );
  }

  #reject(problem: string, publicProblem: string): void {
    const keeping = this.#table ? `; still serving generation ${this.#table.generation}` : "";
    if (problem !== this.#problem) this.#options.log?.(`keystone: ${problem}${keeping}`);
    this.#problem = problem;
    this.#publicProblem = publicProblem;
  }
}
