// Processes the benchmark starts: origins in their own Node process, Workers in workerd via
// Miniflare directly (no wrangler dev proxy in the path).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { convertV4MiniflareOptions, Miniflare, type V4MiniflareOptions } from "miniflare";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const COMPATIBILITY_DATE = "2026-11-01";

export interface Origin {
  url: string;
  child: ChildProcess;
}

export async function startOriginProcess(errorRate = 0): Promise<Origin> {
  const child = spawn(process.execPath, [join(ROOT, "bench/origin-process.ts")], {
    env: { ...process.env, ORIGIN_ERROR_RATE: String(errorRate) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once("data", (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once("exit", (code) => reject(new Error(`origin exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

/** Bundles the Keystone Worker the way `wrangler deploy` would. */
export function bundleKeystone(): string {
  const out = mkdtempSync(join(tmpdir(), "keystone-bundle-"));
  execFileSync(
    process.execPath,
    [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", out],
    {
      cwd: ROOT,
      stdio: "ignore",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    },
  );
  return join(out, "index.js");
}

export const BENCH_TOKEN = "bench-admin-token";

/** A Miniflare instance from the well-known v4 option shape, without per-request logging. */
function miniflare(options: V4MiniflareOptions): Miniflare {
  return new Miniflare({ ...convertV4MiniflareOptions(options), logRequests: false });
}

export function keystoneWorker(scriptPath: string, vars: Record<string, string> = {}): Miniflare {
  return miniflare({
    host: "127.0.0.1",
    port: 0,
    modules: true,
    scriptPath,
    // Module names are relative to this root; the bundle lives in a temporary folder.
    modulesRoot: dirname(scriptPath),
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: ["nodejs_compat"],
    kvNamespaces: ["ROUTES"],
    durableObjects: {
      SERVICES: { className: "ServiceObject", useSQLite: true },
      REGISTRY: { className: "RegistryObject", useSQLite: true },
      STATS: { className: "StatsObject", useSQLite: true },
    },
    bindings: {
      ADMIN_TOKEN: BENCH_TOKEN,
      READ_TOKEN: BENCH_TOKEN,
      ROUTE_REFRESH_SECONDS: "30",
      METRICS_FLUSH_SECONDS: "5",
      ...vars,
    },
  });
}

export function bareWorker(origin: string): Miniflare {
  return miniflare({
    host: "127.0.0.1",
    port: 0,
    modules: true,
    scriptPath: join(ROOT, "bench/workers/bare.js"),
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { ORIGIN: origin },
  });
}

export async function naiveWorker(origin: string): Promise<Miniflare> {
  const mf = miniflare({
    host: "127.0.0.1",
    port: 0,
    modules: true,
    scriptPath: join(ROOT, "bench/workers/naive.js"),
    compatibilityDate: COMPATIBILITY_DATE,
    kvNamespaces: ["CONFIG"],
  });
  const kv = await mf.getKVNamespace("CONFIG");
  await kv.put(
    "config",
    JSON.stringify({
      versions: { stable: origin, canary: origin },
      weights: { stable: 95, canary: 5 },
    }),
  );
  return mf;
}

export async function urlOf(mf: Miniflare): Promise<string> {
  return (await mf.ready).toString().replace(/\/$/, "");
}
