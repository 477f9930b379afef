// Reading quantiles off a step curve the way R's survival package does. Two different rules
// exist in survival 3.5 and they disagree in one corner case, so both are ported literally:
//  - findq: survival:::findq, used by quantile.survfit (and hence quantile(fit, probs));
//  - minmin: the helper inside survival:::survmean, used for the median columns of print(fit)
//    and summary(fit)$table.
// NA is represented by null.

/** R's tolerance for both rules: sqrt(.Machine$double.eps). */
export const SURVFIT_TOLERANCE = Math.sqrt(Number.EPSILON);

/**
 * survival:::findq(x, y, p, tol) for one p. x are times, y the cumulative curve 1 - S (or 1 - band)
 * with x[0] = start (0) and y[0] = 0 prepended, as quantile.survfit passes them.
 *  - If no y reaches p → null.
 *  - Duplicated y values are dropped (keeping the first), so a flat stretch collapses to its start.
 *  - indx1 = first y with y + tol >= p, indx2 = first y with y - tol >= p; the answer is the mean
 *    of their times: where the curve sits at p (within tol) over an interval, that is the
 *    midpoint of the interval, otherwise both are the same point.
 *  - p = 0 → x[0].
 *  - If the last y equals p (within tol) the curve never leaves p, and the interval is closed with
 *    the last time of the curve (xmax) instead; this rule is applied last, so it also overrides p = 0.
 */
export function findq(x: readonly number[], y: readonly (number | null)[], p: number, tol = SURVFIT_TOLERANCE): number | null {
  let maxY = -Infinity;
  for (const v of y) if (v !== null && !Number.isNaN(v) && v > maxY) maxY = v;
  if (maxY < p) return null;
  const xmax = x[x.length - 1];
  // duplicated(y): NA counts as a value of its own (only the first NA is kept)
  const seen = new Set<number>();
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < y.length; i++) {
    const v = y[i] ?? Number.NaN; // Set uses SameValueZero: NaN matches NaN, -0 matches 0, as R's duplicated
    if (seen.has(v)) continue;
    seen.add(v);
    xs.push(x[i]);
    ys.push(v);
  }
  const n = ys.length;
  const indx1 = approxConstantRightIndex(ys.map((v) => v + tol), p);
  const indx2 = approxConstantRightIndex(ys.map((v) => v - tol), p);
  let quant: number | null = indx1 === null || indx2 === null ? null : (xs[indx1] + xs[indx2]) / 2;
  if (p === 0) quant = xs[0];
  const last = ys[n - 1];
  if (!Number.isNaN(last) && Math.abs(p - last) < tol) quant = indx1 === null ? null : (xs[indx1] + xmax) / 2;
  return quant;
}

/**
 * stats::approx(v, seq_along(v), xout, method = "constant", f = 1)$y, turned into a 0-based index
 * as R's x[index] would use it (fractional indices truncate). approx drops NA pairs, sorts by v
 * and averages the index over tied v (ties = mean); out of range (rule = 1) → null. With f = 1,
 * a point inside (v[i], v[j]) takes the right end j, and an exact hit takes that point, i.e. the
 * first sorted v with v >= xout.
 */
function approxConstantRightIndex(v: readonly number[], xout: number): number | null {
  const pairs: { v: number; i: number }[] = [];
  for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i])) pairs.push({ v: v[i], i: i + 1 });
  if (pairs.length === 0 || Number.isNaN(xout)) return null;
  pairs.sort((a, b) => a.v - b.v || a.i - b.i);
  // collapse ties, averaging the 1-based index
  const ux: number[] = [];
  const uy: number[] = [];
  for (let k = 0; k < pairs.length; ) {
    let j = k;
    let sum = 0;
    while (j < pairs.length && pairs[j].v === pairs[k].v) sum += pairs[j++].i;
    ux.push(pairs[k].v);
    uy.push(sum / (j - k));
    k = j;
  }
  if (xout < ux[0] || xout > ux[ux.length - 1]) return null;
  let k = 0;
  while (ux[k] < xout) k++;
  return Math.trunc(uy[k]) - 1;
}

/**
 * The `minmin(y, x)` helper of survival:::survmean (median of print(fit)): among the points with
 * y < 0.5 + tol (NA skipped), take the first; if its y is 0.5 within tol and a later kept y is lower,
 * return the midpoint of their times, else its time. No kept point → null. Unlike findq there is
 * no rule for a curve that stays at 0.5 to its end: the start of that stretch is returned.
 */
export function minmin(y: readonly (number | null)[], x: readonly number[], tol = SURVFIT_TOLERANCE): number | null {
  const kx: number[] = [];
  const ky: number[] = [];
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (v !== null && !Number.isNaN(v) && v < 0.5 + tol) {
      kx.push(x[i]);
      ky.push(v);
    }
  }
  if (ky.length === 0) return null;
  if (Math.abs(ky[0] - 0.5) < tol) {
    const later = ky.findIndex((v) => v < ky[0]);
    if (later >= 0) return (kx[0] + kx[later]) / 2;
  }
  return kx[0];
}
