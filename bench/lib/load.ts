// One fixed-size load run: autocannon in its own (optionally pinned) process, the same connections
// and duration for every Worker, with the CPU time workerd and the origin spent meanwhile.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { cpuSeconds } from "./cpu.ts";
import { pinnedCommand, pinProcess } from "./pinning.ts";

const LOAD_PROCESS = fileURLToPath(new URL("../load-process.ts", import.meta.url));
const run = promisify(execFile);

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests answered. */
  total: number;
  errors: number;
  non2xx: number;
  /** CPU seconds the load generator used. */
  loadCpuSeconds: number;
}

export interface LoadSettings {
  seconds: number;
  connections: number;
  /** Cores the load generator runs on (all when undefined). */
  cores: string | undefined;
  /** Requests in flight per connection (1 unless measuring the origin's own capacity). */
  pipelining?: number;
}

export async function load(
  url: string,
  headers: Record<string, string>,
  settings: LoadSettings,
): Promise<LoadResult> {
  const { command, args } = pinnedCommand(settings.cores, process.execPath, [
    LOAD_PROCESS,
    JSON.stringify({
      url,
      headers,
      seconds: settings.seconds,
      connections: settings.connections,
      pipelining: settings.pipelining ?? 1,
    }),
  ]);
  const { stdout } = await run(command, args, { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as LoadResult;
}

export interface MeasuredRun extends LoadResult {
  /** workerd CPU time per request answered. */
  cpuUsPerRequest: number;
  /** Cores' worth of CPU workerd, the load generator and the origin used while the load ran. */
  workerdCores: number;
  loadCores: number;
  originCores: number;
}

/** A load run with the CPU time of the Worker's workerd process and the origin's process. */
export async function measure(
  url: string,
  headers: Record<string, string>,
  settings: LoadSettings,
  pids: { workerd: number; origin: number },
): Promise<MeasuredRun> {
  const workerdBefore = cpuSeconds(pids.workerd);
  const originBefore = cpuSeconds(pids.origin);
  const result = await load(url, headers, settings);
  const workerd = cpuSeconds(pids.workerd) - workerdBefore;
  return {
    ...result,
    cpuUsPerRequest: (workerd / result.total) * 1e6,
    workerdCores: workerd / settings.seconds,
    loadCores: result.loadCpuSeconds / settings.seconds,
    originCores: (cpuSeconds(pids.origin) - originBefore) / settings.seconds,
  };
}

/**
 * The origin alone: what it serves with a core to itself (moved to `ownCores` meanwhile) and
 * requests pipelined 8 deep, so that neither the load generator nor a shared core is the limit.
 */
export async function measureOrigin(
  origin: { url: string; pid: number },
  path: string,
  settings: LoadSettings,
  ownCores: { during: string | undefined; after: string | undefined },
): Promise<{ requestsPerSecond: number; originCores: number }> {
  if (ownCores.during !== undefined) pinProcess(origin.pid, ownCores.during);
  try {
    const before = cpuSeconds(origin.pid);
    const result = await load(origin.url + path, {}, { ...settings, pipelining: 8 });
    return {
      requestsPerSecond: result.requestsPerSecond,
      originCores: (cpuSeconds(origin.pid) - before) / settings.seconds,
    };
  } finally {
    if (ownCores.during !== undefined) pinProcess(origin.pid, ownCores.after);
  }
}
