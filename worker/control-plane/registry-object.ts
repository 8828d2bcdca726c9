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
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

export interface RegistryEntry {
  name: string;
  revision: number;
  config: Service;
}

export class RegistryObject extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
  }

  /** Records a service's effective config (null: removed) and schedules the KV write. */
  async publish(name: string, revision: number, config: Service | null): Promise<void> {
    const sql = this.ctx.storage.sql;
    const known = sql.exec("SELECT revision FROM services WHERE name = ?", name).toArray()[0];
    // Publications may arrive out of order after retries: never let an older one win.
    if (known && Number(known.revision) > revision) return;
    if (config === null) sql.exec("DELETE FROM services WHERE name = ?", name);
    else {
      sql.exec(
        "INSERT OR REPLACE INTO services (name, revision, config, updated_at) VALUES (?, ?, ?, ?)",
        name,
        revision,
        JSON.stringify(config),
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

  /** The generation last written to KV (0 before the first write). */
  generation(): number {
    return Number(this.#getMeta("generation") ?? 0);
  }

  override async alarm(): Promise<void> {
    if (this.#getMeta("dirty") === "1") await this.#write(Date.now());
  }

  async #writeSoon(): Promise<void> {
    const now = Date.now();
    const lastWrite = Number(this.#getMeta("lastWriteAt") ?? 0);
    if (now - lastWrite >= MIN_WRITE_INTERVAL_MS) return this.#write(now);
    const due = lastWrite + MIN_WRITE_INTERVAL_MS;
    const scheduled = await this.ctx.storage.getAlarm();
    if (scheduled === null || scheduled > due) await this.ctx.storage.setAlarm(due);
  }

  async #write(now: number): Promise<void> {
    const generation = this.generation() + 1;
    const doc: RoutesDoc = {
      format: 1,
      generation,
      publishedAt: new Date(now).toISOString(),
      services: this.list().map((entry) => entry.config),
    };
    try {
      await this.env.ROUTES.put(ROUTES_KEY, JSON.stringify(doc));
    } catch (error) {
      console.error(`keystone: writing the route table to KV failed, retrying: ${String(error)}`);
      await this.ctx.storage.setAlarm(now + RETRY_MS);
      return;
    }
    this.#setMeta("generation", String(generation));
    this.#setMeta("lastWriteAt", String(now));
    this.#setMeta("dirty", "0");
  }

  #getMeta(key: string): string | undefined {
    const row = this.ctx.storage.sql.exec("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row ? String(row.value) : undefined;
  }

  #setMeta(key: string, value: string): void {
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }
}
