// SQLite tables of the registry: the last publication of every service (a deleted one stays as
// a tombstone with its sequence), the outcomes of two-phase changes, webhook signatures, when
// each rollout's and release's object says it ticks next (what the cron checks for lateness), meta.
import type { Publication, TxOutcome } from "../../../schemas/ledger.ts";
import { LiveRouting } from "../../../schemas/live-routing.ts";
import { problemsOf } from "../../../schemas/problems.ts";
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
  }

  /** Every live service (tombstones left out), each row decoded on its own. */
  live(): StoredEntry[] {
    return this.#sql
      .exec(
        "SELECT name, sequence, config, live FROM entries WHERE config IS NOT NULL ORDER BY name",
      )
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
