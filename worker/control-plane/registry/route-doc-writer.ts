// Writes the registry's publications to KV, one key per service (route-doc-format.ts): a change
// writes the keys of the services it changed, the host index shards whose hosts moved, and the
// head, which names what the last publications changed so isolates re-read only that. KV takes
// one write per second per key, and the head is written by every publication: writes are
// coalesced (the latest state always written, at most once a second), only one is in flight, and
// a failed write is retried from the alarm with what it did not write.
import {
  hostShardKey,
  type RecentPublication,
  ROOT_SHARD,
  ROUTES_HEAD_KEY,
  ROUTES_KEY,
  type RoutesHead,
  type ServiceDoc,
  serviceKey,
} from "../../../schemas/route-doc-format.ts";
import type { RouteEntry } from "../../../schemas/routes-doc.ts";
import type { Env } from "../../env.ts";
import { hostsClaimedBy, type RegistryStore, type StoredEntry } from "./registry-store.ts";

const MIN_WRITE_INTERVAL_MS = 1_000;
const RETRY_MS = 2_000;

/**
 * KV takes at most 1,000 operations per invocation (its published limits): a publication writes at
 * most this many service keys, besides at most 64 shards and the head; the services left wait for
 * the next write, a second later. The upgrade's first publication, every service at once, is
 * spread the same way.
 */
export const MAX_SERVICES_PER_WRITE = 400;

/**
 * How long the whole document of the release before stays in KV after the upgrade: Workers still
 * on that release read only it while a deploy rolls out (a cold one would answer 503 without it).
 * It is deleted by the first publication after this.
 */
const OLD_DOCUMENT_GRACE_MS = 24 * 3_600_000;

/**
 * How far the head's `recent` reaches: at most this many publications and, past the newest, this
 * many service names in all. It keeps the head (written by every change) a few hundred bytes; an
 * isolate further behind re-reads what it holds.
 */
const RECENT_PUBLICATIONS = 16;
const RECENT_NAMES = 48;

/** What one publication writes: built synchronously from the rows, then put. */
interface Publication {
  generation: number;
  /** Service keys to write (a doc) or delete (null). */
  services: Map<string, ServiceDoc | null>;
  /** Shard keys to write (a doc) or delete (an empty shard: null); ROOT_SHARD goes in the head. */
  shards: Map<number, Record<string, string[]> | null>;
  /** None while the upgrade is still writing its keys: isolates read the whole document until then. */
  head: RoutesHead | undefined;
  /** The last of the upgrade's publications: every key is written, the head goes with it. */
  full: boolean;
  /** The release before's whole document is past its grace: deleted with this publication. */
  deleteOldDocument: boolean;
}

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
   * A service as its last publication has it. A row that no longer fits today's schema is logged
   * and published as stored: isolates refuse it and keep that service's last good form.
   */
  entry({ name, sequence, decoded, live, liveProblem }: StoredEntry): RouteEntry {
    const problem = decoded.ok ? liveProblem : decoded.problem;
    if (problem !== undefined && !this.#reported.has(`${name}@${sequence}`)) {
      this.#reported.add(`${name}@${sequence}`);
      console.error(
        `keystone: stored service "${name}" does not fit the schema (${problem}); published as stored`,
      );
    }
    const config = (decoded.ok ? decoded.config : decoded.raw) as RouteEntry["config"];
    return live
      ? { name, sequence, config, live: live as RouteEntry["live"] }
      : { name, sequence, config };
  }

  async #writeNow(): Promise<void> {
    // The input gate opens while `put` is awaited: two interleaved writes could land out of
    // order, older content last. The write in flight re-checks `dirty` when it finishes.
    if (this.#writing) return;
    const now = Date.now();
    this.#writing = true;
    try {
      // Synchronous up to the puts: generation reserved, keys built from the latest rows.
      const generation = this.generation() + 1;
      this.#store.setMeta("generation", String(generation));
      this.#store.setMeta("lastWriteAt", String(now));
      this.#store.setMeta("dirty", "0");
      const publication = this.#publication(generation, now);
      try {
        await this.#put(publication);
      } catch (error) {
        console.error(`keystone: writing the route table to KV failed, retrying: ${String(error)}`);
        this.#store.giveBack([...publication.services.keys()], [...publication.shards.keys()]);
        this.#store.setMeta("dirty", "1");
        return this.#scheduleAt(now + RETRY_MS);
      }
      if (publication.head) {
        this.#store.setMeta("recent", JSON.stringify(publication.head.recent));
        this.#store.setMeta("recentSince", String(publication.head.recentSince));
      }
      if (publication.full) {
        this.#store.setMeta("published", "per-service");
        this.#store.setMeta("upgrade", "done");
        this.#store.setMeta("oldDocumentUntil", String(now + OLD_DOCUMENT_GRACE_MS));
      }
      if (publication.deleteOldDocument) this.#store.setMeta("oldDocumentUntil", "deleted");
    } finally {
      this.#writing = false;
    }
    if (this.#store.getMeta("dirty") === "1") await this.#scheduleAt(now + MIN_WRITE_INTERVAL_MS);
  }

  /** The keys this publication writes: the services changed since the last, and their shards. */
  #publication(generation: number, now: number): Publication {
    // A registry that last wrote the whole document (or nothing yet) owes every key once.
    const upgrading = this.#store.getMeta("published") !== "per-service";
    if (upgrading && this.#store.getMeta("upgrade") !== "writing") {
      this.#store.giveBack(this.#store.allNames(), []);
      this.#store.setMeta("upgrade", "writing");
    }
    const owed = this.#store.takeUnpublished();
    const names = owed.slice(0, MAX_SERVICES_PER_WRITE);
    if (owed.length > names.length) {
      this.#store.giveBack(owed.slice(names.length), []);
      this.#store.setMeta("dirty", "1");
    }
    const full = upgrading && owed.length === names.length;
    const until = this.#store.getMeta("oldDocumentUntil");
    const deleteOldDocument = until !== undefined && until !== "deleted" && now >= Number(until);
    const touched = new Set(this.#store.takeOwedShards());
    const services = new Map<string, ServiceDoc | null>();
    for (const name of names) {
      const stored = this.#store.liveEntry(name);
      services.set(name, stored ? { format: 1, generation, entry: this.entry(stored) } : null);
      const hosts = stored ? hostsClaimedBy(stored).hosts : [];
      for (const shard of this.#store.indexHosts(name, hosts)) touched.add(shard);
    }
    const shards = new Map<number, Record<string, string[]> | null>();
    for (const shard of touched) {
      if (shard === ROOT_SHARD) continue;
      const hosts = this.#store.hostShard(shard);
      shards.set(shard, Object.keys(hosts).length > 0 ? hosts : null);
    }
    const changed: RecentPublication = {
      generation,
      services: [...services.keys()],
      shards: [...touched].sort((a, b) => a - b),
    };
    if (upgrading && !full)
      return { generation, services, shards, head: undefined, full, deleteOldDocument };
    const { recent, recentSince } = full
      ? { recent: [], recentSince: generation }
      : this.#recent(changed);
    const head: RoutesHead = {
      format: 1,
      generation,
      publishedAt: new Date(now).toISOString(),
      recentSince,
      recent,
      rootHosts: this.#store.hostShard(ROOT_SHARD),
    };
    return { generation, services, shards, head, full, deleteOldDocument };
  }

  /** The head's list with this publication added, the oldest dropped past the bounds. */
  #recent(latest: RecentPublication) {
    const stored = this.#store.getMeta("recent");
    const recent = [...(stored ? (JSON.parse(stored) as RecentPublication[]) : []), latest];
    let recentSince = Number(this.#store.getMeta("recentSince") ?? 0);
    let names = recent.reduce((sum, p) => sum + p.services.length, 0);
    while (
      recent.length > 1 &&
      (recent.length > RECENT_PUBLICATIONS || names - latest.services.length > RECENT_NAMES)
    ) {
      const dropped = recent.shift()!;
      names -= dropped.services.length;
      recentSince = dropped.generation;
    }
    return { recent, recentSince };
  }

  /** Services and shards first, the head last: an isolate told of a change finds it written. */
  async #put(publication: Publication): Promise<void> {
    const routes = this.#env.ROUTES;
    const writes: Promise<unknown>[] = [];
    for (const [name, doc] of publication.services)
      writes.push(
        doc ? routes.put(serviceKey(name), JSON.stringify(doc)) : routes.delete(serviceKey(name)),
      );
    for (const [shard, hosts] of publication.shards)
      writes.push(
        hosts
          ? routes.put(
              hostShardKey(shard),
              JSON.stringify({ format: 1, generation: publication.generation, hosts }),
            )
          : routes.delete(hostShardKey(shard)),
      );
    await Promise.all(writes);
    if (publication.head) await routes.put(ROUTES_HEAD_KEY, JSON.stringify(publication.head));
    // The whole document of the release before, frozen at the upgrade: read by Workers still on
    // that release during the deploy, then deleted (nothing of this release reads it once a head
    // exists).
    if (publication.deleteOldDocument) await routes.delete(ROUTES_KEY);
  }

  async #scheduleAt(due: number): Promise<void> {
    const scheduled = await this.#ctx.storage.getAlarm();
    if (scheduled === null || scheduled > due) await this.#ctx.storage.setAlarm(due);
  }
}
