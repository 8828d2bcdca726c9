// `npm run demo` as a newcomer runs it. Piped: its first round reaches the canary (the traffic
// counts what the candidate answered, so the Worker learning of the rollout late cannot leave it
// at 0), the healthy canary is promoted, the faulty one rolled back with its incident, and it
// says that the stack behind the links it printed is stopped. On a terminal (a pty from
// util-linux `script`): the stack stays up, its incident link opens the incident, Ctrl-C stops it.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../scripts/stack.ts";

const DEMO = join(PROJECT_ROOT, "scripts/demo.ts");
// As from a user's shell: no NODE_ENV=test from vitest, no CI (a terminal session).
const ENV = { ...process.env, NODE_ENV: undefined, CI: undefined, NO_COLOR: "1" };

interface DemoRun {
  child: ChildProcess;
  output(): string;
  closed: Promise<number | null>;
}

/** `npm run demo` starts and stops a stack of its own (not the e2e project's shared Worker). */
function runDemo(terminal: boolean): DemoRun {
  const child = terminal
    ? // `exec`: script runs the command through $SHELL, and dash (the /bin/sh CI gets when SHELL
      // is unset) does not exec it: the terminal's SIGINT reaches dash too, which exits 130
      // whatever the demo answers. The demo's own exit code is what this test judges.
      spawn("script", ["-qfec", `exec ${process.execPath} ${DEMO}`, "/dev/null"], { env: ENV })
    : spawn(process.execPath, [DEMO], { env: ENV, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
  return { child, output: () => output.replaceAll("\r\n", "\n"), closed };
}

/** The lines a round printed, from its heading to the next heading. */
function round(output: string, label: string, n: number): string {
  const start = output.indexOf(`── ${label}, round ${n} `);
  expect(start, output).toBeGreaterThan(-1);
  const end = output.indexOf("\n── ", start + 1);
  return output.slice(start, end === -1 ? undefined : end);
}

describe("npm run demo, piped", () => {
  it("its first round reaches the canary; promoted, then rolled back; it says the stack is stopped", async () => {
    const run = runDemo(false);
    expect(await run.closed, run.output()).toBe(0);
    const output = run.output();
    expect(output).toContain("healthy canary: promoted");
    expect(output).toContain("faulty canary: rolled back");
    // One story per event: the phase in words in every view the demo prints (status, history).
    expect(output).not.toContain("rolledBack");
    expect(output).toContain("# Incident 1 of demo: rollout rolled back");

    const first = round(output, "healthy canary", 1);
    const canary = Number(/answered by: .*canary (\d+)/.exec(first)?.[1] ?? 0);
    expect(canary, first).toBeGreaterThanOrEqual(15);
    // Judged on that round's traffic, the rollout moved on (it ticks itself every 2 s locally:
    // the status may already show the next step's window, still empty).
    expect(first).toMatch(/step 2 of 2|promoted/);

    expect(output.trimEnd().split("\n").at(-1)).toMatch(
      /^the demo stack is stopped now, so the links above are dead/,
    );
  }, 300_000);
});

describe("npm run demo on a terminal", () => {
  it("stays up with its links working until Ctrl-C, then says it stopped", async () => {
    const run = runDemo(true);
    const deadline = Date.now() + 240_000;
    while (!run.output().includes("Ctrl-C to stop it") && Date.now() < deadline) {
      if (run.child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const output = run.output();
    expect(output).toContain("the demo stack stays up for you to look: Ctrl-C to stop it");
    const incident = /the incident: (\S+)/.exec(output)![1]!;
    const token = /sign in with the read token (\S+)\)/.exec(output)![1]!;
    const origin = new URL(incident).origin;
    const signIn = await fetch(`${origin}/_keystone/ui/sign-in`, {
      method: "POST",
      headers: { origin, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token }),
      redirect: "manual",
    });
    const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
    const page = await fetch(incident, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Incident 1 of demo: rollout rolled back");

    run.child.stdin!.write("\x03"); // Ctrl-C, through the terminal
    expect(await run.closed, run.output()).toBe(0);
    expect(run.output().trimEnd().split("\n").at(-1)).toBe("the demo stack is stopped.");
    await expect(fetch(incident)).rejects.toThrow();
  }, 300_000);
});
