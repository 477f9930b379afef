// Wilson score interval for a rate (e.g. share of members who stayed).
import { normalQuantile } from './distributions.ts';

export interface RateInterval {
  rate: number | null;
  lower: number | null;
  upper: number | null;
}

/**
 * Wilson score interval without continuity correction = R `prop.test(x, n, correct = FALSE)$conf.int`
 * (stats::prop.test, one-sample branch with YATES = 0), written with the same operations as R:
 * z = qnorm((1 + conf.level) / 2); the upper limit is exactly 1 when x = n and the lower exactly 0
 * when x = 0, then clamped to [0, 1]. n = 0 → all null.
 */
export function wilson(successes: number, n: number, confLevel = 0.95): RateInterval {
  if (!Number.isFinite(successes) || !Number.isFinite(n) || successes < 0 || n < 0 || successes > n)
    throw new RangeError(`wilson: need 0 <= successes <= n, got ${successes} / ${n}`);
  if (!(confLevel > 0 && confLevel < 1)) throw new RangeError(`wilson: confLevel must be in (0, 1), got ${confLevel}`);
  if (n === 0) return { rate: null, lower: null, upper: null };
  const estimate = successes / n;
  const z = normalQuantile((1 + confLevel) / 2);
  const z22n = (z * z) / (2 * n);
  const halfWidth = z * Math.sqrt((estimate * (1 - estimate)) / n + z22n / (2 * n));
  const upper = estimate >= 1 ? 1 : (estimate + z22n + halfWidth) / (1 + 2 * z22n);
  const lower = estimate <= 0 ? 0 : (estimate + z22n - halfWidth) / (1 + 2 * z22n);
  return { rate: estimate, lower: Math.max(lower, 0), upper: Math.min(upper, 1) };
}
