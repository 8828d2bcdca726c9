// "Did you mean": the nearest allowed word to a near miss (`canry` → `canary`), by edit distance.
import { distance } from "fastest-levenshtein";

/** The closest candidate within a small edit distance, or undefined when none is close. */
export function nearest(input: string, candidates: readonly string[]): string | undefined {
  // Up to a third of the word may be wrong (2 edits for "rolbak"), and never the whole word.
  const limit = Math.max(1, Math.min(3, Math.floor(input.length / 3)));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(input.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance && d <= limit && d < candidate.length) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** `did you mean "canary"?`, or undefined when nothing is close. */
export function suggestion(input: string, candidates: readonly string[]): string | undefined {
  const best = nearest(input, candidates);
  return best === undefined ? undefined : `did you mean "${best}"?`;
}
