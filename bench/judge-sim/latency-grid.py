# Cross-check of the latency check at its limit (issue 25), independent of the TypeScript: the
# limit a candidate is judged against on the 4 % histogram grid, before (every pair at ⌈a⌉ buckets
# counted as slower) and after (interpolated between whole-bucket shifts, ties half). For a
# log-normal latency (median 80 ms, σ of ln latency given), it finds the true slowdown r at which
# the expected share of pairs above the limit shift is exactly ½: the ratio the check acts as.
# python3 bench/judge-sim/latency-grid.py   (numpy, scipy)
import numpy as np
from scipy.optimize import brentq
from scipy.stats import norm

H = np.log(1.04)  # one bucket of worker/core/metrics/histogram.ts


def buckets(mu, sigma):
    """Bucket index i holds [1.04^(i-1), 1.04^i) ms: index → probability."""
    ks = np.arange(int((mu - 9 * sigma) / H) - 2, int((mu + 9 * sigma) / H) + 3)
    return ks, norm.cdf((ks * H - mu) / sigma) - norm.cdf(((ks - 1) * H - mu) / sigma)


def share_above(slowdown, sigma, limit_shift, interpolated):
    kb, pb = buckets(np.log(80), sigma)
    kc, pc = buckets(np.log(80 * slowdown), sigma)
    diff = kc[:, None] - kb[None, :]
    weight = pc[:, None] * pb[None, :]

    def above(s):  # ties half
        return weight[diff > s].sum() + 0.5 * weight[diff == s].sum()

    if not interpolated:
        return weight[diff > limit_shift].sum()
    whole = np.floor(limit_shift)
    part = limit_shift - whole
    return (1 - part) * above(whole) + part * above(whole + 1)


for max_ratio in (1.2, 1.5):
    shift = np.log(max_ratio) / H
    for sigma in (0.35, 0.1, 0.03):
        acts = [
            brentq(lambda r: share_above(r, sigma, shift, i) - 0.5, max_ratio * 0.95, max_ratio * 1.05)
            for i in (False, True)
        ]
        print(f"maxLatencyRatio {max_ratio}, σ {sigma}: acts as {acts[0]:.4f} before, {acts[1]:.4f} after")
