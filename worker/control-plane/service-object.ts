// One Durable Object per service: the single writer of its config of record. Every change is
// validated, stored as a new revision with history, then published through the registry.
import { DurableObject } from "cloudflare:workers";
import type { ChangeResult, ServiceRecord } from "../../schemas/api.ts";
import type { Service } from "../../schemas/service.ts";
import type { Split } from "../../schemas/split.ts";
import type { Env } from "../env.ts";
import { checkBase, revertTarget, sameConfig, withSplit } from "./changes.ts";
import { fail, ok, type Result } from "./result.ts";
import { ServiceStore, type StoredEvent } from "./service-store.ts";
import { registryOf } from "./stubs.ts";

export interface ChangeMeta {
  baseRevision?: number | undefined;
  author?: string | undefined;
  reason?: string | undefined;
}

/** How long to wait before retrying a publication the registry did not take. */
const PUBLISH_RETRY_MS = 5_000;

export class ServiceObject extends DurableObject<Env> {
  readonly #store: ServiceStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new ServiceStore(ctx.storage.sql);
  }

  /** The current config of record, or null when the service does not exist (or was deleted). */
  record(): ServiceRecord | null {
    const latest = this.#store.latest();
    if (!latest?.config) return null;
    return {
      name: latest.config.name,
      revision: latest.number,
      updatedAt: new Date(latest.at).toISOString(),
      config: latest.config,
    };
  }

  history(): StoredEvent[] {
    return this.#store.history();
  }

  async apply(config: Service, meta: ChangeMeta): Promise<Result<ChangeResult>> {
    return this.#change(config.name, meta, "apply", "config.applied", () => ok(config));
  }

  async setWeights(name: string, split: Split, meta: ChangeMeta): Promise<Result<ChangeResult>> {
    return this.#change(name, meta, "weights", "weights.changed", (current) =>
      current ? withSplit(current, split) : fail("not_found", `service "${name}" does not exist`),
    );
  }

  async revert(name: string, to: number, meta: ChangeMeta): Promise<Result<ChangeResult>> {
    return this.#change(name, meta, "revert", "config.reverted", () =>
      revertTarget(name, this.#store.revision(to)),
    );
  }

  async remove(name: string, meta: ChangeMeta): Promise<Result<ChangeResult>> {
    const latest = this.#store.latest();
    if (!latest?.config) return fail("not_found", `service "${name}" does not exist`);
    const base = checkBase(name, latest, meta.baseRevision);
    if (!base.ok) return base;
    const revision = this.#store.addRevision(Date.now(), "delete", null, {
      type: "service.deleted",
      author: meta.author,
      reason: meta.reason,
    });
    await this.#publish(name, revision, null);
    return ok({ name, revision, changed: true });
  }

  /** Retries a publication the registry did not take. */
  override async alarm(): Promise<void> {
    const pending = this.#store.getMeta("unpublished");
    const latest = this.#store.latest();
    if (pending === undefined || !latest) return;
    await this.#publish(pending, latest.number, latest.config);
  }

  async #change(
    name: string,
    meta: ChangeMeta,
    kind: string,
    eventType: string,
    next: (current: Service | null) => Result<Service>,
  ): Promise<Result<ChangeResult>> {
    const latest = this.#store.latest();
    const base = checkBase(name, latest, meta.baseRevision);
    if (!base.ok) return base;
    const config = next(latest?.config ?? null);
    if (!config.ok) return config;
    if (sameConfig(latest?.config, config.value)) {
      return ok({ name, revision: latest!.number, changed: false });
    }
    const revision = this.#store.addRevision(Date.now(), kind, config.value, {
      type: eventType,
      author: meta.author,
      reason: meta.reason,
      detail: kind === "weights" ? { split: config.value.split } : undefined,
    });
    await this.#publish(name, revision, config.value);
    return ok({ name, revision, changed: true });
  }

  async #publish(name: string, revision: number, config: Service | null): Promise<void> {
    try {
      await registryOf(this.env).publish(name, revision, config);
      this.ctx.storage.sql.exec("DELETE FROM meta WHERE key = 'unpublished'");
    } catch (error) {
      console.error(`keystone: publishing ${name} r${revision} failed, retrying: ${String(error)}`);
      this.#store.setMeta("unpublished", name);
      await this.ctx.storage.setAlarm(Date.now() + PUBLISH_RETRY_MS);
    }
  }
}
