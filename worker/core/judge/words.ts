// Numbers as a verdict's sentences print them: grouped counts, percents with the digits that
// matter, confidence never rounded up.

export function count(n: number): string {
  // A regex, not toLocaleString: the simulator prints millions of verdicts and Intl is slow.
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function digits(value: number): number {
  return Math.abs(value) < 1 ? 2 : 1;
}

export function percent(value: number): string {
  return `${value.toFixed(digits(value))} %`;
}

/** Percentage points with their sign: "+1.9 pp", "-0.04 pp". */
export function points(value: number): string {
  const text = Math.abs(value).toFixed(digits(value));
  return `${value < 0 && Number(text) !== 0 ? "-" : "+"}${text} pp`;
}

/** Rounded down, so 99.96 % prints as 99.9 % and never as a certainty it is not. */
export function confidence(value: number): string {
  if (value >= 99.995) return "over 99.99 %";
  const places = value >= 99.9 ? 2 : 1;
  const factor = 10 ** places;
  return `${(Math.floor(value * factor) / factor).toFixed(places)} %`;
}

export function ratio(value: number): string {
  return `${value.toFixed(2)}×`;
}

export function ms(value: number): string {
  return value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`;
}
