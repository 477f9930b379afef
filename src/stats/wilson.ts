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

/**
 * The same interval as SQL over count columns `x` and `n`, with the same floating-point
 * operations in the same order (so DuckDB's doubles equal wilson()'s bit for bit): for tables
 * with too many rows to send through JavaScript (every inviter, at a million memberships).
 * Columns: rate, lower, upper, NULL when n = 0. `x` and `n` must be plain column names.
 */
export function wilsonSql(x: string, n: string, confLevel = 0.95): { rate: string; lower: string; upper: string } {
  if (!(confLevel > 0 && confLevel < 1)) throw new RangeError(`wilson: confLevel must be in (0, 1), got ${confLevel}`);
  const z = normalQuantile((1 + confLevel) / 2);
  const zLit = `${z}::DOUBLE`;
  const nd = `CAST(${n} AS DOUBLE)`;
  const est = `(CAST(${x} AS DOUBLE) / ${nd})`;
  const z22n = `((${zLit} * ${zLit}) / (2 * ${nd}))`;
  const half = `(${zLit} * sqrt((${est} * (1 - ${est})) / ${nd} + ${z22n} / (2 * ${nd})))`;
  return {
    rate: `CASE WHEN ${n} > 0 THEN ${est} END`,
    lower: `CASE WHEN ${n} > 0 THEN greatest(CASE WHEN ${est} <= 0 THEN 0 ELSE (${est} + ${z22n} - ${half}) / (1 + 2 * ${z22n}) END, 0) END`,
    upper: `CASE WHEN ${n} > 0 THEN least(CASE WHEN ${est} >= 1 THEN 1 ELSE (${est} + ${z22n} + ${half}) / (1 + 2 * ${z22n}) END, 1) END`,
  };
}
