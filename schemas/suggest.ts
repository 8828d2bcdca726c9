// "Did you mean": the nearest allowed word to a near miss (`canry` → `canary`), by edit distance.
import { distance } from "fastest-levenshtein";

/** Two letters swapped side by side ("gte" for "get"): one slip, though Levenshtein counts two. */
function swapped(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const differ: number[] = [];
  for (let i = 0; i < a.length && differ.length <= 2; i++) if (a[i] !== b[i]) differ.push(i);
  const [i, j] = differ;
  return differ.length === 2 && j === i! + 1 && a[i!] === b[j] && a[j] === b[i!];
}

/** The closest candidate within a small edit distance, or undefined when none is close. */
export function nearest(input: string, candidates: readonly string[]): string | undefined {
  // A word cut short ("stat") means the one word it begins, not a closer one by letters ("start").
  const lower = input.toLowerCase();
  const begun = candidates.filter(
    (c) => c.length > lower.length && c.toLowerCase().startsWith(lower),
  );
  if (lower.length >= 3 && begun.length === 1) return begun[0];
  // Up to a third of the word may be wrong (2 edits for "rolbak"), and never the whole word.
  const limit = Math.max(1, Math.min(3, Math.floor(input.length / 3)));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const [a, b] = [lower, candidate.toLowerCase()];
    const d = swapped(a, b) ? 1 : distance(a, b);
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
