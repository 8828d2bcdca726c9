// ISO-8601 in every JSON the CLI prints. The API gives epoch milliseconds in rollout states today
// and ISO strings once it moves to them: a string passes through, so nothing is converted twice.

export type Instant = number | string;

/** An instant as ISO-8601 (epoch ms converted, an ISO string kept as it is). */
export function iso<T extends Instant | null | undefined>(value: T): T extends number ? string : T {
  return (typeof value === "number" ? new Date(value).toISOString() : value) as never;
}

/** Epoch ms of an instant, whichever form the API gave it in. */
export function epochMs(value: Instant): number {
  return typeof value === "number" ? value : Date.parse(value);
}

const ROLLOUT_INSTANTS = ["startedAt", "stepStartedAt", "lastTickAt", "endedAt"] as const;

/** A rollout state with its instants (and its last verdict's) as ISO strings. */
export function isoRollout<T extends object>(state: T): T {
  const out: Record<string, unknown> = { ...(state as Record<string, unknown>) };
  for (const key of ROLLOUT_INSTANTS) if (key in out) out[key] = iso(out[key] as Instant | null);
  const verdict = out.lastVerdict as { at: Instant } | null | undefined;
  if (verdict) out.lastVerdict = { ...verdict, at: iso(verdict.at) };
  return out as T;
}

/** `rollout status` as JSON: the state, the window bounds and `now` as ISO strings. */
export function isoStatus<T extends object>(status: T): T {
  const out: Record<string, unknown> = { ...(status as Record<string, unknown>) };
  if (out.state) out.state = isoRollout(out.state as object);
  if ("now" in out) out.now = iso(out.now as Instant);
  for (const side of ["candidate", "baseline"]) {
    const figures = out[side] as { from: Instant; to: Instant } | null | undefined;
    if (figures) out[side] = { ...figures, from: iso(figures.from), to: iso(figures.to) };
  }
  return out as T;
}
