// Always-valid evidence: a normal-mixture sequential probability ratio test (mSPRT) that may be
// looked at after every cron tick and still keeps its false-alarm rate.
//
// An estimate θ̂ that is approximately normal around θ with variance v (v shrinks as requests
// accrue) is compared with a limit θ0 through the likelihood ratio of "θ ~ N(θ0, τ²)" against
// "θ = θ0", with z = (θ̂ − θ0) / √v:
//
//   Λ = √(v / (v + τ²)) · exp( z² τ² / (2 (v + τ²)) )                                      (1)
//
// (Robbins 1970, "Statistical methods related to the law of the iterated logarithm", Ann. Math.
// Statist. 41(5), §3; the two-sample mSPRT of Johari, Koomen, Pekelis & Walsh 2017, "Peeking at
// A/B tests", KDD, §4, is (1) with v = V/n.) Under θ = θ0, Λ is a nonnegative martingale with
// mean 1, so by Ville's inequality P(Λ ever ≥ 1/α) ≤ α: the test can be peeked at without
// inflating false alarms, and p = min(1, 1/Λ) is an always-valid p-value. Solving Λ = 1/α for z
// gives the critical value at the current information
//
//   z*² = 2 (1 + v/τ²) · ( ln(1/α) + ½ ln(1 + τ²/v) )                                      (2)
//
// which is the normal-mixture confidence sequence of Howard, Ramdas, McAuliffe & Sekhon 2021,
// "Time-uniform, nonparametric, nonasymptotic confidence sequences", Ann. Statist. 49(2), with
// S = θ̂/v, V = 1/v and ρ = 1/τ²: |S| < √((V + ρ) ln((V + ρ)/(ρ α²))).

/** ln Λ of (1): the log keeps a very strong signal finite. */
export function logMixtureLikelihoodRatio(z: number, variance: number, tau: number): number {
  const spread = variance + tau * tau;
  return 0.5 * Math.log(variance / spread) + (z * z * tau * tau) / (2 * spread);
}

/** z* of (2): |z| at or beyond it carries evidence at level alpha, whenever it is looked at. */
export function criticalZ(variance: number, tau: number, alpha: number): number {
  const ratio = (tau * tau) / variance;
  return Math.sqrt(2 * (1 + 1 / ratio) * (Math.log(1 / alpha) + 0.5 * Math.log1p(ratio)));
}

/**
 * Always-valid p-value of "θ ≤ θ0" (one-sided): the two-sided mixture's 1/Λ when the estimate
 * lies above the limit, 1 otherwise. Valid because the event {θ̂ above θ0 and Λ ≥ 1/α} is a
 * subset of {Λ ≥ 1/α}.
 */
export function alwaysValidPValue(z: number, variance: number, tau: number): number {
  if (z <= 0) return 1;
  return Math.min(1, Math.exp(-logMixtureLikelihoodRatio(z, variance, tau)));
}
