// The registry Durable Object: the index of every service, and the one writer of the KV route
// document. KV takes one write per second per key, so publications are coalesced: the latest
// state is always written, at most once a second.
import { DurableObject } from "cloudflare:workers";
import { ROUTES_KEY, type RoutesDoc } from "../../schemas/routes-doc.ts";
import { Service } from "../../schemas/service.ts";
import type { Env } from "../env.ts";

const MIN_WRITE_INTERVAL_MS = 1_000;
const RETRY_MS = 2_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS services (
  name TEXT PRIMARY KEY,
  revision INTEGER NOT NULL,
  config TEXT NOT NULL,
  rollout_active INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS webhook_signatures (signature TEXT PRIMARY KEY, at INTEGER NOT NULL);
`;

export interface RegistryEntry {
  name: string;
  revision: number;
  config: Service;
}

export class RegistryObject extends DurableObject<Env> {
  #writing = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
    addMissingColumns(ctx.storage.sql);
  }

  /** Records a service's effective config (null: removed) and schedules the KV write. */
  async publish(
    name: string,
    revision: number,
    config: Service | null,
    rolloutActive = false,
  ): Promise<void> {
    const sql = this.ctx.storage.sql;
    const known = sql.exec("SELECT revision FROM services WHERE name = ?", name).toArray()[0];
    // Publications may arrive out of order after retries: never let an older one win.
    if (known && Number(known.revision) > revision) return;
    if (config === null) sql.exec("DELETE FROM services WHERE name = ?", name);
    else {
      sql.exec(
        "INSERT OR REPLACE INTO services (name, revision, config, rollout_active, updated_at) VALUES (?, ?, ?, ?, ?)",
        name,
        revision,
        JSON.stringify(config),
        rolloutActive ? 1 : 0,
        Date.now(),
      );
    }
    this.#setMeta("dirty", "1");
    await this.#writeSoon();
  }

  list(): RegistryEntry[] {
    return this.ctx.storage.sql
      .exec("SELECT name, revision, config FROM services ORDER BY name")
      .toArray()
      .map((row) => ({
        name: String(row.name),
        revision: Number(row.revision),
        config: Service.parse(JSON.parse(String(row.config))),
      }));
  }

  /** Services with a rollout in progress: what the cron ticks. */
  activeRollouts(): string[] {
    return this.ctx.storage.sql
      .exec("SELECT name FROM services WHERE rollout_active = 1 ORDER BY name")
      .toArray()
      .map((row) => String(row.name));
  }

  /**
   * Records a deploy-webhook signature; false when it was seen before (a replay). Signatures are
   * kept for twice the webhook's freshness window, after which the timestamp check refuses them.
   */
  claimWebhookSignature(signature: string, now: number, keepMs: number): boolean {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM webhook_signatures WHERE at < ?", now - keepMs);
    if (
      sql.exec("SELECT 1 FROM webhook_signatures WHERE signature = ?", signature).toArray().length >
      0
    )
      return false;
    sql.exec("INSERT INTO webhook_signatures (signature, at) VALUES (?, ?)", signature, now);
    return true;
  }

  /** The generation last written to KV (0 before the first write). */
  generation(): number {
    return Number(this.#getMeta("generation") ?? 0);
  }

  /** Scheduled for when KV allows the next write: write the latest state now. */
  override async alarm(): Promise<void> {
    if (this.#getMeta("dirty") === "1") await this.#writeNow();
  }

  /**
   * Writes the route document now, or schedules it for when KV allows the next write (one per
   * second per key). Only one write is ever in flight: the DO's input gate opens while `put` is
   * awaited, and two interleaved writes could otherwise land out of order, older content last.
   */
  async #writeSoon(): Promise<void> {
    const lastWrite = Number(this.#getMeta("lastWriteAt") ?? 0);
    if (Date.now() - lastWrite < MIN_WRITE_INTERVAL_MS) {
      return this.#scheduleAt(lastWrite + MIN_WRITE_INTERVAL_MS);
    }
    await this.#writeNow();
  }

  async #writeNow(): Promise<void> {
    if (this.#writing) return; // the write in flight re-checks `dirty` when it finishes
    const now = Date.now();
    this.#writing = true;
    try {
      // Everything before the put is synchronous: the generation is reserved and the document
      // built from the latest state before anything else can run.
      const generation = this.generation() + 1;
      this.#setMeta("generation", String(generation));
      this.#setMeta("lastWriteAt", String(now));
      this.#setMeta("dirty", "0");
      const doc: RoutesDoc = {
        format: 2,
        generation,
        publishedAt: new Date(now).toISOString(),
        // Until publications carry their own sequence, the config revision stands in for it.
        services: this.list().map(({ name, revision, config }) => ({
          name,
          sequence: revision,
          config,
        })),
      };
      try {
        await this.env.ROUTES.put(ROUTES_KEY, JSON.stringify(doc));
      } catch (error) {
        console.error(`keystone: writing the route table to KV failed, retrying: ${String(error)}`);
        this.#setMeta("dirty", "1");
        return this.#scheduleAt(now + RETRY_MS);
      }
    } finally {
      this.#writing = false;
    }
    if (this.#getMeta("dirty") === "1") await this.#scheduleAt(now + MIN_WRITE_INTERVAL_MS);
  }

  async #scheduleAt(due: number): Promise<void> {
    const scheduled = await this.ctx.storage.getAlarm();
    if (scheduled === null || scheduled > due) await this.ctx.storage.setAlarm(due);
  }

  #getMeta(key: string): string | undefined {
    const row = this.ctx.storage.sql.exec("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row ? String(row.value) : undefined;
  }

  #setMeta(key: string, value: string): void {
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }
}

/** Columns added after the first schema: CREATE TABLE IF NOT EXISTS leaves older tables as they were. */
const ADDED_COLUMNS = [
  { table: "services", column: "rollout_active", definition: "INTEGER NOT NULL DEFAULT 0" },
];

function addMissingColumns(sql: SqlStorage): void {
  for (const { table, column, definition } of ADDED_COLUMNS) {
    const present = sql
      .exec(`PRAGMA table_info(${table})`)
      .toArray()
      .some((row) => row.name === column);
    if (!present) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }
}
