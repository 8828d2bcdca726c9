// Durations in config ("30s", "5m", "1h30m"): the schema, on the zod-free parser.
import * as z from "zod";
import { parseDuration } from "./duration-text.ts";

export { parseDuration } from "./duration-text.ts";

export const Duration = z.string().refine((text) => parseDuration(text) !== undefined, {
  message: 'not a duration: use a number and a unit, like "30s", "5m", "1h"',
});

/**
 * A time span in the units of a duration string, from the largest that fits down to whole
 * seconds ("45s", "2m05s", "1h00m30s", "1h30m"; "600ms" under a second), rounded down: a time
 * that has passed reads as at most what it was, so "progress deadline 20s passed: 45s" is true and
 * never "0m". parseDuration reads it back.
 */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.floor(ms))}ms`;
  const seconds = Math.floor(ms / 1_000);
  const parts: Array<[number, string]> = [
    [Math.floor(seconds / 3600), "h"],
    [Math.floor(seconds / 60) % 60, "m"],
    [seconds % 60, "s"],
  ];
  const first = parts.findIndex(([amount]) => amount > 0);
  let last = parts.length - 1;
  while (parts[last]![0] === 0) last--;
  return parts
    .slice(first, last + 1)
    .map(([amount, unit], i) => `${i === 0 ? amount : String(amount).padStart(2, "0")}${unit}`)
    .join("");
}
