// Sample quantiles and percent ranks, matching the SQL side (DuckDB) and R.

/**
 * R `quantile(x, p, type = 7)` = DuckDB `quantile_cont`: linear interpolation between order
 * statistics at h = 1 + (n - 1) p. null and NaN values are ignored (R's na.rm = TRUE);
 * no values → null. p outside [0, 1] throws (R errors too).
 */
export function quantile7(values: readonly (number | null)[], p: number): number | null {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile7: p must be in [0, 1], got ${p}`);
  const x: number[] = [];
  for (const v of values) if (v !== null && !Number.isNaN(v)) x.push(v);
  const n = x.length;
  if (n === 0) return null;
  x.sort((a, b) => a - b);
  // As stats:::quantile.default: index, lo, hi are 1-based; interpolate only when needed so that
  // equal neighbours (and infinities) come back unchanged.
  const index = 1 + (n - 1) * p;
  const lo = Math.floor(index);
  const hi = Math.ceil(index);
  const qs = x[lo - 1];
  const xhi = x[hi - 1];
  if (index > lo && xhi !== qs) {
    const h = index - lo;
    return (1 - h) * qs + h * xhi;
  }
  return qs;
}

/**
 * SQL `percent_rank()` of x within values: (number of values strictly below x) / (n - 1),
 * so ties share the lowest rank; n <= 1 → 0 (as SQL for a single row).
 */
export function percentRank(values: readonly number[], x: number): number {
  const n = values.length;
  if (n <= 1) return 0;
  let below = 0;
  for (const v of values) if (v < x) below++;
  return below / (n - 1);
}
