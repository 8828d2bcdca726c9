// End-to-end harness: real origins, the Worker under wrangler dev with state on disk, and the
// real keystone CLI run as a process. Most files join the one Worker the e2e project shares
// (test/support/shared-stack.ts); a file that needs a Worker of its own (a restart, secrets left
// unset) starts one. On the shared Worker a file keeps to itself: its services claim a host of its
// own (<file>.localhost) and have names no other file uses, since history outlives a delete. Files
// run one at a time: the cron is the whole Worker's, a tick one file fires moves every rollout.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, inject } from "vitest";
import { type OriginServer, startOrigin } from "../../scripts/origin-server.ts";
import { type LocalSecrets, PROJECT_ROOT } from "../../scripts/stack.ts";
import { bucketKeyOf, bucketOf } from "../../worker/core/hash.ts";
import { E2E_BUCKET_SECRET, startE2eWorker } from "./shared-stack.ts";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface E2eStack {
  /** Where this file's requests go: the Worker, under the host this file's services claim. */
  url: string;
  /** The host this file's services claim: <file>.localhost, or 127.0.0.1 on a Worker of its own. */
  host: string;
  /** The Worker at 127.0.0.1, for processes (the CLI, pipeline jobs) that resolve no .localhost. */
  adminUrl: string;
  secrets: LocalSecrets;
  origins: { stable: OriginServer; canary: OriginServer };
  /** This file's own folder: its config files, the CLI's working directory. */
  dir: string;
  /** Runs `keystone …` as a process with the admin token, from a folder with no .dev.vars. */
  cli(args: string[], env?: Record<string, string | undefined>): Promise<CliRun>;
  writeFile(name: string, text: string): string;
  /** Closes this file's origins and folder, and a Worker of its own. */
  stop(): Promise<void>;
}

/** A stack with a Worker of its own, which a test may restart. */
export interface OwnE2eStack extends E2eStack {
  restart(): Promise<void>;
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
 * This file's part of the shared Worker and an origin that fails one request in five (a faulty
 * canary), set up before its tests and closed after them. Read them inside tests.
 */
export function useStackWithFaultyOrigin(file: string): {
  readonly stack: E2eStack;
  readonly faulty: OriginServer;
} {
  const setup = {} as { stack: E2eStack; faulty: OriginServer };
  beforeAll(async () => {
    setup.stack = await joinSharedStack(file);
    setup.faulty = await startOrigin("faulty", { errorRate: 0.2 });
  }, 180_000);
  afterAll(async () => {
    await setup.faulty?.close();
    await setup.stack?.stop();
  });
  return setup;
}

/** This file's part of the shared Worker: the host `<file>.localhost`, origins and a folder. */
export async function joinSharedStack(file: string): Promise<E2eStack> {
  const { port, secrets } = inject("sharedWorker");
  const dir = mkdtempSync(join(tmpdir(), `keystone-e2e-${file}-`));
  const origins = { stable: await startOrigin("stable"), canary: await startOrigin("canary") };
  const host = `${file}.localhost`;
  const adminUrl = `http://127.0.0.1:${port}`;
  return {
    ...clientOf(adminUrl, secrets, dir),
    url: `http://${host}:${port}`,
    host,
    adminUrl,
    secrets,
    origins,
    dir,
    async stop() {
      await origins.stable.close();
      await origins.canary.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `unset`: secrets the Worker runs without, as a deployment that never set them would. */
export async function startE2eStack(
  setup: { unset?: (keyof LocalSecrets)[] } = {},
): Promise<OwnE2eStack> {
  const worker = await startE2eWorker(setup);
  const origins = { stable: await startOrigin("stable"), canary: await startOrigin("canary") };
  return {
    ...clientOf(worker.url, worker.secrets, worker.dir),
    url: worker.url,
    host: "127.0.0.1",
    adminUrl: worker.url,
    secrets: worker.secrets,
    origins,
    dir: worker.dir,
    restart: () => worker.restart(),
    async stop() {
      await worker.stop();
      await origins.stable.close();
      await origins.canary.close();
    },
  };
}

/** The CLI against `adminUrl` with the admin token, and files, both in `dir`. */
function clientOf(
  adminUrl: string,
  secrets: LocalSecrets,
  dir: string,
): Pick<E2eStack, "cli" | "writeFile"> {
  return {
    cli: (args, env = {}) =>
      runCli(args, dir, { KEYSTONE_URL: adminUrl, KEYSTONE_TOKEN: secrets.ADMIN_TOKEN, ...env }),
    writeFile(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
  };
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

/** The e2e Workers' bucket key (each has the same): tests place visitors as the Worker does. */
const BUCKET_KEY = bucketKeyOf(E2E_BUCKET_SECRET);

/**
 * A visitor id whose bucket (for `salt`: the service's name, or its sticky group) lies in
 * [from, to): a probe that one split sends to a version and the split before or after does not.
 */
export function visitorInBuckets(salt: string, from: number, to: number): string {
  for (let i = 0; ; i++) {
    const id = `probe-${salt}-${i}-0000`;
    const bucket = bucketOf(salt, id, BUCKET_KEY);
    if (bucket >= from && bucket < to) return id;
  }
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
