// What `rollout wait` and `release wait` share: their --timeout and --interval flags, and a clock
// that says when the time is up and sleeps until the next check (never past the deadline).
import { parseDuration } from "../schemas/duration.ts";
import { CliError, EXIT } from "./errors.ts";

export const waitArgs = {
  timeout: { type: "string", default: "30m", description: "give up after this long (exit 11)" },
  interval: { type: "string", default: "5s", description: "time between checks" },
} as const;

export interface WaitClock {
  expired(): boolean;
  /** Sleeps one interval, or until the deadline if that comes first. */
  pause(): Promise<void>;
}

/** A duration flag's value in ms; a bad one is a usage error naming the flag and the value. */
function durationFlag(flag: string, value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined)
    throw new CliError(EXIT.usage, `--${flag} takes a duration like 30s or 5m, not "${value}"`);
  return ms;
}

/**
 * `--watch --interval`: seconds (`2`, `0.5`) or a duration as `wait` takes (`5s`), at least 0.2 s;
 * anything else is a usage error rather than a silent default.
 */
export function watchIntervalMs(value: string): number {
  const seconds = Number(value);
  const ms =
    value.trim() !== "" && Number.isFinite(seconds) ? seconds * 1000 : parseDuration(value);
  if (ms === undefined || ms <= 0)
    throw new CliError(
      EXIT.usage,
      `--interval takes seconds (2) or a duration (5s), not "${value}"`,
    );
  return Math.max(200, ms);
}

/** Checks --timeout and --interval without starting the clock: `apply --wait` does so before it
 * stores anything, so a typo is a usage error and not a rollout started that nobody waits for. */
export function checkWaitFlags(args: { timeout: string; interval: string }): void {
  durationFlag("timeout", args.timeout);
  durationFlag("interval", args.interval);
}

export function waitClock(args: { timeout: string; interval: string }): WaitClock {
  const timeoutMs = durationFlag("timeout", args.timeout);
  const intervalMs = durationFlag("interval", args.interval);
  const deadline = Date.now() + timeoutMs;
  return {
    expired: () => Date.now() >= deadline,
    pause: () =>
      new Promise((resolve) =>
        setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))),
      ),
  };
}
