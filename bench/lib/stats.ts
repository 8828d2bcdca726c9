// Order statistics over rounds or samples: one noisy run is never the headline, its spread is
// printed beside its median.

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Quartiles (linear interpolation). */
  q1: number;
  q3: number;
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function spreadOf(values: readonly number[]): Spread {
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    q1: quantile(values, 0.25),
    q3: quantile(values, 0.75),
  };
}

/** "12 (3 – 20)": median and range over rounds; `signed` prints a + before positive figures. */
export function formatSpread(spread: Spread, decimals = 0, signed = false): string {
  const f = (n: number) => `${signed && n > 0 ? "+" : ""}${n.toFixed(decimals)}`;
  return `${f(spread.median)} (${f(spread.min)} – ${f(spread.max)})`;
}
