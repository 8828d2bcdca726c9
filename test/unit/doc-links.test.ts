// The docs' links between themselves hold: every relative link in README.md and docs/*.md names a
// file that exists, and every `#anchor` one of its headings (as GitHub spells them) or an
// `<a id>` in it. A section renumbered must not leave a link to its old number behind.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../scripts/stack.ts";

const DOCS = [
  "README.md",
  ...readdirSync(join(PROJECT_ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

/** Text outside fenced code blocks (kept as empty lines) and inline code spans. */
const prose = (text: string) =>
  text.replace(/```[\s\S]*?```/g, (block) => block.replace(/[^\n]/g, "")).replace(/`[^`\n]*`/g, "");

/** GitHub's heading ids: lower case, punctuation dropped, spaces to `-`, repeats numbered. */
function anchorsOf(file: string): Set<string> {
  const text = readFileSync(join(PROJECT_ROOT, file), "utf8").replace(/```[\s\S]*?```/g, "");
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of text.matchAll(/^#{1,6}\s+(.*)$/gm)) {
    const slug = heading!
      .replace(/<[^>]+>/g, "")
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(slug);
    seen.set(slug, (n ?? -1) + 1);
    anchors.add(n === undefined ? slug : `${slug}-${n + 1}`);
  }
  for (const [, id] of text.matchAll(/<a id="([^"]+)"/g)) anchors.add(id!);
  return anchors;
}

describe("links between the docs", () => {
  it("every relative link names a file that exists, and an anchor that file has", () => {
    const broken: string[] = [];
    for (const file of DOCS) {
      const lines = prose(readFileSync(join(PROJECT_ROOT, file), "utf8")).split("\n");
      lines.forEach((line, index) => {
        for (const [, link] of line.matchAll(/\]\(([^)\s]+)\)/g)) {
          if (/^[a-z]+:/i.test(link!)) continue;
          const [path, anchor] = link!.split("#");
          const target = path ? normalize(join(dirname(file), path)) : file;
          const where = `${file}:${index + 1}: ${link}`;
          if (!existsSync(join(PROJECT_ROOT, target))) broken.push(`${where} (no such file)`);
          else if (anchor && target.endsWith(".md") && !anchorsOf(target).has(anchor))
            broken.push(`${where} (no such heading in ${target})`);
        }
      });
    }
    expect(broken).toEqual([]);
  });
});
