// The demo config npm start applies, built from examples/demo.yaml with the origins moved to the
// ports the demo origins really listen on (DEMO_STABLE_PORT, DEMO_CANARY_PORT).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseDocument } from "yaml";
import { PROJECT_ROOT } from "./stack.ts";

export const DEMO_TEMPLATE = join(PROJECT_ROOT, "examples/demo.yaml");

/** Writes the demo config for these origins to `path` (comments kept) and returns the path. */
export function writeDemoConfig(path: string, origins: { stable: string; canary: string }): string {
  const doc = parseDocument(readFileSync(DEMO_TEMPLATE, "utf8"));
  for (const [version, url] of Object.entries(origins))
    doc.setIn(["services", 0, "versions", version, "origin"], url);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, doc.toString({ lineWidth: 100 }));
  return path;
}

/** Loopback origin ports a stored service points at that no demo origin listens on now. */
export function staleDemoPorts(
  versions: Record<string, { origin: string }>,
  livePorts: number[],
): string[] {
  return Object.values(versions)
    .map((v) => new URL(v.origin))
    .filter((u) => ["127.0.0.1", "localhost"].includes(u.hostname))
    .filter((u) => !livePorts.includes(Number(u.port)))
    .map((u) => u.host);
}
