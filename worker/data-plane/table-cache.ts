// The isolate's route table: loaded from KV once, then refreshed in the background, never on the
// request path while traffic keeps it warm; an isolate idle for over twice the interval refreshes
// before serving. A bad or missing value keeps the last good table serving, and a bad entry keeps
// that service's last good form: one service never takes the others down.
//
// KV holds one of two shapes (route-doc-format.ts). A registry of this release publishes a key
// per service under a head: the refresh reads the head, and the services are read host by host
// as requests need them (published-routes.ts). An older registry wrote one document of every
// service (`routes:v1`): read whole, as before, while no head exists.

import {
  hostShardKey,
  ROUTES_HEAD_KEY,
  ROUTES_KEY,
  requestShards,
} from "../../schemas/route-doc-format.ts";
import { assembleRouteTable } from "../core/compile.ts";
import type { BucketKey } from "../core/hash.ts";
import { loadRegexEngine, needsRegexEngine } from "../core/regex-engine.ts";
import type { CompiledService, RouteTable } from "../core/route-table.ts";
import { PublishedRoutes } from "./published-routes.ts";
import { decodeEnvelope, decodeHead, summarizeProblems } from "./route-decoder.ts";
import { readEntries } from "./route-entries.ts";
import { ServiceCompiler } from "./service-compiler.ts";

/** How soon a cold isolate that failed to load anything may try KV again. */
const COLD_RETRY_MS = 1_000;

/** Why no table is loaded: `problem` in full for the logs, `publicProblem` for the 503 body. */
export type TableState =
  | { table: RouteTable }
  | { table: undefined; problem: string; publicProblem: string };

export interface RouteTableCacheOptions {
  /** Reads one raw KV value (null when absent). */
  read: (key: string) => Promise<string | null>;
  refreshMs: number;
  log?: (message: string) => void;
  /** The visitor hash's key (BUCKET_SECRET); none: the unkeyed hash. */
  bucketKey?: BucketKey | undefined;
}

const UNREADABLE = "the route table could not be read";

export class RouteTableCache {
  readonly #options: RouteTableCacheOptions;
  readonly #compiler: ServiceCompiler;
  #table: RouteTable | undefined;
  /** `{ table }` for the table loaded last: one object per load, not per request. */
  #serving: { table: RouteTable } | undefined;
  /** Set while KV holds a publication per service; undefined while it holds one document. */
  #published: PublishedRoutes | undefined;
  #raw: string | undefined;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #problem = "the route table has not been read yet";
  #publicProblem = "the route table has not been read yet";
  #inflight: Promise<void> | undefined;
  /**
   * Host shards a cold isolate reads beside its head (their keys depend on the host alone), taken
   * by the first load of a publication per service: a cold request waits for two KV round trips
   * (head and shards, then its services), not one per key.
   */
  readonly #prefetched = new Map<string, Promise<string | null>>();
  /** KV reads made (heads, shards, services, documents), for the hot-path counters. */
  reads = 0;

  constructor(options: RouteTableCacheOptions) {
    this.#options = options;
    this.#compiler = new ServiceCompiler(options.bucketKey, options.log);
  }

  /** The sequence the loaded table holds a service at (-1: no table, or not in it). */
  sequenceOf(service: string): number {
    return this.#table?.services.get(service)?.sequence ?? -1;
  }

  /** The table loaded last, if any (no refresh, no wait). */
  get loaded(): RouteTable | undefined {
    return this.#table;
  }

  /** Entries skipped, over every load. */
  get rejectedEntries(): number {
    return this.#compiler.rejectedEntries;
  }

  /** Services whose latest entry was skipped. */
  get rejectedServices(): string[] {
    return this.#compiler.rejectedServices;
  }

  /**
   * The table to serve a request for `host` now when it needs no refresh and holds what the host
   * needs (the common case, answered without a promise); undefined when `current` must be asked.
   */
  fresh(now: number, host: string): TableState | undefined {
    if (now - this.#checkedAt >= this.#options.refreshMs) return undefined;
    return this.#published && !this.#published.resolved(host) ? undefined : this.#serving;
  }

  /** The table to serve `host` now; schedules a background refresh when the cached one is due. */
  async current(
    now: number,
    host: string,
    waitUntil: (work: Promise<unknown>) => void,
  ): Promise<TableState> {
    const age = now - this.#checkedAt;
    if (this.#table) {
      // Past twice the interval (an isolate that sat idle) the table may be far behind: wait for
      // the refresh rather than serve it. A busy isolate refreshes in the background and never waits.
      if (age >= 2 * this.#options.refreshMs) await this.refresh(now);
      else if (age >= this.#options.refreshMs && !this.#inflight) waitUntil(this.refresh(now));
    } else if (this.#inflight || age >= COLD_RETRY_MS) {
      if (!this.#published) this.#prefetch(host);
      await this.refresh(now);
    }
    if (!this.#serving)
      return { table: undefined, problem: this.#problem, publicProblem: this.#publicProblem };
    // The first request for a host reads what it needs: its shard and the services it names.
    const problem = await this.#published?.resolve(host, now);
    return problem ? { table: undefined, problem, publicProblem: UNREADABLE } : this.#serving;
  }

  /** Loads the KV value now; concurrent callers share one read. */
  refresh(now: number): Promise<void> {
    // The age resets when the read completes, not when it starts: requests arriving meanwhile see
    // the old age and join this refresh instead of being served the table it is replacing.
    this.#inflight ??= this.#load(now).finally(() => {
      this.#checkedAt = now;
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #get(key: string): Promise<string | null> {
    this.reads++;
    return this.#options.read(key);
  }

  /** Starts reading a host's shards, unless read or being read already. */
  #prefetch(host: string): void {
    for (const key of requestShards(host).map(hostShardKey)) {
      if (this.#prefetched.has(key)) continue;
      const read = this.#get(key);
      // Whoever takes it sees the failure; one never taken (an older registry's document) is not
      // an unhandled rejection.
      read.catch(() => {});
      this.#prefetched.set(key, read);
    }
  }

  /** A key's prefetched read, once, or a read now. */
  #take(key: string): Promise<string | null> {
    const read = this.#prefetched.get(key);
    if (!read) return this.#get(key);
    this.#prefetched.delete(key);
    return read;
  }

  async #load(now: number): Promise<void> {
    try {
      await this.#loadFromKv(now);
    } finally {
      // A load that started no publication per service (an older registry's document, a failed
      // read, a bad head) takes no shard read: a cold isolate reads them again when it next tries.
      if (!this.#published) this.#prefetched.clear();
    }
  }

  async #loadFromKv(now: number): Promise<void> {
    let raw: string | null;
    try {
      raw = await this.#get(ROUTES_HEAD_KEY);
      if (raw !== null) return this.#loadHead(raw, now);
      raw = await this.#get(ROUTES_KEY);
    } catch (error) {
      return this.#reject(`reading the route table from KV failed: ${String(error)}`, UNREADABLE);
    }
    if (raw === null) {
      const problem = "no route table has been published to KV yet";
      return this.#reject(problem, problem);
    }
    await this.#loadDocument(raw);
  }

  /** A publication per service: the head, and what it says changed among what is held. */
  async #loadHead(raw: string, now: number): Promise<void> {
    const json = this.#json(raw, "head");
    if (json === undefined) return;
    const parsed = decodeHead(json);
    if (!parsed.ok) {
      const problem = `the route table's head in KV does not match the schema: ${summarizeProblems(parsed.problems)}`;
      return this.#reject(problem, "the route table in KV is not valid");
    }
    const head = parsed.value;
    if (!this.#published) {
      // Cold, or KV moved from the whole document to a key per service: start from the head.
      this.#published = new PublishedRoutes(
        head,
        (key) => this.#take(key),
        this.#compiler,
        this.#options.log,
      );
      this.#install(this.#published.table);
      this.#raw = undefined;
    } else {
      await this.#published.advance(head, now);
      this.#problem = "";
    }
  }

  /** The whole document of an older registry: every service read and compiled at once. */
  async #loadDocument(raw: string): Promise<void> {
    if (raw === this.#raw) return;
    const json = this.#json(raw, "document");
    if (json === undefined) return;
    // RE2 only for a document with a pattern string search cannot answer (regex-engine.ts).
    if (needsRegexEngine(json)) await loadRegexEngine();
    const parsed = decodeEnvelope(json);
    if (!parsed.ok) {
      const problem = `the route table in KV does not match the schema: ${summarizeProblems(parsed.problems)}`;
      this.#reject(problem, "the route table in KV is not valid");
      return;
    }
    // KV caches are eventually consistent: a read may return an older value after a newer one,
    // and a head read as absent (a cache still holding the time before the upgrade) must not take
    // an isolate on the keys per service back to the older whole document (one generation
    // counter numbers both, so the document is always the older).
    const { generation } = parsed.value;
    if (this.#table && generation < this.#table.generation) return;
    const { accepted, rejected } = readEntries(parsed.value);
    const services: CompiledService[] = [];
    for (const entry of accepted) {
      const compiled = this.#compiler.compile(
        entry,
        this.#table?.services.get(entry.name),
        generation,
      );
      if (compiled) services.push(compiled);
      else rejected.push({ name: entry.name, problem: "" });
    }
    const kept = new Set<string>();
    for (const entry of rejected) {
      const held = this.#table?.services.get(entry.name);
      if (held && !kept.has(entry.name)) services.push(held);
      kept.add(entry.name);
      if (entry.problem) this.#compiler.reject(entry, held, generation);
    }
    const named = new Set([...accepted.map((e) => e.name), ...kept]);
    for (const name of this.#compiler.rejectedServices)
      if (!named.has(name)) this.#compiler.forget(name);
    this.#install(assembleRouteTable(services, generation));
    this.#published = undefined;
    this.#raw = raw;
  }

  #install(table: RouteTable): void {
    this.#table = table;
    this.#serving = { table };
    this.#problem = "";
  }

  /** The value parsed, or undefined after rejecting it. */
  #json(raw: string, what: "head" | "document"): unknown {
    try {
      return JSON.parse(raw);
    } catch (error) {
      const problem = `the route table${what === "head" ? "'s head" : ""} in KV is not valid JSON: ${String(error)}`;
      this.#reject(problem, "the route table in KV is not valid");
      return undefined;
    }
  }

  #reject(problem: string, publicProblem: string): void {
    const keeping = this.#table ? `; still serving generation ${this.#table.generation}` : "";
    if (problem !== this.#problem) this.#options.log?.(`keystone: ${problem}${keeping}`);
    this.#problem = problem;
    this.#publicProblem = publicProblem;
  }
}
