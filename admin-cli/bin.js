#!/usr/bin/env node
// Launcher: runs the TypeScript CLI on a Node that strips types (22.18+), re-running itself on
// the project's own Node 22 (the `node` devDependency) when an older Node started it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major > 22 || (major === 22 && minor >= 18)) {
  // A reader that stops early (`keystone release status | head`) closes the pipe: whatever is
  // left to write has no reader, so end quietly instead of dying of EPIPE with a stack trace.
  for (const stream of [process.stdout, process.stderr])
    stream.on("error", (error) => {
      if (error.code !== "EPIPE") throw error;
      process.exit(0);
    });
  const { main } = await import("./main.ts");
  process.exitCode = await main(process.argv.slice(2));
} else {
  const node = fileURLToPath(new URL("../node_modules/node/bin/node", import.meta.url));
  if (!existsSync(node)) {
    console.error(
      `keystone needs Node 22.18 or newer (this is ${process.version}); run npm install`,
    );
    process.exit(1);
  }
  // Ctrl-C reaches the child as well (same process group): it decides how to end (rollout status
  // --watch exits 0), so this launcher must not die of the signal first.
  process.on("SIGINT", () => {});
  const child = spawnSync(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  process.exit(child.status ?? 1);
}
