// CPU time of a workerd process, from /proc: a steadier measure of a proxy's cost per request
// than throughput, which swings with whatever else the two cores are doing.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND =
  Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** workerd processes this process started (others on the machine may start their own). */
export function workerdPids(): Set<number> {
  const pids = new Set<number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() !== "workerd") continue;
      if (statFields(Number(entry))[1] === String(process.pid)) pids.add(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

/** Fields of /proc/<pid>/stat after the command name: state, ppid, … */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** The workerd process started by `start` (our child that was not there before). */
export async function newWorkerdPid<T>(
  start: () => Promise<T>,
): Promise<{ value: T; pid: number }> {
  const before = workerdPids();
  const value = await start();
  const added = [...workerdPids()].filter((pid) => !before.has(pid));
  if (added.length !== 1)
    throw new Error(`expected one new workerd process, found ${added.length}`);
  return { value, pid: added[0]! };
}

/** User + system CPU seconds the process has used. */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * CPU time every live thread of the process has used, in milliseconds, from the scheduler's
 * nanosecond counters (/proc/<pid>/task/<tid>/schedstat): fine enough for one request, where
 * /proc/<pid>/stat counts in 10 ms ticks.
 */
export function cpuMillis(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1e6;
}
