// keystone rollout status SERVICE [--watch]: phase, step, weights, bake left, per-version figures
// against their limits. --watch redraws in place on a terminal (appends a line per change when
// piped) until the rollout ends: exit 0 promoted, 10 rolled back or aborted (as rollout wait);
// Ctrl-C stops watching with exit 0.
import type { RolloutStatus } from "../../../schemas/api-responses.ts";
import { stepsOf } from "../../../worker/core/rollout/steps.ts";
import type { ApiClient } from "../../client.ts";
import { defineCommand } from "../../command.ts";
import { CliError, EXIT, pollsThrough } from "../../errors.ts";
import { CURSOR, LiveFrame } from "../../live-frame.ts";
import {
  type RolloutPlan,
  renderStatus,
  statusKey,
  statusLine,
  TERMINAL,
} from "../../rollout-view.ts";
import { watchIntervalMs } from "../../wait-clock.ts";
import { serviceArgs } from "./shared.ts";

/** The policy's steps and limits, when the service has a rollout policy. */
async function planOf(api: ApiClient, service: string): Promise<RolloutPlan | undefined> {
  const record = await api.find("getService", { params: { name: service } });
  const rollout = record?.config.rollout;
  return rollout ? { steps: stepsOf(rollout), analysis: rollout.analysis } : undefined;
}

/** Waits `ms`, or less when stopped. */
function pause(ms: number, stopped: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const early = () => {
      clearTimeout(timer);
      resolve();
    };
    stopped.addEventListener("abort", early, { once: true });
  });
}

/** The watch ends with the rollout: rolled back or aborted exits 10, as rollout wait does. */
function ending(service: string, status: RolloutStatus): void {
  const state = status.state;
  if (state?.phase !== "rolledBack" && state?.phase !== "aborted") return;
  const incident = status.incident ? ` (incident ${status.incident.id})` : "";
  throw new CliError(
    EXIT.rolledBack,
    `${service}: rollout ${state.phase === "aborted" ? "aborted" : "rolled back"}${incident} — ${state.lastVerdict?.reason ?? ""}`,
  );
}

export default defineCommand({
  description: "Show a rollout: phase, steps, weights, time left, per-version figures",
  args: {
    ...serviceArgs,
    watch: {
      type: "boolean",
      description: "follow it until it ends (exit 0 promoted, 10 rolled back/aborted; Ctrl-C: 0)",
    },
    interval: { type: "string", default: "2", description: "seconds between redraws with --watch" },
  },
  examples: ["keystone rollout status shop", "keystone rollout status shop --watch"],
  async run(args, session) {
    const { out, api, io } = session;
    const intervalMs = watchIntervalMs(args.interval);
    if (!args.watch) {
      const [status, plan] = await Promise.all([
        api.call("rolloutStatus", { params: { name: args.service } }),
        planOf(api, args.service),
      ]);
      out.result(status);
      for (const line of renderStatus(out, args.service, status, plan)) out.line(line);
      return;
    }
    const stop = new AbortController();
    const release = io.onInterrupt?.(() => stop.abort()) ?? (() => {});
    // In place only where escapes are welcome: a terminal without --no-color or NO_COLOR.
    const live = out.color
      ? new LiveFrame(io.stdout, io.columns, (sequence) => out.control(sequence))
      : undefined;
    if (live) out.control(CURSOR.hide);
    let last = "";
    try {
      while (!stop.signal.aborted) {
        let read: [RolloutStatus, RolloutPlan | undefined];
        try {
          read = await Promise.all([
            api.call("rolloutStatus", { params: { name: args.service } }),
            planOf(api, args.service),
          ]);
        } catch (error) {
          // The Worker restarting or redeployed under a watch (a reset, a 502) does not end it:
          // the rollout goes on, so the watch says so and tries again (rollout wait does too).
          if (!pollsThrough(error, api.answered)) throw error;
          const problem = `${error.message} (retrying every ${intervalMs / 1000}s · Ctrl-C to stop watching)`;
          if (live) live.draw([out.paint("yellow", problem)]);
          else if (problem !== last) out.note(problem);
          last = problem;
          await pause(intervalMs, stop.signal);
          continue;
        }
        const [status, plan] = read;
        if (out.json) io.stdout(`${JSON.stringify(status)}\n`);
        else if (live) {
          const hint = out.paint("dim", `every ${intervalMs / 1000}s · Ctrl-C to stop watching`);
          live.draw([...renderStatus(out, args.service, status, plan), hint]);
        } else {
          const key = statusKey(status);
          if (key !== last) out.line(statusLine(args.service, status));
          last = key;
        }
        if (!status.state || TERMINAL.has(status.state.phase)) return ending(args.service, status);
        await pause(intervalMs, stop.signal);
      }
    } finally {
      release();
      if (live) out.control(CURSOR.show);
    }
  },
});
