// The isolate's route table: loaded from KV once, then refreshed in the background, never on the
// request path while traffic keeps it warm; an isolate idle for over twice the interval refreshes
// before serving. A bad or missing value keeps the last good table serving.

import { formatProblems, problemsOf } from "../../schemas/problems.ts";
import { RouteEntry, RoutesDocEnvelope } from "../../schemas/routes-doc.ts";
import { Service } from "../../schemas/service.ts";
import { compileRouteTable } from "../core/compile.ts";
import type { RouteTable } from "../core/route-table.ts";

/** How soon a cold isolate that failed to load anything may try KV again. */
const COLD_RETRY_MS = 1_000;

export type TableState = { table: RouteTable } | { table: undefined; problem: string };

export interface RouteTableCacheOptions {
  /** Reads the raw KV value (null when absent). */
  read: () => Promise<string | null>;
  refreshMs: number;
  log?: (message: string) => void;
}

export class RouteTableCache {
  readonly #options: RouteTableCacheOptions;
  #table: RouteTable | undefined;
  #raw: string | undefined;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #problem = "the route table has not been read yet";
  #inflight: Promise<void> | undefined;
  /** KV reads made, for the hot-path counters. */
  reads = 0;

  constructor(options: RouteTableCacheOptions) {
    this.#options = options;
  }

  /** The table to serve now; schedules a background refresh when the cached one is due. */
  async current(now: number, waitUntil: (work: Promise<unknown>) => void): Promise<TableState> {
    const age = now - this.#checkedAt;
    if (this.#table) {
      // Past twice the interval (an isolate that sat idle) the table may be far behind: wait for
      // the refresh rather than serve it. A busy isolate refreshes in the background and never waits.
      if (age >= 2 * this.#options.refreshMs) await this.refresh(now);
      else if (age >= this.#options.refreshMs && !this.#inflight) waitUntil(this.refresh(now));
      return { table: this.#table };
    }
    if (this.#inflight || now - this.#checkedAt >= COLD_RETRY_MS) await this.refresh(now);
    return this.#table ? { table: this.#table } : { table: undefined, problem: this.#problem };
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
      return this.#reject(`reading the route table from KV failed: ${String(error)}`);
    }
    if (raw === null) return this.#reject("no route table has been published to KV yet");
    if (raw === this.#raw) return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      return this.#reject(`the route table in KV is not valid JSON: ${String(error)}`);
    }
    const parsed = RoutesDocEnvelope.safeParse(json);
    if (!parsed.success) return this.#rejectSchema(parsed.error);
    // Format 1 (an older registry) held bare service configs; format 2 wraps each in an entry.
    const entries = parsed.data.services.map((entry) =>
      parsed.data.format === 1
        ? Service.safeParse(entry)
        : RouteEntry.transform((e) => e.config).safeParse(entry),
    );
    const failed = entries.find((entry) => !entry.success);
    if (failed && !failed.success) return this.#rejectSchema(failed.error);
    // KV caches are eventually consistent: a read may return an older value after a newer one.
    if (this.#table && parsed.data.generation < this.#table.generation) return;
    this.#table = compileRouteTable(
      entries.flatMap((entry) => (entry.success ? [entry.data] : [])),
      parsed.data.generation,
    );
    this.#raw = raw;
    this.#problem = "";
  }

  #rejectSchema(error: import("zod").ZodError): void {
    const detail = formatProblems(problemsOf(error)).split("\n").slice(0, 5).join("; ");
    this.#reject(`the route table in KV does not match the schema: ${detail}`);
  }

  #reject(problem: string): void {
    const keeping = this.#table ? `; still serving generation ${this.#table.generation}` : "";
    if (problem !== this.#problem) this.#options.log?.(`keystone: ${problem}${keeping}`);
    this.#problem = problem;
  }
}
