// The benchmark's origins: a small Node server in its own process (optionally pinned), never
// sharing an event loop with the load generator.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./bundle.ts";
import { pinnedCommand } from "./pinning.ts";

export interface Origin {
  url: string;
  child: ChildProcess;
  pid: number;
}

export async function startOriginProcess(errorRate = 0, cores?: string): Promise<Origin> {
  const { command, args } = pinnedCommand(cores, process.execPath, [
    join(ROOT, "bench/origin-process.ts"),
  ]);
  const child = spawn(command, args, {
    env: { ...process.env, ORIGIN_ERROR_RATE: String(errorRate) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once("data", (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once("exit", (code) => reject(new Error(`origin exited with ${code}`)));
  });
  // taskset execs node in place, so the child's pid is the origin's.
  return { url: `http://127.0.0.1:${port}`, child, pid: child.pid! };
}
