// `npm run screenshots` in real headless Chromium: from the demo's stack it writes the rollout in
// progress, the incident and the whole status page, each checked on the page before it is taken;
// and the docs show no picture the script does not make, so none can drift from the product.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../scripts/stack.ts";

const out = mkdtempSync(join(tmpdir(), "keystone-screenshots-"));
let output = "";
let code: number | null = null;

beforeAll(async () => {
  const child = spawn(
    process.execPath,
    [join(PROJECT_ROOT, "scripts/screenshots.ts"), "--out", out],
    {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NODE_ENV: undefined, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  code = await new Promise<number | null>((resolve) => child.on("close", resolve));
}, 240_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** What the script said it wrote: file name → what the page showed. */
function written(): Map<string, string> {
  const lines = [...output.matchAll(/^wrote (\S+): (.*)$/gm)];
  return new Map(lines.map(([, path, what]) => [path!.slice(path!.lastIndexOf("/") + 1), what!]));
}

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(path: string): { width: number; height: number } {
  const bytes = readFileSync(path);
  expect(bytes.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe("npm run screenshots", () => {
  it("writes the rollout in progress, the incident and the status page from the demo's story", () => {
    expect(code, output).toBe(0);
    const shots = written();
    expect([...shots.keys()].sort()).toEqual(["incident.png", "rollout.png", "status-page.png"]);
    expect(shots.get("rollout.png")).toMatch(
      /^the demo service mid-rollout: progressing · canary rollout of canary \(release v2\) against stable · step \d of 2 .* · next analysis (in \d+ s|due now)/,
    );
    expect(shots.get("incident.png")).toBe("Incident 1 of demo: rollout rolled back");
    expect(shots.get("status-page.png")).toMatch(/: rolled back · .*; 1 incident\(s\)$/);
    expect(output).not.toContain("<script");
    for (const name of shots.keys()) {
      const { width, height } = pngSize(join(out, name));
      expect(width, name).toBeGreaterThanOrEqual(1000);
      expect(height, name).toBeGreaterThanOrEqual(500);
    }
  });

  it("every picture in docs/img, and every one the docs show, is one the script makes", () => {
    const made = [...written().keys()];
    expect(made.length).toBeGreaterThan(0);
    expect(readdirSync(join(PROJECT_ROOT, "docs/img")).sort()).toEqual(made.sort());
    const docs = ["README.md", ...readdirSync(join(PROJECT_ROOT, "docs")).map((f) => `docs/${f}`)]
      .filter((path) => path.endsWith(".md"))
      .map((path) => readFileSync(join(PROJECT_ROOT, path), "utf8"));
    const shown = docs.flatMap((text) => [...text.matchAll(/\]\((?:docs\/)?img\/([^)]+)\)/g)]);
    expect(shown.length).toBeGreaterThanOrEqual(3);
    for (const [, name] of shown) expect(made).toContain(name);
  });
});
