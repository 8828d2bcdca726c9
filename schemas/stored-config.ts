// Service configs as Durable Objects store them (revisions, registry rows): marked with a format
// version and upgraded on read, so a config stored by an older version keeps loading.
import * as z from "zod";
import { problemsOf } from "./problems.ts";
import { Service } from "./service.ts";
import { ServiceSpec } from "./service-spec.ts";

/**
 * 1: a bare Service JSON, no marker (everything stored before formats existed).
 * 2: `{ format: 2, config }`.
 */
const STORED_CONFIG_FORMAT = 2;

const Versioned = z.object({ format: z.number().int(), config: z.unknown() });

export type Decoded<T> =
  | { ok: true; config: T; format: number }
  | { ok: false; problem: string; raw: unknown; format: number };
export type DecodedConfig = Decoded<Service>;

/** A config, or a spec (the file as applied: a revision keeps both), as stored. */
export function encodeStoredConfig(config: Service | ServiceSpec): string {
  return JSON.stringify({ format: STORED_CONFIG_FORMAT, config });
}

/** Each step lifts a config from one format to the next; the last one reaches today's. */
const UPGRADES: Record<number, (raw: unknown) => unknown> = {
  1: (raw) => raw, // format 2 only added the marker
};

/** A stored config as today's Service, or why it no longer fits (with the raw value kept). */
export function decodeStoredConfig(text: string): DecodedConfig {
  return decodeStored(text, Service);
}

/** A stored spec as today's ServiceSpec, or why it no longer fits. */
export function decodeStoredSpec(text: string): Decoded<ServiceSpec> {
  return decodeStored(text, ServiceSpec);
}

function decodeStored<T>(text: string, schema: z.ZodType<T>): Decoded<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not JSON: ${String(error)}`, raw: text, format: 0 };
  }
  const versioned = Versioned.safeParse(json);
  const format = versioned.success ? versioned.data.format : 1;
  if (format > STORED_CONFIG_FORMAT)
    return {
      ok: false,
      problem: `stored in format ${format}, newer than this code`,
      raw: json,
      format,
    };
  let raw = versioned.success ? versioned.data.config : json;
  for (let from = format; from < STORED_CONFIG_FORMAT; from++) raw = UPGRADES[from]!(raw);
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, config: parsed.data, format };
  const problems = problemsOf(parsed.error)
    .slice(0, 5)
    .map((p) => `${p.path}: ${p.message}`);
  return { ok: false, problem: problems.join("; "), raw, format };
}
