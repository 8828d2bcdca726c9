// Per-environment overlays: one config file serves staging and production. An environment's
// services are deep-merged onto the base services of the same name (maps key by key; lists,
// values and a `split` replace whole), and the result is checked like any file. Problems the
// overlay brings are reported at the overlay's own path, so they point at its line.
import * as z from "zod";
import { EnvironmentName } from "./cli-contexts.ts";
import { type IssuePath, unknownName } from "./cross-checks.ts";

/** Any service fields but `name`; what they may hold is checked after merging. */
export const ServiceOverlay = z.record(z.string(), z.unknown());

export const EnvironmentOverlay = z.strictObject({
  services: z.record(z.string(), ServiceOverlay).default({}),
});

export const Environments = z.record(EnvironmentName, EnvironmentOverlay);

type Raw = Record<string, unknown>;

const isRecord = (value: unknown): value is Raw =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Fields that only make sense whole: a split's weights must sum to 100 on their own. */
const REPLACED_WHOLE = new Set(["split"]);

export function mergeOverlay(base: unknown, overlay: unknown): unknown {
  if (!isRecord(base) || !isRecord(overlay)) return overlay;
  const merged: Raw = { ...base };
  for (const [key, value] of Object.entries(overlay))
    merged[key] =
      Object.hasOwn(base, key) && !REPLACED_WHOLE.has(key) ? mergeOverlay(base[key], value) : value;
  return merged;
}

/** Whether the overlay set the value at this path (or a value above it). */
function setByOverlay(overlay: unknown, at: IssuePath): boolean {
  let node = overlay;
  for (const part of at) {
    if (!isRecord(node) || !Object.hasOwn(node, String(part))) return false;
    node = node[String(part)];
    if (!isRecord(node)) return true;
  }
  return true;
}

export interface ResolvedEnvironment {
  /** The file as that environment sees it, without `environments`. */
  file: Raw;
  /** Services the overlay names that the base file does not have. */
  issues: { path: IssuePath; message: string }[];
  /** Where a problem of the resolved file is in the source: the overlay when it set the value. */
  locate(at: IssuePath): IssuePath;
}

/** The file for one environment, raw (checked by the caller), from the raw file. */
export function resolveEnvironment(input: unknown, environment: string): ResolvedEnvironment {
  const file = isRecord(input) ? input : {};
  const services = Array.isArray(file.services) ? file.services : [];
  const environments = isRecord(file.environments) ? file.environments : {};
  const overlay = isRecord(environments[environment]) ? environments[environment] : {};
  const overlays = isRecord(overlay.services) ? overlay.services : {};
  const names = services.map((s) => (isRecord(s) && typeof s.name === "string" ? s.name : ""));
  const base: IssuePath = ["environments", environment, "services"];
  const issues = Object.entries(overlays).flatMap(([name, fields]) => {
    if (!names.includes(name))
      return [{ path: [...base, name], message: unknownName("service", name, names) }];
    if (isRecord(fields) && Object.hasOwn(fields, "name"))
      return [{ path: [...base, name, "name"], message: "an overlay cannot rename a service" }];
    return [];
  });
  const { environments: _, ...rest } = file;
  return {
    file: {
      ...rest,
      services: services.map((service, i) =>
        Object.hasOwn(overlays, names[i]!) ? mergeOverlay(service, overlays[names[i]!]) : service,
      ),
    },
    issues,
    locate(at) {
      const [head, index, ...inner] = at;
      const name = typeof index === "number" ? names[index] : undefined;
      if (head !== "services" || name === undefined || !Object.hasOwn(overlays, name)) return at;
      return setByOverlay(overlays[name], inner) ? [...base, name, ...inner] : at;
    },
  };
}
