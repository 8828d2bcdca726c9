// SQLite tables of one service object: revisions of its config, its history, its head, and the
// two-phase change it holds. Loads the ledger's state and stores a decision; rows stored by older
// versions are upgraded on read.
import * as z from "zod";
import { HistoryEventType } from "../../../schemas/event-types.ts";
import {
  type HistoryEntry,
  MAX_HISTORY_ENTRIES,
  upgradeEventDetail,
} from "../../../schemas/history.ts";
import {
  ClaimingCommand,
  type ServiceHead,
  ServiceHead as ServiceHeadSchema,
} from "../../../schemas/ledger.ts";
import { isActive, RolloutState } from "../../../schemas/rollout-state.ts";
import {
  type Decoded,
  decodeStoredConfig,
  decodeStoredSpec,
  encodeStoredConfig,
} from "../../../schemas/stored-config.ts";
import type { Decision, LedgerState, PastEvent, StoredRevision } from "../../core/ledger/state.ts";
import { IncidentStore } from "./incident-store.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS revisions (
  number INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  author TEXT,
  reason TEXT,
  config TEXT,
  spec TEXT
);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  revision INTEGER,
  author TEXT,
  reason TEXT,
  detail TEXT
);
CREATE INDEX IF NOT EXISTS events_at ON events (at);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

type Row = Record<string, SqlStorageValue>;

/** A two-phase change prepared and not yet committed or aborted (meta `pendingTx`). */
const PendingChange = z.object({
  txId: z.string(),
  command: ClaimingCommand,
  expiresAt: z.number(),
  /** The id of a rollout the change starts (an apply toward a new release): the same at commit. */
  rolloutId: z.string().optional(),
});
export type PendingChange = z.infer<typeof PendingChange>;

/** The last two-phase change committed (meta `lastTx`): a retried commit answers the same. */
const FinishedChange = z.object({
  txId: z.string(),
  result: z.object({ name: z.string(), revision: z.number(), changed: z.boolean() }),
});
export type FinishedChange = z.infer<typeof FinishedChange>;

export class ServiceStore {
  readonly #sql: SqlStorage;
  readonly incidents: IncidentStore;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.#sql.exec(SCHEMA);
    addSpecColumn(sql);
    this.incidents = new IncidentStore(sql);
  }

  /** The ledger's state: the latest revision's config and the head. */
  load(name: string): LedgerState {
    const latest = this.#sql
      .exec("SELECT * FROM revisions ORDER BY number DESC LIMIT 1")
      .toArray()[0];
    const revision = latest ? toRevision(latest) : undefined;
    const head = this.head(revision?.number ?? 0);
    return {
      name,
      revision: revision?.number ?? 0,
      config: revision?.config ?? null,
      spec: revision ? (revision.spec ?? revision.config) : null,
      serving: head.serving ?? null,
      sequence: head.sequence,
      acknowledged: head.acknowledged,
      rollout: head.rollout,
      halt: head.halt,
      rolloutEvents: isActive(head.rollout) ? this.#rolloutEvents(head.rollout) : [],
      incidentCount: this.incidents.count(),
    };
  }

  /** The running rollout's events, oldest first (stored no earlier than it started). */
  #rolloutEvents(rollout: RolloutState): PastEvent[] {
    return this.#events("SELECT * FROM events WHERE at >= ? ORDER BY id", rollout.startedAt).filter(
      (event) => event.detail?.kind === "rollout" && event.detail.rolloutId === rollout.id,
    );
  }

  /** When the latest revision was stored (epoch ms), or undefined with none. */
  updatedAt(): number | undefined {
    const row = this.#sql
      .exec("SELECT at FROM revisions ORDER BY number DESC LIMIT 1")
      .toArray()[0];
    return row ? Number(row.at) : undefined;
  }

  revision(number: number): StoredRevision | undefined {
    const row = this.#sql.exec("SELECT * FROM revisions WHERE number = ?", number).toArray()[0];
    return row && toRevision(row);
  }

  /** Stores a decision's revisions, events and head (the caller wraps it in a transaction). */
  save(decision: Decision<unknown>, at: number): void {
    for (const revision of decision.revisions) {
      const who = decision.events.find((e) => e.revision === revision.number);
      const config = revision.config === null ? null : encodeStoredConfig(revision.config);
      const spec = revision.spec === undefined ? decision.state.spec : revision.spec;
      const specText = spec == null ? null : encodeStoredConfig(spec);
      this.#sql.exec(
        "INSERT INTO revisions (number, at, kind, author, reason, config, spec) VALUES (?, ?, ?, ?, ?, ?, ?)",
        revision.number,
        at,
        revision.kind,
        who?.author ?? null,
        who?.reason ?? null,
        config,
        // The same as the config (a file with every origin given): kept once.
        specText === config ? null : specText,
      );
    }
    for (const event of decision.events) {
      this.#sql.exec(
        "INSERT INTO events (at, type, revision, author, reason, detail) VALUES (?, ?, ?, ?, ?, ?)",
        event.at ?? at,
        event.type,
        event.revision,
        event.author,
        event.reason,
        event.detail === null ? null : JSON.stringify(event.detail),
      );
    }
    if (decision.incident) this.incidents.add(decision.incident);
    this.saveHead(decision.state);
  }

  saveHead(state: LedgerState): void {
    const head: ServiceHead = {
      format: 1,
      sequence: state.sequence,
      acknowledged: state.acknowledged,
      rollout: state.rollout,
      halt: state.halt,
      serving: state.serving ?? null,
    };
    this.setMeta("head", JSON.stringify(head));
  }

  /**
   * The head. An object stored before heads existed kept its rollout in meta `rollout` (without
   * an id) and published its revision number as the sequence: both carry over.
   */
  head(latestRevision: number): ServiceHead {
    const text = this.getMeta("head");
    if (text !== undefined) return ServiceHeadSchema.parse(JSON.parse(text));
    const legacy = this.getMeta("rollout");
    const raw = legacy === undefined ? null : (JSON.parse(legacy) as Record<string, unknown>);
    const rollout = raw
      ? RolloutState.parse({ id: `legacy-${String(raw.startedAt)}`, ...raw })
      : null;
    return { format: 1, sequence: latestRevision, acknowledged: 0, rollout, halt: null };
  }

  /**
   * The rollout the head holds, read without loading the ledger (every alarm set asks for it). The
   * latest revision only feeds a legacy head's sequence, which this does not read.
   */
  rollout(): RolloutState | null {
    return this.head(0).rollout;
  }

  /** Events oldest first, details upgraded to today's types. */
  history(limit = MAX_HISTORY_ENTRIES): HistoryEntry[] {
    return this.#events("SELECT * FROM events ORDER BY id DESC LIMIT ?", limit)
      .reverse()
      .map(({ at, ...event }) => ({ at: new Date(at).toISOString(), ...event }));
  }

  #events(query: string, ...args: SqlStorageValue[]): PastEvent[] {
    return this.#sql
      .exec(query, ...args)
      .toArray()
      .flatMap((row) => {
        const type = HistoryEventType.safeParse(row.type);
        if (!type.success) return [];
        const detail =
          row.detail === null ? null : upgradeEventDetail(JSON.parse(String(row.detail)));
        return [
          {
            at: Number(row.at),
            type: type.data,
            revision: row.revision === null ? null : Number(row.revision),
            author: row.author === null ? null : String(row.author),
            reason: row.reason === null ? null : String(row.reason),
            detail: detail ?? null,
          },
        ];
      });
  }

  /** How many events of each of these types were recorded. */
  countEvents(types: readonly string[]): Record<string, number> {
    const counts = Object.fromEntries(types.map((t) => [t, 0]));
    const rows = this.#sql.exec(
      `SELECT type, COUNT(*) AS n FROM events WHERE type IN (${types.map(() => "?").join(",")}) GROUP BY type`,
      ...types,
    );
    for (const row of rows) counts[String(row.type)] = Number(row.n);
    return counts;
  }

  pendingChange(): PendingChange | undefined {
    const text = this.getMeta("pendingTx");
    return text === undefined ? undefined : PendingChange.parse(JSON.parse(text));
  }

  setPendingChange(pending: PendingChange | null): void {
    this.setMeta("pendingTx", pending === null ? null : JSON.stringify(pending));
  }

  lastChange(): FinishedChange | undefined {
    const text = this.getMeta("lastTx");
    return text === undefined ? undefined : FinishedChange.parse(JSON.parse(text));
  }

  /** The pending change is committed: it holds the service no more, and is remembered as the last. */
  finishChange(finished: FinishedChange): void {
    this.setPendingChange(null);
    this.setMeta("lastTx", JSON.stringify(finished));
  }

  getMeta(key: string): string | undefined {
    const row = this.#sql.exec("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row ? String(row.value) : undefined;
  }

  setMeta(key: string, value: string | null): void {
    if (value === null) this.#sql.exec("DELETE FROM meta WHERE key = ?", key);
    else this.#sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }
}

/** Objects stored before specs were kept have no `spec` column: add it (NULL: the same as config). */
function addSpecColumn(sql: SqlStorage): void {
  try {
    sql.exec("SELECT spec FROM revisions LIMIT 0");
  } catch {
    sql.exec("ALTER TABLE revisions ADD COLUMN spec TEXT");
  }
}

function decoded<T>(row: Row, what: string, result: Decoded<T>): T {
  if (!result.ok)
    throw new Error(
      `revision ${String(row.number)}'s ${what} no longer fits the schema: ${result.problem}`,
    );
  return result.config;
}

function toRevision(row: Row): StoredRevision {
  const config =
    row.config === null ? null : decoded(row, "config", decodeStoredConfig(String(row.config)));
  const spec =
    row.spec === null || row.spec === undefined
      ? config
      : decoded(row, "spec", decodeStoredSpec(String(row.spec)));
  return { number: Number(row.number), kind: String(row.kind), config, spec };
}
