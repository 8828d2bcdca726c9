// The JSON Schema of the config file and of the release file, generated from the zod schemas, and
// a walk to the schema at a path: which fields an object there may have (for "did you mean"), and
// what the references document. CLI and docs only: the Worker never imports it.
import * as z from "zod";
import { ConfigFile } from "../schemas/config-file.ts";
import { ReleaseFile } from "../schemas/release-file.ts";

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

const cached = new Map<z.ZodType, JsonSchema>();

/** A file's schema as JSON Schema (input side: fields with defaults are optional). */
function fileSchema(schema: z.ZodType): JsonSchema {
  let json = cached.get(schema);
  if (!json) {
    json = z.toJSONSchema(schema, {
      io: "input",
      unrepresentable: "any",
      reused: "ref",
    }) as JsonSchema;
    cached.set(schema, json);
  }
  return json;
}

export const configSchema = (): JsonSchema => fileSchema(ConfigFile);
export const releaseSchema = (): JsonSchema => fileSchema(ReleaseFile);

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
export function childSchema(
  node: JsonSchema,
  part: string | number,
  root = configSchema(),
): JsonSchema | undefined {
  const here = resolve(node, root);
  if (typeof part === "number") return here.items;
  if (here.properties?.[part]) return here.properties[part];
  return typeof here.additionalProperties === "object" ? here.additionalProperties : undefined;
}

function schemaAt(at: readonly (string | number)[], root = configSchema()): JsonSchema | undefined {
  let node: JsonSchema | undefined = root;
  for (const part of at) {
    node = node && childSchema(node, part, root);
    if (!node) return undefined;
  }
  return resolve(node!, root);
}

/** The fields an object at this path of a config file may have (undefined: not a fixed object). */
export function fieldsAt(
  at: readonly (string | number)[],
  root = configSchema(),
): string[] | undefined {
  const node = schemaAt(at, root);
  return node?.properties ? Object.keys(node.properties) : undefined;
}

/** The same, in a release file. */
export const releaseFieldsAt = (at: readonly (string | number)[]) => fieldsAt(at, releaseSchema());
