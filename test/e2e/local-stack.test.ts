// End to end: `npm start` on non-default ports tells the truth (demo origins on the configured
// ports, hints with the right --url, no warning from `keystone get`, no offline stack trace), the
// README's local rollout recipe reaches `promoted`, a second `npm start` on a busy port stops with
// one line and exit 1, and after a restart on other ports its re-apply hint works as printed.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort } from "../../scripts/origin-server.ts";
import { readEnvFile } from "../../scripts/stack.ts";
import { waitForResponse } from "../support/e2e-stack.ts";
import {
  readmeRecipe,
  runShell,
  runStart,
  type StartRun,
  stopStart,
} from "../support/local-stack.ts";

const dir = mkdtempSync(join(tmpdir(), "keystone-local-"));
const ports = { worker: 0, stable: 0, canary: 0 };
let first: StartRun;
/** The `npm start` running now (the first, or the one restarted on other ports). */
let running: StartRun | undefined;

function startEnv(worker: number, stable: number, canary: number, localDir = dir) {
  return {
    PORT: String(worker),
    DEMO_STABLE_PORT: String(stable),
    DEMO_CANARY_PORT: String(canary),
    KEYSTONE_LOCAL_DIR: localDir,
  };
}

// npm start runs a stack of its own, on ports this file picks (not the shared Worker).
beforeAll(async () => {
  ports.worker = await closedPort();
  ports.stable = await closedPort();
  ports.canary = await closedPort();
  first = runStart(startEnv(ports.worker, ports.stable, ports.canary));
  const code = await first.settled;
  if (code !== null) throw new Error(`npm start exited ${code}:\n${first.output()}`);
  running = first;
}, 180_000);

afterAll(async () => {
  if (running) await stopStart(running);
  rmSync(dir, { recursive: true, force: true });
});

describe("npm start on non-default ports", () => {
  it("routes the demo to origins on the configured ports and prints hints with --url", async () => {
    const url = `http://127.0.0.1:${ports.worker}`;
    expect(first.output()).toContain(`npx keystone get --url ${url}`);
    expect(first.output()).toContain(`PORT=${ports.worker} npm run traffic`);
    const demo = readFileSync(join(dir, ".keystone/demo.yaml"), "utf8");
    expect(demo).toContain(`origin: "http://127.0.0.1:${ports.stable}"`);
    expect(demo).toContain(`origin: "http://127.0.0.1:${ports.canary}"`);
    const response = await fetch(`${url}/`, { headers: { "x-canary": "always" } });
    expect(response.headers.get("x-keystone-version")).toBe("canary");
    expect(((await response.json()) as { origin: string }).origin).toBe("canary");
    expect(readEnvFile(join(dir, ".dev.vars")).METRICS_FLUSH_SECONDS).toBe("1");
  });

  it("offline, wrangler prints no stack trace: request.cf is the fixed placeholder, not fetched", () => {
    expect(first.output()).toContain("Ready on");
    expect(first.output()).not.toMatch(/getaddrinfo|ENOTFOUND|Unable to fetch the `Request.cf`/);
  });

  it("its printed `keystone get` lists the demo and warns about no missing secret", async () => {
    const line = first
      .output()
      .split("\n")
      .find((l) => l.includes("npx keystone get"))!
      .replace(/\s+#.*$/, "")
      .trim();
    expect(line).toBe(
      `KEYSTONE_LOCAL_DIR=${dir} npx keystone get --url http://127.0.0.1:${ports.worker}`,
    );
    const got = await runShell(line, {});
    expect(got.code, got.output).toBe(0);
    expect(got.output).toMatch(/^demo\s/m);
    expect(got.output).not.toContain("warning");
  });

  it("the README's local rollout recipe, line by line, ends promoted", async () => {
    const url = `http://127.0.0.1:${ports.worker}`;
    const env = {
      KEYSTONE_URL: url,
      KEYSTONE_TOKEN: readEnvFile(join(dir, ".dev.vars")).ADMIN_TOKEN!,
      PORT: String(ports.worker),
    };
    const lines = readmeRecipe("local rollout");
    expect(lines.length).toBeGreaterThanOrEqual(5);
    let last = "";
    for (const line of lines) {
      const run = await runShell(
        line.replaceAll("127.0.0.1:8787", `127.0.0.1:${ports.worker}`),
        env,
      );
      expect(run.code, `${line}\n${run.output}`).toBe(0);
      last = run.output;
    }
    expect(last).toContain("promoted");
    const status = await runShell("npx keystone rollout status demo --json", env);
    expect(JSON.parse(status.output.slice(status.output.indexOf("{"))).state.phase).toBe(
      "promoted",
    );
  }, 150_000);
});

describe("a busy port", () => {
  it("a second npm start on the Worker's port: one line naming it, exit 1, never 'running'", async () => {
    const other = mkdtempSync(join(tmpdir(), "keystone-local-2-"));
    const second = runStart(startEnv(ports.worker, await closedPort(), await closedPort(), other));
    expect(await second.settled).toBe(1);
    const lines = second.output().trim().split("\n");
    expect(lines).toEqual([
      `npm start: port ${ports.worker} (the Worker) is already in use, perhaps by another npm start: stop it or set PORT to a free port`,
    ]);
    rmSync(other, { recursive: true, force: true });
  });

  it("a busy origin port is named the same way", async () => {
    const other = mkdtempSync(join(tmpdir(), "keystone-local-3-"));
    const second = runStart(startEnv(await closedPort(), await closedPort(), ports.canary, other));
    expect(await second.settled).toBe(1);
    expect(second.output().trim()).toBe(
      `npm start: port ${ports.canary} (the canary demo origin) is already in use, perhaps by another npm start: stop it or set DEMO_CANARY_PORT to a free port`,
    );
    rmSync(other, { recursive: true, force: true });
  });
});

describe("npm start again with the demo origins on other ports", () => {
  it("says the stored demo routes to the old ports, and its re-apply hint works as printed", async () => {
    await stopStart(first);
    running = undefined;
    const stable = await closedPort();
    const canary = await closedPort();
    const again = runStart(startEnv(ports.worker, stable, canary));
    running = again;
    const code = await again.settled;
    expect(code, again.output()).toBeNull();
    const note = again
      .output()
      .split("\n")
      .find((line) => line.startsWith("note: the stored demo service routes to"));
    expect(note, again.output()).toBeDefined();
    const hint = note!.slice(note!.indexOf("re-point it with: ") + "re-point it with: ".length);
    expect(hint).toBe(
      `KEYSTONE_LOCAL_DIR=${dir} npx keystone apply -f ${join(dir, ".keystone/demo.yaml")} --url http://127.0.0.1:${ports.worker} --force`,
    );
    const applied = await runShell(hint, {});
    expect(applied.code, applied.output).toBe(0);
    // The canary now answers from the new port: the forced request reaches a live origin.
    await waitForResponse(
      `http://127.0.0.1:${ports.worker}`,
      "the canary on its new port",
      (r) => r.status === 200 && r.headers.get("x-keystone-version") === "canary",
      { headers: { "x-canary": "always" } },
    );
    expect(readFileSync(join(dir, ".keystone/demo.yaml"), "utf8")).toContain(
      `origin: "http://127.0.0.1:${canary}"`,
    );
  }, 180_000);
});
