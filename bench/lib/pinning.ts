// CPU pinning with taskset (BENCH_PIN): the load generator and the origin on one core, workerd on
// another, so the Worker never waits for a core its own client is using. "auto" pins when taskset
// and two cores exist; "off" lets the scheduler place everything; "0:1" names the cores.
import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";

export interface Pinning {
  /** Cores for the load generator, the origin and the microbenchmarks. */
  client: string | undefined;
  /** Cores for workerd. */
  worker: string | undefined;
}

function hasTaskset(): boolean {
  try {
    execFileSync("taskset", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export function pinningFromEnv(setting = process.env.BENCH_PIN ?? "auto"): Pinning {
  if (setting === "off") return { client: undefined, worker: undefined };
  if (setting === "auto") {
    return hasTaskset() && availableParallelism() >= 2
      ? { client: "0", worker: "1" }
      : { client: undefined, worker: undefined };
  }
  const match = /^([\d,-]+):([\d,-]+)$/.exec(setting);
  if (!match)
    throw new Error(
      `BENCH_PIN: expected auto, off or <client cores>:<worker cores>, got "${setting}"`,
    );
  return { client: match[1], worker: match[2] };
}

/** Pins every thread of a running process (undefined cores: allowed on every core again). */
export function pinProcess(pid: number, cores: string | undefined): void {
  if (!hasTaskset()) return;
  const all = `0-${availableParallelism() - 1}`;
  execFileSync("taskset", ["-a", "-p", "-c", cores ?? all, String(pid)], { stdio: "ignore" });
}

/** A command line that starts pinned to `cores` (as is when undefined). */
export function pinnedCommand(cores: string | undefined, command: string, args: string[]) {
  return cores === undefined
    ? { command, args }
    : { command: "taskset", args: ["-c", cores, command, ...args] };
}

export function describePinning(pinning: Pinning): string {
  return pinning.worker === undefined
    ? "not pinned"
    : `load generator and origin on CPU ${pinning.client}, workerd on CPU ${pinning.worker}`;
}
