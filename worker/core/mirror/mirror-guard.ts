// What keeps shadow traffic from hurting anyone, per isolate: a cap on mirrors started per second
// and in flight (the Worker's subrequests and memory), and a circuit breaker per mirrored version
// that stops copying to an origin that keeps failing or timing out, then lets one probe through
// after a cool-down and resumes when it answers. Pure: the caller passes `now`.

export interface GuardLimits {
  perSecond: number;
  inFlight: number;
  /** Consecutive failures (no answer, timeout, 5xx) that open a breaker. */
  failuresToOpen: number;
  /** How long an open breaker stays open before one probe may pass. */
  openMs: number;
}

const DEFAULT_GUARD: GuardLimits = {
  perSecond: 50,
  inFlight: 20,
  failuresToOpen: 5,
  openMs: 30_000,
};

export type Admission = "go" | "capped" | "breakerOpen";

interface Breaker {
  failures: number;
  openUntil: number;
  probing: boolean;
}

export class MirrorGuard {
  readonly #limits: GuardLimits;
  readonly #breakers = new Map<string, Breaker>();
  #second = -1;
  #startedThisSecond = 0;
  #inFlight = 0;
  /** Mirrors started, and skipped for the caps or an open breaker (isolate counters). */
  started = 0;
  capped = 0;
  skippedByBreaker = 0;

  constructor(limits: GuardLimits = DEFAULT_GUARD) {
    this.#limits = limits;
  }

  /** Whether a copy to `key` (service/version) may start now; "go" counts it as started. */
  admit(key: string, now: number): Admission {
    const breaker = this.#breakers.get(key);
    if (breaker && breaker.openUntil > 0) {
      if (now < breaker.openUntil || breaker.probing) {
        this.skippedByBreaker++;
        return "breakerOpen";
      }
    }
    const second = Math.floor(now / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#startedThisSecond = 0;
    }
    if (
      this.#startedThisSecond >= this.#limits.perSecond ||
      this.#inFlight >= this.#limits.inFlight
    ) {
      this.capped++;
      return "capped";
    }
    if (breaker && breaker.openUntil > 0) breaker.probing = true;
    this.#startedThisSecond++;
    this.#inFlight++;
    this.started++;
    return "go";
  }

  /** A started copy was never sent (its request body was not copied): only its place is freed. */
  release(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
  }

  /** A started copy ended: `failed` when the origin gave no answer, timed out or answered 5xx. */
  settle(key: string, now: number, failed: boolean): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    const breaker = this.#breakers.get(key) ?? { failures: 0, openUntil: 0, probing: false };
    if (!failed) {
      this.#breakers.delete(key);
      return;
    }
    breaker.failures++;
    if (breaker.probing || breaker.failures >= this.#limits.failuresToOpen)
      breaker.openUntil = now + this.#limits.openMs;
    breaker.probing = false;
    this.#breakers.set(key, breaker);
  }

  /** Keys whose breaker is open at `now`. */
  open(now: number): string[] {
    return [...this.#breakers].filter(([, breaker]) => breaker.openUntil > now).map(([key]) => key);
  }
}
