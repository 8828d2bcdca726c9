// End-to-end harness: real origins, the Worker under wrangler dev with state on disk, and the
// real keystone CLI run as a process.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { closedPort, type OriginServer, startOrigin } from "../../scripts/origin-server.ts";
import {
  type LocalSecrets,
  PROJECT_ROOT,
  randomSecrets,
  type Stack,
  startWorker,
  writeEnvFile,
} from "../../scripts/stack.ts";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface E2eStack {
  url: string;
  secrets: LocalSecrets;
  origins: { stable: OriginServer; canary: OriginServer };
  dir: string;
  /** Runs `keystone …` as a process with the admin token, from a folder with no .dev.vars. */
  cli(args: string[], env?: Record<string, string | undefined>): Promise<CliRun>;
  writeFile(name: string, text: string): string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Fires the Worker's cron (wrangler dev --test-scheduled) at a chosen time. */
export async function fireCron(url: string, time = Date.now()): Promise<void> {
  const response = await fetch(
    `${url}/__scheduled?cron=${encodeURIComponent("* * * * *")}&time=${time}`,
  );
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`firing the cron failed: HTTP ${response.status}`);
}

/**
 * A stack for the whole test file and an origin that fails one request in five (a faulty
 * canary), started before its tests and stopped after them. Read them inside tests.
 */
export function useStackWithFaultyOrigin(): {
  readonly stack: E2eStack;
  readonly faulty: OriginServer;
} {
  const setup = {} as { stack: E2eStack; faulty: OriginServer };
  beforeAll(async () => {
    setup.stack = await startE2eStack();
    setup.faulty = await startOrigin("faulty", { errorRate: 0.2 });
  }, 180_000);
  afterAll(async () => {
    await setup.faulty?.close();
    await setup.stack?.stop();
  });
  return setup;
}

/** The stack's bucket key: fixed, so tests can work out where a visitor lands (as the Worker does). */
export const E2E_BUCKET_SECRET = "e2e-bucket-secret";

/** `unset`: secrets the Worker runs without, as a deployment that never set them would. */
export async function startE2eStack(
  setup: { unset?: (keyof LocalSecrets)[] } = {},
): Promise<E2eStack> {
  const dir = mkdtempSync(join(tmpdir(), "keystone-e2e-"));
  // A fixed bucket key, so a test's visitors land where they did on the last run.
  const secrets = { ...randomSecrets(), BUCKET_SECRET: E2E_BUCKET_SECRET };
  const envFile = join(dir, "worker.env");
  const given: Partial<LocalSecrets> = { ...secrets };
  for (const name of setup.unset ?? []) delete given[name];
  // Flush outcomes with every request, so a test's traffic reaches the stats objects at once.
  writeEnvFile(envFile, given, { METRICS_FLUSH_SECONDS: "0" });
  const origins = { stable: await startOrigin("stable"), canary: await startOrigin("canary") };
  const port = await closedPort();
  const options = { port, persistTo: join(dir, "state"), envFile };
  let worker: Stack = await startWorker(options);

  const stack: E2eStack = {
    url: worker.url,
    secrets,
    origins,
    dir,
    cli: (args, env = {}) =>
      runCli(args, dir, { KEYSTONE_URL: worker.url, KEYSTONE_TOKEN: secrets.ADMIN_TOKEN, ...env }),
    writeFile(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    async restart() {
      await worker.stop();
      worker = await startWorker(options);
    },
    async stop() {
      await worker.stop();
      await origins.stable.close();
      await origins.canary.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

export function runCli(
  args: string[],
  cwd: string,
  env: Record<string, string | undefined>,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, "admin-cli/bin.js"), ...args], {
      cwd,
      env: {
        ...process.env,
        KEYSTONE_URL: undefined,
        KEYSTONE_TOKEN: undefined,
        NO_COLOR: "1",
        // The developer's own contexts (keystone context use) never steer a test.
        KEYSTONE_CONFIG_DIR: join(cwd, ".keystone-config"),
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The version that answered a real HTTP request through the Worker. */
export async function versionServed(
  url: string,
  init: { headers?: Record<string, string>; path?: string } = {},
): Promise<string | null> {
  const response = await fetch(`${url}${init.path ?? "/"}`, { headers: init.headers });
  await response.arrayBuffer();
  return response.headers.get("x-keystone-version");
}

/** Polls until the data plane serves `expected` (publication and isolate refresh take ~1-2 s locally). */
export function waitForVersion(
  url: string,
  expected: string | null,
  init: { headers?: Record<string, string>; path?: string } = {},
): Promise<void> {
  return waitForResponse(
    url,
    `version ${expected}`,
    (r) => r.headers.get("x-keystone-version") === expected,
    init,
  );
}

/** Polls until a response through the Worker satisfies `done`: the new config is live. */
export async function waitForResponse(
  url: string,
  what: string,
  done: (response: Response) => boolean,
  init: { headers?: Record<string, string>; path?: string } = {},
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${url}${init.path ?? "/"}`, { headers: init.headers });
    await response.arrayBuffer();
    if (done(response)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the data plane did not show ${what} within ${timeoutMs} ms`);
}
