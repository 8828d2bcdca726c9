// The route table of an isolate reading a publication per service (route-doc-format.ts): the
// head says which generation is current, and the services are read lazily, host by host. The
// first request for a host reads its host index shards (its own and its site's) and the services
// they name for it, and compiles only those; a host no service claims is remembered as such once
// its shards are held, so random Host headers never cost a KV read each. A new head names the
// services and shards the recent publications changed: only those the isolate holds are re-read
// (all it holds when it fell behind further than the head reaches). KV is eventually consistent:
// a key older than the head says is kept and read again at the next refresh, and nothing held is
// replaced by anything older.
import {
  hostShardKey,
  type RoutesHead,
  requestShards,
  rootWildcardOf,
  serviceKey,
} from "../../schemas/route-doc-format.ts";
import { indexService, unindexService } from "../core/compile.ts";
import { loadRegexEngine, needsRegexEngine } from "../core/regex-engine.ts";
import type { RouteTable } from "../core/route-table.ts";
import {
  decodeHostShard,
  decodeRouteEntry,
  decodeServiceDoc,
  summarizeProblems,
} from "./route-decoder.ts";
import type { ServiceCompiler } from "./service-compiler.ts";

/** How soon a key whose read failed may be read again (requests meanwhile answer 503). */
const FAILED_READ_RETRY_MS = 1_000;

/** Hosts remembered as resolved (services loaded, or none): past this the memory starts over. */
const MAX_RESOLVED_HOSTS = 4_096;
/**
 * The characters of those hosts, bounded too: Host is the client's to write, and 4,096 of 16 KB
 * would hold 64 MB of an isolate's 128.
 */
const MAX_RESOLVED_CHARACTERS = 1_048_576;

/** A host index shard as held: pattern → services, and the publication that wrote it. */
interface HeldShard {
  generation: number;
  hosts: Map<string, string[]>;
}

/** Reads one KV key (null: absent); counted by the cache. */
export type KeyReader = (key: string) => Promise<string | null>;

/** Why a key could not be read, and when: retried after FAILED_READ_RETRY_MS. */
interface FailedRead {
  at: number;
  problem: string;
}

export class PublishedRoutes {
  /** The table requests are decided on: services loaded so far, updated in place. */
  readonly table: RouteTable;
  #head: RoutesHead;
  readonly #read: KeyReader;
  readonly #compiler: ServiceCompiler;
  readonly #log: ((message: string) => void) | undefined;
  readonly #shards = new Map<number, HeldShard>();
  /** At least the length of the longest wildcard pattern ("*.shop.example.com") a shard held. */
  #longestWildcard = 0;
  /** Every service read: the generation of the key held (-1: absent when read). */
  readonly #services = new Map<string, number>();
  /** Hosts whose candidates are all loaded: served with no lookup in the index. */
  readonly #resolved = new Set<string>();
  #resolvedCharacters = 0;
  /** Keys read older than the head says they are (or not read since it said so): key → generation. */
  readonly #pending = new Map<string, number>();
  readonly #inflight = new Map<string, Promise<void>>();
  readonly #failed = new Map<string, FailedRead>();

  constructor(
    head: RoutesHead,
    read: KeyReader,
    compiler: ServiceCompiler,
    log: ((message: string) => void) | undefined,
  ) {
    this.#head = head;
    this.#read = read;
    this.#compiler = compiler;
    this.#log = log;
    this.table = {
      generation: head.generation,
      services: new Map(),
      exactHosts: new Map(),
      wildcardHosts: new Map(),
      longestWildcard: 0,
    };
  }

  get generation(): number {
    return this.#head.generation;
  }

  /** Whether a request for this host can be decided now, with nothing to read. */
  resolved(host: string): boolean {
    return this.#resolved.has(host);
  }

  /**
   * Loads what a host needs: its shard, then every service its exact and wildcard patterns name.
   * Returns why it could not (a read failed), or undefined when the table can decide for it.
   */
  async resolve(host: string, now: number): Promise<string | undefined> {
    if (this.#resolved.has(host)) return undefined;
    const shards = requestShards(host);
    // The host's own shard and its site's are read together: a host's first request waits for
    // one KV round trip before its services', not two (a cold isolate's were started beside the
    // head: table-cache.ts).
    const unread = shards.filter((shard) => !this.#shards.has(shard));
    const shardProblems = await Promise.all(
      unread.map((shard) => this.#ensure(hostShardKey(shard), now)),
    );
    const shardProblem = shardProblems.find((p) => p !== undefined);
    if (shardProblem) return shardProblem;
    // Services read before (even absent or refused) are not read again here: only a refresh does.
    const names = this.#candidates(host, shards).filter((name) => !this.#services.has(name));
    const problems = await Promise.all(names.map((name) => this.#ensure(serviceKey(name), now)));
    const failed = problems.find((p) => p !== undefined);
    if (failed) return failed;
    if (
      this.#resolved.size >= MAX_RESOLVED_HOSTS ||
      this.#resolvedCharacters + host.length > MAX_RESOLVED_CHARACTERS
    )
      this.#forgetResolved();
    this.#resolved.add(host);
    this.#resolvedCharacters += host.length;
    return undefined;
  }

  /** Every host is looked up again on its next request. */
  #forgetResolved(): void {
    this.#resolved.clear();
    this.#resolvedCharacters = 0;
  }

  /** Characters of the hosts remembered as resolved (bounded: MAX_RESOLVED_CHARACTERS). */
  get resolvedCharacters(): number {
    return this.#resolvedCharacters;
  }

  /**
   * A head read at a refresh: what it says changed since the generation held is read again, then
   * every key still behind. An older head (a KV cache behind another) changes nothing.
   */
  async advance(head: RoutesHead, now: number): Promise<void> {
    const held = this.#head.generation;
    if (head.generation < held) return;
    let moved = false;
    if (head.generation > held) {
      // Further behind than the head's list reaches: everything held may have changed.
      const behind = held < head.recentSince;
      const since = head.recent.filter((p) => p.generation > held);
      if (behind) {
        for (const name of this.#services.keys()) this.#owe(serviceKey(name), 0);
        for (const shard of this.#shards.keys()) this.#owe(hostShardKey(shard), 0);
      }
      for (const publication of since) {
        for (const name of publication.services)
          if (this.#services.has(name)) this.#owe(serviceKey(name), publication.generation);
        for (const shard of publication.shards)
          if (this.#shards.has(shard)) this.#owe(hostShardKey(shard), publication.generation);
      }
      moved = behind || since.some((p) => p.shards.length > 0);
      this.#head = head;
      this.table.generation = head.generation;
    }
    const rereads = [...this.#pending.keys()];
    await Promise.all(
      rereads.map((key) => {
        this.#failed.delete(key);
        return this.#ensure(key, now);
      }),
    );
    // A host may now be claimed by a service not loaded yet, or a root wildcard moved: hosts
    // resolve again (from memory, with the shards just read) on their next request.
    if (moved || rereads.some((key) => splitKey(key)[0] === "shard")) this.#forgetResolved();
  }

  /** A key the head says changed: read again (below generation 0, anything newer than held). */
  #owe(key: string, generation: number): void {
    this.#pending.set(key, Math.max(generation, this.#pending.get(key) ?? 0));
  }

  /** The services a host's exact and wildcard patterns name, from its shards and the head. */
  #candidates(host: string, shards: number[]): string[] {
    const names = new Set<string>();
    for (const shard of shards) {
      const hosts = this.#shards.get(shard)?.hosts;
      for (const name of hosts?.get(host) ?? []) names.add(name);
      // Only suffixes as short as the longest wildcard held: not a look-up per label of a host
      // of thousands (each hashing the rest of the host, quadratic in its length).
      const from = Math.max(0, host.length - (this.#longestWildcard - 1));
      for (let dot = host.indexOf(".", from); dot >= 0; dot = host.indexOf(".", dot + 1))
        for (const name of hosts?.get(`*${host.slice(dot)}`) ?? []) names.add(name);
    }
    const root = rootWildcardOf(host);
    for (const name of (root && this.#head.rootHosts[root]) || []) names.add(name);
    return [...names];
  }

  /**
   * Reads a key, once at a time; a key whose read failed less than a second ago is not read again
   * yet (its problem is the answer, so a KV outage costs a read a second, not one a request).
   */
  #ensure(key: string, now: number): Promise<string | undefined> {
    const failed = this.#failed.get(key);
    if (failed && now - failed.at < FAILED_READ_RETRY_MS) return Promise.resolve(failed.problem);
    let inflight = this.#inflight.get(key);
    if (!inflight) {
      const [kind, id] = splitKey(key);
      inflight = (kind === "shard" ? this.#loadShard(Number(id)) : this.#loadService(id))
        .then(() => void this.#failed.delete(key))
        .catch((error: unknown) => {
          const problem = `reading ${key} from KV failed: ${String(error)}`;
          if (this.#failed.get(key)?.problem !== problem) this.#log?.(`keystone: ${problem}`);
          this.#failed.set(key, { at: now, problem });
        })
        .finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, inflight);
    }
    return inflight.then(() => this.#failed.get(key)?.problem);
  }

  /** The last generation the head's list says wrote a key (0: none it lists). */
  #written(kind: "shard" | "service", id: string | number): number {
    let generation = 0;
    for (const publication of this.#head.recent)
      if (
        kind === "shard"
          ? publication.shards.includes(id as number)
          : publication.services.includes(id as string)
      )
        generation = Math.max(generation, publication.generation);
    return generation;
  }

  /** Reads one host index shard; absent: no host of it is claimed. */
  async #loadShard(shard: number): Promise<void> {
    const key = hostShardKey(shard);
    const raw = await this.#read(key);
    const doc = raw === null ? { generation: 0, hosts: {} } : parsed(raw, decodeHostShard);
    if (typeof doc === "string") {
      // A shard that cannot be read as one keeps the hosts held from it (none on a cold isolate).
      this.#log?.(`keystone: host index shard ${shard} skipped: ${doc}`);
      if (!this.#shards.has(shard)) this.#shards.set(shard, { generation: 0, hosts: new Map() });
      return this.#settle(key, Number.POSITIVE_INFINITY, 0);
    }
    const held = this.#shards.get(shard);
    if (!held || held.generation <= doc.generation) {
      const hosts = new Map(Object.entries(doc.hosts));
      for (const pattern of hosts.keys())
        if (pattern.startsWith("*."))
          this.#longestWildcard = Math.max(this.#longestWildcard, pattern.length);
      this.#shards.set(shard, { generation: doc.generation, hosts });
    }
    const generation = Math.max(doc.generation, held?.generation ?? 0);
    this.#settle(key, generation, this.#written("shard", shard));
  }

  /** Reads one service's key and compiles its entry; a bad one keeps the service's last good form. */
  async #loadService(name: string): Promise<void> {
    const key = serviceKey(name);
    const raw = await this.#read(key);
    const doc = raw === null ? null : parsed(raw, decodeServiceDoc);
    // RE2 only for an entry with a pattern string search cannot answer (regex-engine.ts), awaited
    // before this load looks at what the table holds, so nothing below is read stale.
    if (doc !== null && typeof doc !== "string" && needsRegexEngine(doc.entry))
      await loadRegexEngine();
    const kept = this.table.services.get(name);
    const written = this.#written("service", name);
    if (doc === null) {
      // Deleted; or written by a publication the head lists and not visible at this colo yet:
      // then read again at the next refresh.
      if (kept) unindexService(this.table, kept);
      this.#compiler.forget(name);
      this.#services.set(name, -1);
      return this.#settle(key, kept || written === 0 ? Number.POSITIVE_INFINITY : -1, written);
    }
    const held = this.#services.get(name) ?? -1;
    if (typeof doc === "string") {
      this.#compiler.reject({ name, problem: doc }, kept, this.#head.generation);
      this.#services.set(name, held);
      return this.#settle(key, Number.POSITIVE_INFINITY, 0);
    }
    if (doc.generation < held) return this.#settle(key, held, written);
    this.#services.set(name, doc.generation);
    const decoded = decodeRouteEntry(doc.entry);
    const problem = !decoded.ok
      ? summarizeProblems(decoded.problems)
      : decoded.value.name !== name || decoded.value.config.name !== name
        ? `holds the config of "${decoded.value.config.name}"`
        : undefined;
    const compiled =
      decoded.ok && problem === undefined
        ? this.#compiler.compile(decoded.value, kept, doc.generation)
        : this.#compiler.reject({ name, problem: problem! }, kept, doc.generation);
    if (compiled) {
      if (kept) unindexService(this.table, kept);
      indexService(this.table, compiled);
    }
    this.#settle(key, doc.generation, written);
  }

  /**
   * A key read as written at `generation`: still owed (read again at the next refresh) while the
   * head said it was written later than that (`written`, or what a refresh owed it).
   */
  #settle(key: string, generation: number, written: number): void {
    const owed = Math.max(written, this.#pending.get(key) ?? 0);
    if (generation >= owed) this.#pending.delete(key);
    else this.#pending.set(key, owed);
  }
}

/** "routes:v2:hosts:7" → ["shard", "7"]; "routes:v2:service:shop" → ["service", "shop"]. */
function splitKey(key: string): ["shard" | "service", string] {
  const at = key.lastIndexOf(":");
  return [key.startsWith(hostShardKey(0).slice(0, -1)) ? "shard" : "service", key.slice(at + 1)];
}

/** A key's JSON decoded, or why not. */
function parsed<T>(
  raw: string,
  decode: (
    value: unknown,
  ) => { ok: true; value: T } | { ok: false; problems: { at: string; message: string }[] },
): T | string {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    return `not valid JSON: ${String(error)}`;
  }
  const decoded = decode(json);
  return decoded.ok ? decoded.value : summarizeProblems(decoded.problems);
}
