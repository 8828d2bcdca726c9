// Pure rules for changing a service's config of record: concurrency, weights, revert.
import { problemsOf } from "../../schemas/problems.ts";
import { Service } from "../../schemas/service.ts";
import type { Split } from "../../schemas/split.ts";
import { fail, ok, type Result } from "./result.ts";

export interface StoredRevision {
  number: number;
  at: number;
  kind: string;
  /** Null for a revision that deleted the service. */
  config: Service | null;
}

/** Optimistic concurrency: a change based on anything but the latest revision is refused. */
export function checkBase(
  name: string,
  latest: StoredRevision | undefined,
  baseRevision: number | undefined,
): Result<void> {
  const current = latest?.number ?? 0;
  if (baseRevision === undefined || baseRevision === current) return ok(undefined);
  return fail(
    "conflict",
    `service "${name}" is at revision ${current}, but the change was based on revision ${baseRevision}: read it again and retry`,
  );
}

/** The current config with a new split, validated as a whole (weights must fit its versions). */
export function withSplit(config: Service, split: Split): Result<Service> {
  const parsed = Service.safeParse({ ...config, split });
  return parsed.success
    ? ok(parsed.data)
    : fail("invalid", "the new weights do not fit the service", problemsOf(parsed.error));
}

export function revertTarget(name: string, target: StoredRevision | undefined): Result<Service> {
  if (!target) return fail("not_found", `service "${name}" has no revision ${"to revert to"}`);
  if (!target.config) {
    return fail(
      "invalid",
      `revision ${target.number} of "${name}" deleted the service; pick another`,
    );
  }
  return ok(target.config);
}

/** Same config, so no new revision: applying a file twice is a no-op. */
export function sameConfig(a: Service | null | undefined, b: Service): boolean {
  return a != null && JSON.stringify(a) === JSON.stringify(b);
}

/** Hosts+prefix pairs of `config` already served by another stored service. */
export function hostConflicts(
  config: Service,
  others: readonly Service[],
): { path: string; message: string }[] {
  const owners = new Map<string, string>();
  for (const other of others) {
    if (other.name === config.name) continue;
    for (const host of other.hosts) owners.set(`${host}${other.pathPrefix}`, other.name);
  }
  return config.hosts.flatMap((host, i) => {
    const owner = owners.get(`${host}${config.pathPrefix}`);
    return owner === undefined
      ? []
      : [
          {
            path: `config.hosts[${i}]`,
            message: `host ${host} with pathPrefix ${config.pathPrefix} is already served by service "${owner}"`,
          },
        ];
  });
}
