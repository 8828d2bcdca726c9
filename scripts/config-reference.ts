// Renders docs/config-reference.md from the schemas (as JSON Schema: required fields, defaults,
// allowed values and characters) and the descriptions in schemas/field-docs.ts.
//   npm run docs:config        rewrites the file; npm test fails while it is stale
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FIELD_DOCS } from "../schemas/field-docs.ts";
import { configSchema, type JsonSchema, resolve } from "../schemas/schema-map.ts";

export const REFERENCE_PATH = fileURLToPath(
  new URL("../docs/config-reference.md", import.meta.url),
);

export interface Field {
  /** `services[].rollout.analysis.minRequests` */
  path: string;
  name: string;
  type: string;
  required: boolean;
  default: string;
  description: string | undefined;
}

interface Section {
  path: string;
  fields: Field[];
}

const code = (text: string) => `\`${text.replaceAll("|", "\\|")}\``;

function range(node: JsonSchema): string {
  const low =
    node.exclusiveMinimum !== undefined
      ? `> ${node.exclusiveMinimum}`
      : node.minimum !== undefined
        ? `≥ ${node.minimum}`
        : "";
  const high =
    node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER ? `≤ ${node.maximum}` : "";
  return [low, high].filter(Boolean).join(", ");
}

/** A markdown link to the section documenting an object (the first path it was seen at). */
type Link = (node: JsonSchema, path: string) => string;

const signatureOf = (node: JsonSchema) => JSON.stringify(resolve(node));

/** A field's type in words, with what it allows. Objects name the section that documents them. */
function typeOf(raw: JsonSchema, path: string, link: Link): string {
  const node = resolve(raw);
  if (node.anyOf)
    return node.anyOf
      .filter((option) => option.type !== "null")
      .map((option) => typeOf(option, path, link))
      .join(", or ");
  if (node.enum) return `one of ${node.enum.map((v) => code(String(v))).join(", ")}`;
  if (node.const !== undefined) return code(JSON.stringify(node.const));
  const type = Array.isArray(node.type) ? node.type.join(" or ") : node.type;
  if (node.properties) return link(raw, path);
  if (type === "array") {
    const min = node.minItems ? ` (at least ${node.minItems})` : "";
    return `list of ${typeOf(node.items ?? {}, `${path}[]`, link)}${min}`;
  }
  if (type === "object") {
    const value = typeof node.additionalProperties === "object" ? node.additionalProperties : {};
    const keys = node.propertyNames?.pattern ? `, names ${code(node.propertyNames.pattern)}` : "";
    return `map of name → ${typeOf(value, `${path}.<name>`, link)}${keys}`;
  }
  if (type === "string") {
    const parts = [
      node.format === "uri" ? "URL" : "text",
      node.pattern && node.format !== "uri" ? code(node.pattern) : "",
      node.minLength
        ? `at least ${node.minLength} character${node.minLength === 1 ? "" : "s"}`
        : "",
      node.maxLength ? `at most ${node.maxLength} characters` : "",
    ];
    return parts.filter(Boolean).join(", ");
  }
  if (type === "integer" || type === "number") {
    const limits = range(node);
    return `${type === "integer" ? "whole number" : "number"}${limits ? ` ${limits}` : ""}`;
  }
  if (type === "boolean") return "`true` or `false`";
  return type ?? "any";
}

/** Every object of the config, each documented once (a shape used again links to the first). */
export function collectSections(): Section[] {
  const sections: Section[] = [];
  const seen = new Map<string, string>();
  const link: Link = (node, path) => {
    const target = seen.get(signatureOf(node)) ?? path;
    return `[${code(target)}](#${anchor(target)})`;
  };
  const visit = (raw: JsonSchema, path: string) => {
    const node = resolve(raw);
    if (node.properties) {
      const signature = signatureOf(raw);
      if (seen.has(signature)) return;
      seen.set(signature, path);
      const section: Section = { path, fields: [] };
      sections.push(section);
      for (const [name, child] of Object.entries(node.properties)) {
        const fieldPath = path ? `${path}.${name}` : name;
        visit(child, fieldPath);
        const fallback = child.default ?? resolve(child).default;
        section.fields.push({
          path: fieldPath,
          name,
          type: typeOf(child, fieldPath, link),
          required: node.required?.includes(name) ?? false,
          default: fallback === undefined ? "" : code(JSON.stringify(fallback)),
          description: FIELD_DOCS[fieldPath],
        });
      }
    } else if (node.anyOf) for (const option of node.anyOf) visit(option, path);
    else if (node.items) visit(node.items, `${path}[]`);
    else if (typeof node.additionalProperties === "object")
      visit(node.additionalProperties, `${path}.<name>`);
  };
  visit(configSchema(), "");
  return sections;
}

function anchor(path: string): string {
  return (path || "file")
    .replace(/[^a-z0-9]+/gi, "-")
    .replace(/^-|-$/g, "")
    .toLowerCase();
}

export function renderConfigReference(): string {
  const lines = [
    "# Config reference",
    "",
    "<!-- Generated by `npm run docs:config` from the schemas (schemas/) and the descriptions in",
    "     schemas/field-docs.ts. Do not edit by hand: npm test fails when this file is stale. -->",
    "",
    "Every field of a config file, as `keystone validate` and the Worker check it. **Required**",
    "fields must be given; the others take their default (or stay unset when there is none).",
    "Unknown fields are errors. Rules that span several fields, and what each setting does, are",
    "in [config.md](config.md).",
  ];
  for (const section of collectSections()) {
    const title = section.path || "The file";
    lines.push(
      "",
      `## <a id="${anchor(section.path)}"></a>${section.path ? code(title) : title}`,
      "",
    );
    if (FIELD_DOCS[section.path || "."]) lines.push(FIELD_DOCS[section.path || "."]!, "");
    lines.push("| field | type and allowed values | required / default | description |");
    lines.push("| --- | --- | --- | --- |");
    for (const field of section.fields) {
      const presence = field.required ? "**required**" : field.default || "optional";
      lines.push(
        `| ${code(field.name)} | ${field.type} | ${presence} | ${field.description ?? ""} |`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(REFERENCE_PATH, renderConfigReference());
  console.log(`wrote ${join("docs", "config-reference.md")}`);
}
