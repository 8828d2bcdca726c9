// Runs the Worker locally under `wrangler dev` (workerd, local KV and Durable Objects on disk):
// used by `npm start`, the end-to-end tests and the demo.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));
const WRANGLER = join(PROJECT_ROOT, "node_modules/wrangler/bin/wrangler.js");

export interface LocalSecrets {
  ADMIN_TOKEN: string;
  READ_TOKEN: string;
  OVERRIDE_SECRET: string;
  NOTIFY_SECRET: string;
  DEPLOY_WEBHOOK_SECRET: string;
  AFFINITY_SECRET: string;
  BUCKET_SECRET: string;
}

export function randomSecrets(): LocalSecrets {
  const secret = () => randomBytes(24).toString("base64url");
  return {
    ADMIN_TOKEN: secret(),
    READ_TOKEN: secret(),
    OVERRIDE_SECRET: secret(),
    NOTIFY_SECRET: secret(),
    DEPLOY_WEBHOOK_SECRET: secret(),
    AFFINITY_SECRET: secret(),
    BUCKET_SECRET: secret(),
  };
}

/**
 * Local-only settings: routes refresh and metrics flush every second and rollouts tick every two
 * (from their objects' alarms), so changes show fast, and the admin API answers on every host
 * (127.0.0.1, localhost), as ADMIN_HOSTS="*" says.
 */
export const LOCAL_DEV_VARS = {
  ROUTE_REFRESH_SECONDS: "1",
  METRICS_FLUSH_SECONDS: "1",
  ROLLOUT_TICK_SECONDS: "2",
  ADMIN_HOSTS: "*",
} as const;

/** Writes a dotenv file of local secrets and the local dev settings. */
export function writeEnvFile(
  path: string,
  secrets: Partial<LocalSecrets>,
  extra: Record<string, string> = {},
): void {
  const vars = { ...secrets, ...LOCAL_DEV_VARS, ...extra };
  const lines = Object.entries(vars).map(([k, v]) => `${k}=${v}`);
  writeFileSync(path, `# Local secrets for wrangler dev; never commit.\n${lines.join("\n")}\n`, {
    mode: 0o600,
  });
}

/**
 * The local .dev.vars: created with fresh secrets when absent; one written by an older version
 * gets the local dev settings it lacks (without METRICS_FLUSH_SECONDS a local rollout's outcomes
 * wait 5 s to be counted) and a fresh value for each secret added since (AFFINITY_SECRET: version
 * pins and group visitor headers are off without it; NOTIFY_SECRET: every `keystone get` warns
 * that notify events go unsigned). Returns what it did, for one line of output.
 */
export function ensureLocalEnvFile(path: string): string | undefined {
  if (!existsSync(path)) {
    writeEnvFile(path, randomSecrets());
    return `created ${path} with fresh local tokens (git-ignored)`;
  }
  const vars = readEnvFile(path);
  const fresh: Record<string, string> = { ...randomSecrets() };
  const wanted: Record<string, string> = { ...fresh, ...LOCAL_DEV_VARS };
  const missing = Object.entries(wanted).filter(([key]) => vars[key] === undefined);
  if (missing.length === 0) return undefined;
  appendFileSync(path, missing.map(([k, v]) => `${k}=${v}\n`).join(""));
  // Secrets are named, never shown; settings are shown with their value.
  const shown = missing.map(([k, v]) => (k in fresh ? k : `${k}=${v}`));
  return `added ${shown.join(", ")} to ${path}`;
}

export function readEnvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^([A-Z_][A-Z0-9_]*)\s*=\s*"?([^"]*)"?\s*$/.exec(line);
    if (match) out[match[1]!] = match[2]!;
  }
  return out;
}

export interface StackOptions {
  port: number;
  persistTo: string;
  envFile: string;
  /** Pass the Worker's output through (npm start) or keep it for error reports (tests). */
  inheritOutput?: boolean;
  testScheduled?: boolean;
}

export interface Stack {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startWorker(options: StackOptions): Promise<Stack> {
  const args = [
    WRANGLER,
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(options.port),
    "--inspector-port",
    "0",
    "--persist-to",
    options.persistTo,
    "--env-file",
    options.envFile,
    "--show-interactive-dev-session=false",
    ...(options.testScheduled === false ? [] : ["--test-scheduled"]),
  ];
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    detached: true,
    stdio: options.inheritOutput ? "inherit" : ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      CI: "true",
      // Miniflare would fetch request.cf from workers.cloudflare.com at every start (a stack trace
      // when offline) and use the developer's own location; the fixed placeholder (country US,
      // colo DFW) makes geo rules and waves behave the same on every machine, offline or not.
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
    },
  });
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (chunk: Buffer) => {
      tail.push(...chunk.toString().split("\n"));
      tail.splice(0, Math.max(0, tail.length - 40));
    });
  }
  const url = `http://127.0.0.1:${options.port}`;
  const stop = () => stopProcessGroup(child);
  try {
    await waitUntilHealthy(url, child, 120_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- wrangler output ---\n${tail.join("\n")}`);
  }
  return { url, process: child, stop };
}

async function waitUntilHealthy(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/_keystone/health`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the Worker did not answer on ${url} within ${timeoutMs / 1000} s`);
}

/** wrangler starts workerd as a child: signal the whole group, then make sure it is gone. */
export async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }, 5_000);
  await exited;
  clearTimeout(timer);
}
