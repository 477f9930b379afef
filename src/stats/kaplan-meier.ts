// Kaplan–Meier survival curve from per-time counts, with Greenwood standard errors and the
// log-log confidence band, matching R survival 3.5 (survfit / summary / quantile / print).
import { normalQuantile } from './distributions.ts';
import { findq, minmin } from './survfit-quantile.ts';

/** Aggregated counts at one distinct time (SQL GROUP BY time produces these). */
export interface TimeCount {
  time: number;
  events: number;
  censored: number;
}

export interface SurvivalPoint {
  time: number;
  atRisk: number;
  events: number;
  censored: number;
  survival: number;
  /** Greenwood standard error on the log-survival scale, as R survfit's `std.err` (NOT of S itself). */
  stdErr: number;
  /** 95% (or confLevel) band, conf.type = "log-log" as R survfit. null where R gives NA. */
  lower: number | null;
  upper: number | null;
}

export interface SurvivalCurve {
  n: number;
  events: number;
  points: SurvivalPoint[];
}

/** What a chart, its table and its CSV need of a curve (pages carry thousands of these). */
export type DrawnPoint = Pick<SurvivalPoint, 'time' | 'atRisk' | 'events' | 'survival' | 'lower' | 'upper'>;
export interface DrawnCurve {
  n: number;
  events: number;
  points: DrawnPoint[];
}

/**
 * Kaplan–Meier as R `survfit(Surv(time, status) ~ 1, conf.type = "log-log")`: one point per distinct
 * time that has events or censorings (input may be unsorted, may repeat a time, may contain rows with 0/0).
 *
 * As the C routine survfitkm: at each time S *= (n - d) / n and the Greenwood sum
 * v += d / (n (n - d)), std.err = sqrt(v); where S drops to 0 (n = d) std.err is Infinity.
 * The band is survival:::survfit_confint(conf.type = "log-log"): with z = qnorm(1 - (1 - conf)/2),
 * S^exp(∓ z se / log S); NA (null) where S is 0 or 1, including the censor-only points before
 * the first event.
 */
export function kaplanMeier(counts: readonly TimeCount[], options: { confLevel?: number } = {}): SurvivalCurve {
  const confLevel = options.confLevel ?? 0.95;
  if (!(confLevel > 0 && confLevel < 1)) throw new RangeError(`kaplanMeier: confLevel must be in (0, 1), got ${confLevel}`);
  const byTime = new Map<number, { events: number; censored: number }>();
  for (const c of counts) {
    if (!Number.isFinite(c.time)) throw new RangeError(`kaplanMeier: time must be finite, got ${c.time}`);
    if (!(c.events >= 0 && c.censored >= 0 && Number.isFinite(c.events) && Number.isFinite(c.censored)))
      throw new RangeError(`kaplanMeier: counts must be finite and >= 0 at time ${c.time}`);
    if (c.events === 0 && c.censored === 0) continue;
    const at = byTime.get(c.time); // Map keys compare with SameValueZero, so -0 and 0 merge
    if (at) {
      at.events += c.events;
      at.censored += c.censored;
    } else byTime.set(c.time, { events: c.events, censored: c.censored });
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  let n = 0;
  let totalEvents = 0;
  for (const t of times) {
    const c = byTime.get(t)!;
    n += c.events + c.censored;
    totalEvents += c.events;
  }

  // survfit_confint computes zval as qnorm(1 - (1 - conf.int)/2)
  const z = normalQuantile(1 - (1 - confLevel) / 2);
  const points: SurvivalPoint[] = [];
  let atRisk = n;
  let km = 1;
  let greenwood = 0;
  for (const t of times) {
    const { events, censored } = byTime.get(t)!;
    if (events > 0) {
      km *= (atRisk - events) / atRisk;
      greenwood += events / (atRisk * (atRisk - events)); // d/0 = Infinity when everyone left dies
    }
    const stdErr = Math.sqrt(greenwood);
    const band = logLogBand(km, stdErr, z);
    points.push({ time: t, atRisk, events, censored, survival: km, stdErr, lower: band.lower, upper: band.upper });
    atRisk -= events + censored;
  }
  return { n, events: totalEvents, points };
}

/** survival:::survfit_confint, conf.type = "log-log", logse = TRUE, same arithmetic as R. */
function logLogBand(s: number, se: number, z: number): { lower: number | null; upper: number | null } {
  if (s === 0 || s === 1) return { lower: null, upper: null };
  const se2 = (z * se) / Math.log(s);
  const loglog = Math.log(-Math.log(s));
  return { lower: Math.exp(-Math.exp(loglog - se2)), upper: Math.exp(-Math.exp(loglog + se2)) };
}

/**
 * S(t) with its band as R `summary(fit, times = t)` (extend = FALSE): the last point at or before t.
 * summary() first adds a start point (time 0, S = 1, band 1..1, survival:::survfit0) when the curve
 * starts after 0, so any t before the first time gives survival 1 with lower = upper = 1, while t
 * in a censor-only stretch at S = 1 after that start gives the NA (null) band of survfit.
 * After the last observed time (event or censoring), and for non-finite t → null.
 * (When the curve has a point at time <= 0, R would return that first point for earlier, negative t;
 * here any t before the first time is S = 1.)
 */
export function survivalAt(
  curve: SurvivalCurve,
  t: number,
): { survival: number; lower: number | null; upper: number | null } | null {
  const pts = curve.points;
  if (!Number.isFinite(t) || pts.length === 0 || t > pts[pts.length - 1].time) return null;
  // binary search: last point with time <= t (findInterval)
  let lo = 0;
  let hi = pts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pts[mid].time <= t) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return { survival: 1, lower: 1, upper: 1 };
  const p = pts[lo - 1];
  return { survival: p.survival, lower: p.lower, upper: p.upper };
}

/**
 * The number at risk at day t, as R `summary(fit, times = t)$n.risk`: the subjects still
 * followed at t (time >= t), i.e. the atRisk of the first point at or after t; 0 past the last.
 * A rate read off the curve at t rests on these, not on everyone who ever joined.
 */
export function atRiskAt(curve: SurvivalCurve, t: number): number {
  for (const p of curve.points) if (p.time >= t) return p.atRisk;
  return 0;
}

/**
 * Quantile of survival time with its CI as R `quantile(fit, probs = p)`: the time where 1 - S first
 * reaches p, with R's findq rules (tolerance sqrt(eps); midpoint where S sits at 1 - p over an
 * interval, and (start of the stretch + last time) / 2 if it sits there to the end). The bounds
 * are the same reading of the lower and upper band curves (NA points skipped); null where R gives NA.
 * The curve is read from time 0 (quantile.survfit's default start), so p = 0 gives 0.
 */
export function survivalQuantile(
  curve: SurvivalCurve,
  p: number,
): { quantile: number | null; lower: number | null; upper: number | null } {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`survivalQuantile: p must be in [0, 1], got ${p}`);
  const x = [0];
  const ys: (number | null)[] = [0];
  const yl: (number | null)[] = [0];
  const yu: (number | null)[] = [0];
  for (const pt of curve.points) {
    x.push(pt.time);
    ys.push(1 - pt.survival);
    yl.push(pt.lower === null ? null : 1 - pt.lower);
    yu.push(pt.upper === null ? null : 1 - pt.upper);
  }
  return { quantile: findq(x, ys, p), lower: findq(x, yl, p), upper: findq(x, yu, p) };
}

/**
 * Median survival with its CI as the median / LCL / UCL columns of R `print(fit)` (survival:::survmean).
 * Same as survivalQuantile(curve, 0.5) except where S stays at exactly 0.5 until the last time:
 * print(fit) then reports the start of that stretch, quantile() the midpoint to the last time.
 */
export function medianSurvival(curve: SurvivalCurve): { median: number | null; lower: number | null; upper: number | null } {
  const x = curve.points.map((pt) => pt.time);
  return {
    median: minmin(
      curve.points.map((pt) => pt.survival),
      x,
    ),
    lower: minmin(
      curve.points.map((pt) => pt.lower),
      x,
    ),
    upper: minmin(
      curve.points.map((pt) => pt.upper),
      x,
    ),
  };
}
