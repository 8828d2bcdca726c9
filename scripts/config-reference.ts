// Renders docs/config-reference.md and docs/release-reference.md from the schemas (as JSON
// Schema: required fields, defaults, allowed values and characters) and the descriptions in
// scripts/field-docs.ts and scripts/release-field-docs.ts.
//   npm run docs:config        rewrites both files; npm test fails while one is stale
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { configSchema, type JsonSchema, releaseSchema, resolve } from "../admin-cli/schema-map.ts";
import { FIELD_DOCS } from "./field-docs.ts";
import { RELEASE_FIELD_DOCS } from "./release-field-docs.ts";

/** One generated reference: which file's schema, its descriptions, where it is written. */
export interface ReferenceSpec {
  path: string;
  root: () => JsonSchema;
  docs: Record<string, string>;
  title: string;
  intro: string[];
}

const docPath = (name: string) => fileURLToPath(new URL(`../docs/${name}`, import.meta.url));

export const CONFIG_REFERENCE: ReferenceSpec = {
  path: docPath("config-reference.md"),
  root: configSchema,
  docs: FIELD_DOCS,
  title: "Config reference",
  intro: [
    "Every field of a config file, as `keystone validate` and the Worker check it. **Required**",
    "fields must be given; the others take their default (or stay unset when there is none).",
    "Unknown fields are errors. Rules that span several fields, and what each setting does, are",
    "in [config.md](config.md).",
  ],
};

export const RELEASE_REFERENCE: ReferenceSpec = {
  path: docPath("release-reference.md"),
  root: releaseSchema,
  docs: RELEASE_FIELD_DOCS,
  title: "Release file reference",
  intro: [
    "Every field of a release file, as `keystone release start` and the Worker check it.",
    "**Required** fields must be given. Unknown fields are errors. How a release runs is in",
    "[releases.md](releases.md).",
  ],
};

export const REFERENCES = [CONFIG_REFERENCE, RELEASE_REFERENCE];

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
type Link = ((node: JsonSchema, path: string) => string) & { root: JsonSchema };

const signatureOf = (node: JsonSchema, root: JsonSchema) => JSON.stringify(resolve(node, root));

/** A field's type in words, with what it allows. Objects name the section that documents them. */
function typeOf(raw: JsonSchema, path: string, link: Link): string {
  const node = resolve(raw, link.root);
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
    const names = node.propertyNames;
    const longest = names?.maxLength ? ` of at most ${names.maxLength} characters` : "";
    const keys = names?.pattern ? `, names ${code(names.pattern)}${longest}` : "";
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
export function collectSections(spec: ReferenceSpec = CONFIG_REFERENCE): Section[] {
  const root = spec.root();
  const sections: Section[] = [];
  const seen = new Map<string, string>();
  const link: Link = Object.assign(
    (node: JsonSchema, path: string) => {
      const target = seen.get(signatureOf(node, root)) ?? path;
      return `[${code(target)}](#${anchor(target)})`;
    },
    { root },
  );
  const visit = (raw: JsonSchema, path: string) => {
    const node = resolve(raw, root);
    if (node.properties) {
      const signature = signatureOf(raw, root);
      if (seen.has(signature)) return;
      seen.set(signature, path);
      const section: Section = { path, fields: [] };
      sections.push(section);
      for (const [name, child] of Object.entries(node.properties)) {
        const fieldPath = path ? `${path}.${name}` : name;
        visit(child, fieldPath);
        const fallback = child.default ?? resolve(child, root).default;
        section.fields.push({
          path: fieldPath,
          name,
          type: typeOf(child, fieldPath, link),
          required: node.required?.includes(name) ?? false,
          default: fallback === undefined ? "" : code(JSON.stringify(fallback)),
          description: spec.docs[fieldPath],
        });
      }
    } else if (node.anyOf) for (const option of node.anyOf) visit(option, path);
    else if (node.items) visit(node.items, `${path}[]`);
    else if (typeof node.additionalProperties === "object")
      visit(node.additionalProperties, `${path}.<name>`);
  };
  visit(root, "");
  return sections;
}

function anchor(path: string): string {
  return (path || "file")
    .replace(/[^a-z0-9]+/gi, "-")
    .replace(/^-|-$/g, "")
    .toLowerCase();
}

export function renderReference(spec: ReferenceSpec): string {
  const docsFile = spec === CONFIG_REFERENCE ? "field-docs.ts" : "release-field-docs.ts";
  const lines = [
    `# ${spec.title}`,
    "",
    "<!-- Generated by `npm run docs:config` from the schemas (schemas/) and the descriptions in",
    `     scripts/${docsFile}. Do not edit by hand: npm test fails when this file is stale. -->`,
    "",
    ...spec.intro,
  ];
  for (const section of collectSections(spec)) {
    const title = section.path || "The file";
    lines.push(
      "",
      `## <a id="${anchor(section.path)}"></a>${section.path ? code(title) : title}`,
      "",
    );
    const intro = spec.docs[section.path || "."];
    if (intro) lines.push(intro, "");
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

export const renderConfigReference = () => renderReference(CONFIG_REFERENCE);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const spec of REFERENCES) {
    writeFileSync(spec.path, renderReference(spec));
    console.log(`wrote ${join("docs", spec.path.split("/").at(-1)!)}`);
  }
}
