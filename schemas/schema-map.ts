// The config file's JSON Schema, generated from the zod schemas, and a walk to the schema at a
// path: which fields an object there may have (for "did you mean"), and what the config
// reference documents. CLI and docs only: the Worker never imports it.
import * as z from "zod";
import { ConfigFile } from "./config-file.ts";

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

let cached: JsonSchema | undefined;

/** The whole config file as JSON Schema (input side: fields with defaults are optional). */
export function configSchema(): JsonSchema {
  cached ??= z.toJSONSchema(ConfigFile, {
    io: "input",
    unrepresentable: "any",
    reused: "ref",
  }) as JsonSchema;
  return cached;
}

/** Follows a `#/$defs/…` reference and skips `null` in a nullable union. */
export function resolve(node: JsonSchema, root = configSchema()): JsonSchema {
  let current = node;
  for (let hops = 0; hops < 10; hops++) {
    if (current.$ref) {
      const name = current.$ref.replace(/^#\/\$defs\//, "");
      const target = root.$defs?.[name];
      if (!target) return current;
      current = target;
    } else if (current.anyOf) {
      const options = current.anyOf.filter((o) => o.type !== "null");
      if (options.length !== 1) return current;
      current = options[0]!;
    } else return current;
  }
  return current;
}

/** The schema one step down: a field of an object, an item of a list, a value of a map. */
export function childSchema(node: JsonSchema, part: string | number): JsonSchema | undefined {
  const here = resolve(node);
  if (typeof part === "number") return here.items;
  if (here.properties?.[part]) return here.properties[part];
  return typeof here.additionalProperties === "object" ? here.additionalProperties : undefined;
}

export function schemaAt(at: readonly (string | number)[]): JsonSchema | undefined {
  let node: JsonSchema | undefined = configSchema();
  for (const part of at) {
    node = node && childSchema(node, part);
    if (!node) return undefined;
  }
  return resolve(node!);
}

/** The fields an object at this path may have, or undefined when it is not a fixed object. */
export function fieldsAt(at: readonly (string | number)[]): string[] | undefined {
  const node = schemaAt(at);
  return node?.properties ? Object.keys(node.properties) : undefined;
}
