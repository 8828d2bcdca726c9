// SQLite tables of the registry: the last publication of every service (a deleted one stays as
// a tombstone with its sequence), the hosts each live service claims (what a claim is checked
// against), what KV does not have yet (services changed since the last write, host index shards
// owed) and the host index KV has, the outcomes of two-phase changes, webhook signatures, when
// each rollout's and release's object says it ticks next (what the cron checks for lateness), meta.
import type { Publication, TxOutcome } from "../../../schemas/ledger.ts";
import { LiveRouting } from "../../../schemas/live-routing.ts";
import { problemsOf } from "../../../schemas/problems.ts";
import { hostShardOf } from "../../../schemas/route-doc-format.ts";
import {
  type DecodedConfig,
  decodeStoredConfig,
  encodeStoredConfig,
} from "../../../schemas/stored-config.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  name TEXT PRIMARY KEY,
  sequence INTEGER NOT NULL,
  config TEXT,
  rollout_active INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  live TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS webhook_signatures (signature TEXT PRIMARY KEY, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS transactions (id TEXT PRIMARY KEY, outcome TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS releases (name TEXT PRIMARY KEY, active INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS claims (host TEXT NOT NULL, service TEXT NOT NULL, PRIMARY KEY (host, service));
CREATE INDEX IF NOT EXISTS claims_by_service ON claims (service);
CREATE TABLE IF NOT EXISTS unpublished (name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS owed_shards (shard INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS host_index (pattern TEXT NOT NULL, service TEXT NOT NULL, shard INTEGER NOT NULL, PRIMARY KEY (pattern, service));
CREATE INDEX IF NOT EXISTS host_index_by_shard ON host_index (shard);
CREATE INDEX IF NOT EXISTS host_index_by_service ON host_index (service);
CREATE TABLE IF NOT EXISTS tick_due (kind TEXT NOT NULL, name TEXT NOT NULL, due INTEGER NOT NULL, PRIMARY KEY (kind, name));
`;

/** Whose tick an object reports: a service's rollout or a release. */
export type TickerKind = "service" | "release";

/** Outcomes of two-phase changes are kept long after any prepared change could still ask. */
const TX_KEEP_MS = 24 * 3_600_000;

export interface StoredEntry {
  name: string;
  sequence: number;
  decoded: DecodedConfig;
  /**
   * The publication's pin scope and wave as stored (undefined when it had none). `liveProblem`
   * says why it no longer fits today's schema: it is then published as stored, like a config, so
   * isolates refuse the entry and keep their last good one rather than route without its wave.
   */
  live: unknown;
  liveProblem: string | undefined;
}

/** The hosts a stored entry claims: a row that no longer parses still claims what it names. */
export function hostsClaimedBy(entry: Pick<StoredEntry, "decoded">): {
  hosts: string[];
  pathPrefix: string;
} {
  const { decoded } = entry;
  const config = decoded.ok
    ? decoded.config
    : (decoded.raw as { hosts?: unknown; pathPrefix?: unknown });
  const hosts = Array.isArray(config?.hosts)
    ? config.hosts.filter((h): h is string => typeof h === "string")
    : [];
  const pathPrefix = typeof config?.pathPrefix === "string" ? config.pathPrefix : "/";
  return { hosts, pathPrefix };
}

function decodeLive(text: unknown): Pick<StoredEntry, "live" | "liveProblem"> {
  if (typeof text !== "string") return { live: undefined, liveProblem: undefined };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { live: text, liveProblem: `not JSON: ${(error as Error).message}` };
  }
  const parsed = LiveRouting.safeParse(raw);
  return parsed.success
    ? { live: parsed.data, liveProblem: undefined }
    : {
        live: raw,
        liveProblem: problemsOf(parsed.error)
          .slice(0, 5)
          .map((p) => `live.${p.path}: ${p.message}`)
          .join("; "),
      };
}

export class RegistryStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.#sql.exec(SCHEMA);
    this.#migrate();
    this.#migrateClaims();
  }

  /** The sequence held for a service (a tombstone's too), or undefined when never published. */
  sequenceOf(name: string): number | undefined {
    const row = this.#sql.exec("SELECT sequence FROM entries WHERE name = ?", name).toArray()[0];
    return row ? Number(row.sequence) : undefined;
  }

  put(publication: Publication, now: number): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO entries (name, sequence, config, rollout_active, updated_at, live) VALUES (?, ?, ?, ?, ?, ?)",
      publication.service,
      publication.sequence,
      publication.config === null ? null : encodeStoredConfig(publication.config),
      publication.rolloutActive ? 1 : 0,
      now,
      publication.live ? JSON.stringify(publication.live) : null,
    );
    this.#sql.exec("INSERT OR IGNORE INTO unpublished (name) VALUES (?)", publication.service);
    this.#sql.exec("DELETE FROM claims WHERE service = ?", publication.service);
    const entry = this.liveEntry(publication.service);
    for (const host of entry ? hostsClaimedBy(entry).hosts : [])
      this.#sql.exec(
        "INSERT OR IGNORE INTO claims (host, service) VALUES (?, ?)",
        host,
        publication.service,
      );
  }

  /** Live services claiming any of these hosts (with any path prefix). */
  claimants(hosts: Iterable<string>): StoredEntry[] {
    const names = new Set<string>();
    for (const host of new Set(hosts))
      for (const row of this.#sql.exec("SELECT service FROM claims WHERE host = ?", host))
        names.add(String(row.service));
    return [...names].flatMap((name) => this.liveEntry(name) ?? []);
  }

  /** One service's row as `live()` gives it; undefined when deleted or never published. */
  liveEntry(name: string): StoredEntry | undefined {
    return this.#entries("WHERE config IS NOT NULL AND name = ?", name)[0];
  }

  /** Services changed since KV was last written, taken: a failed write gives them back. */
  takeUnpublished(): string[] {
    return this.#take("SELECT name FROM unpublished ORDER BY name", "unpublished").map((row) =>
      String(row.name),
    );
  }

  /** Changes a failed KV write did not make: the next write makes them. */
  giveBack(services: readonly string[], shards: readonly number[]): void {
    for (const name of services)
      this.#sql.exec("INSERT OR IGNORE INTO unpublished (name) VALUES (?)", name);
    for (const shard of shards)
      this.#sql.exec("INSERT OR IGNORE INTO owed_shards (shard) VALUES (?)", shard);
  }

  /** Shards a failed write owes, taken. */
  takeOwedShards(): number[] {
    return this.#take("SELECT shard FROM owed_shards", "owed_shards").map((row) =>
      Number(row.shard),
    );
  }

  /** A queue table's rows, and the table emptied (in the object's transaction with the write). */
  #take(select: string, table: "unpublished" | "owed_shards") {
    const rows = this.#sql.exec(select).toArray();
    this.#sql.exec(`DELETE FROM ${table}`);
    return rows;
  }

  /** Every service ever published, tombstones too (the first publication per service writes all). */
  allNames(): string[] {
    return this.#sql
      .exec("SELECT name FROM entries ORDER BY name")
      .toArray()
      .map((row) => String(row.name));
  }

  /**
   * Sets the host patterns a service is published under (none: it is deleted) and returns the
   * shards whose index this changes (a pattern's shard is the published format's, hostShardOf).
   */
  indexHosts(service: string, hosts: readonly string[]) {
    const before = this.#sql
      .exec("SELECT pattern, shard FROM host_index WHERE service = ?", service)
      .toArray()
      .map((row) => ({ pattern: String(row.pattern), shard: Number(row.shard) }));
    const after = new Set(hosts);
    const touched = new Set<number>();
    for (const { pattern, shard } of before)
      if (!after.has(pattern)) {
        touched.add(shard);
        this.#sql.exec(
          "DELETE FROM host_index WHERE pattern = ? AND service = ?",
          pattern,
          service,
        );
      }
    const held = new Set(before.map((row) => row.pattern));
    for (const pattern of after)
      if (!held.has(pattern)) {
        const shard = hostShardOf(pattern);
        touched.add(shard);
        this.#sql.exec(
          "INSERT INTO host_index (pattern, service, shard) VALUES (?, ?, ?)",
          pattern,
          service,
          shard,
        );
      }
    return touched;
  }

  /** One shard of the host index as KV should hold it: pattern → services, names in order. */
  hostShard(shard: number): Record<string, string[]> {
    const hosts: Record<string, string[]> = {};
    for (const row of this.#sql
      .exec(
        "SELECT pattern, service FROM host_index WHERE shard = ? ORDER BY pattern, service",
        shard,
      )
      .toArray())
      hosts[String(row.pattern)] = [...(hosts[String(row.pattern)] ?? []), String(row.service)];
    return hosts;
  }

  /** Every live service (tombstones left out), each row decoded on its own. */
  live(): StoredEntry[] {
    return this.#entries("WHERE config IS NOT NULL");
  }

  #entries(where: string, ...bindings: SqlStorageValue[]): StoredEntry[] {
    return this.#sql
      .exec(`SELECT name, sequence, config, live FROM entries ${where} ORDER BY name`, ...bindings)
      .toArray()
      .map((row) => ({
        name: String(row.name),
        sequence: Number(row.sequence),
        decoded: decodeStoredConfig(String(row.config)),
        ...decodeLive(row.live),
      }));
  }

  activeRollouts(): string[] {
    return this.#sql
      .exec(
        "SELECT name FROM entries WHERE rollout_active = 1 AND config IS NOT NULL ORDER BY name",
      )
      .toArray()
      .map((row) => String(row.name));
  }

  /**
   * Active rollouts whose object's next tick was due before `dueBefore`, or never reported (an
   * object from before alarms drove ticks, or whose report failed): the cron wakes these.
   */
  lateRollouts(dueBefore: number): string[] {
    return this.#sql
      .exec(
        "SELECT e.name FROM entries e LEFT JOIN tick_due t ON t.kind = 'service' AND t.name = e.name WHERE e.rollout_active = 1 AND e.config IS NOT NULL AND (t.due IS NULL OR t.due < ?) ORDER BY e.name",
        dueBefore,
      )
      .toArray()
      .map((row) => String(row.name));
  }

  /** Running releases whose next tick was due before `dueBefore`, or never reported. */
  lateReleases(dueBefore: number): string[] {
    return this.#sql
      .exec(
        "SELECT r.name FROM releases r LEFT JOIN tick_due t ON t.kind = 'release' AND t.name = r.name WHERE r.active = 1 AND (t.due IS NULL OR t.due < ?) ORDER BY r.name",
        dueBefore,
      )
      .toArray()
      .map((row) => String(row.name));
  }

  /** An object's next tick (null: it has none, and the row goes). */
  setTickDue(kind: TickerKind, name: string, due: number | null): void {
    if (due === null)
      this.#sql.exec("DELETE FROM tick_due WHERE kind = ? AND name = ?", kind, name);
    else
      this.#sql.exec(
        "INSERT OR REPLACE INTO tick_due (kind, name, due) VALUES (?, ?, ?)",
        kind,
        name,
        due,
      );
  }

  setReleaseActive(name: string, active: boolean, now: number): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO releases (name, active, updated_at) VALUES (?, ?, ?)",
      name,
      active ? 1 : 0,
      now,
    );
  }

  /** Whether a release of this name was ever started (its row stays once it ends). */
  knowsRelease(name: string): boolean {
    return this.#sql.exec("SELECT 1 FROM releases WHERE name = ?", name).toArray().length > 0;
  }

  activeReleases(): string[] {
    return this.#sql
      .exec("SELECT name FROM releases WHERE active = 1 ORDER BY name")
      .toArray()
      .map((row) => String(row.name));
  }

  txOutcome(id: string): TxOutcome | undefined {
    const row = this.#sql.exec("SELECT outcome FROM transactions WHERE id = ?", id).toArray()[0];
    return row ? (String(row.outcome) as TxOutcome) : undefined;
  }

  setTxOutcome(id: string, outcome: TxOutcome, now: number): void {
    this.#sql.exec("DELETE FROM transactions WHERE at < ?", now - TX_KEEP_MS);
    this.#sql.exec(
      "INSERT OR REPLACE INTO transactions (id, outcome, at) VALUES (?, ?, ?)",
      id,
      outcome,
      now,
    );
  }

  /** Records a webhook signature; false when it was seen before (a replay). */
  claimSignature(signature: string, now: number, keepMs: number): boolean {
    this.#sql.exec("DELETE FROM webhook_signatures WHERE at < ?", now - keepMs);
    if (
      this.#sql.exec("SELECT 1 FROM webhook_signatures WHERE signature = ?", signature).toArray()
        .length > 0
    )
      return false;
    this.#sql.exec("INSERT INTO webhook_signatures (signature, at) VALUES (?, ?)", signature, now);
    return true;
  }

  getMeta(key: string): string | undefined {
    const row = this.#sql.exec("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row ? String(row.value) : undefined;
  }

  setMeta(key: string, value: string): void {
    this.#sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }

  /** Registries stored before the claims table index every live service's hosts once. */
  #migrateClaims(): void {
    if (this.#sql.exec("SELECT 1 FROM claims LIMIT 1").toArray().length > 0) return;
    for (const entry of this.live())
      for (const host of hostsClaimedBy(entry).hosts)
        this.#sql.exec(
          "INSERT OR IGNORE INTO claims (host, service) VALUES (?, ?)",
          host,
          entry.name,
        );
  }

  /**
   * Registries stored before sequences kept `services (name, revision, config, [rollout_active])`
   * with bare Service JSON: the revision was the sequence, and rows move over as they were.
   */
  #migrate(): void {
    // Registries stored before pin scopes and waves lack the `live` column.
    const entryColumns = this.#sql
      .exec("PRAGMA table_info(entries)")
      .toArray()
      .map((row) => String(row.name));
    if (!entryColumns.includes("live")) this.#sql.exec("ALTER TABLE entries ADD COLUMN live TEXT");
    const columns = this.#sql
      .exec("PRAGMA table_info(services)")
      .toArray()
      .map((row) => String(row.name));
    if (columns.length === 0) return;
    const active = columns.includes("rollout_active") ? "rollout_active" : "0";
    this.#sql.exec(
      `INSERT OR IGNORE INTO entries (name, sequence, config, rollout_active, updated_at) SELECT name, revision, config, ${active}, updated_at FROM services`,
    );
    this.#sql.exec("DROP TABLE services");
  }
}
