// Normal quantile and chi-square upper tail, the two distribution functions the survival
// statistics need. Both are matched against R (qnorm, pchisq) in tests/stats.

/**
 * Standard normal quantile, R `qnorm(p)`: Wichura's AS 241 (PPND16) with R's own coefficients
 * (nmath/qnorm.c, R 4.2), accurate to about 1 part in 1e16. p = 0 → -Infinity, p = 1 → Infinity,
 * p outside [0, 1] or NaN → NaN.
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    // 0.075 <= p <= 0.925
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
          45921.953931549871457) *
          r +
          13731.693765509461125) *
          r +
          1971.5909503065514427) *
          r +
          133.14166789178437745) *
          r +
          3.387132872796366608)) /
      (((((((r * 5226.495278852854561 + 28729.085735721942674) * r + 39307.89580009271061) * r +
        21213.794301586595867) *
        r +
        5394.1960214247511077) *
        r +
        687.1870074920579083) *
        r +
        42.313330701600911252) *
        r +
        1)
    );
  }
  // Closer than 0.075 to 0 or 1: r = sqrt(-log(min(p, 1 - p))). R writes 1 - p as 0.5 - p + 0.5.
  let r = Math.sqrt(-Math.log(q > 0 ? 0.5 - p + 0.5 : p));
  let val: number;
  if (r <= 5) {
    r += -1.6;
    val =
      (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
        1.27045825245236838258) *
        r +
        3.64784832476320460504) *
        r +
        5.7694972214606914055) *
        r +
        4.6303378461565452959) *
        r +
        1.42343711074968357734) /
      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
        0.14810397642748007459) *
        r +
        0.68976733498510000455) *
        r +
        1.6763848301838038494) *
        r +
        2.05319162663775882187) *
        r +
        1);
  } else {
    // very close to 0 or 1
    r += -5;
    val =
      (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
        0.026532189526576123093) *
        r +
        0.29656057182850489123) *
        r +
        1.7848265399172913358) *
        r +
        5.4637849111641143699) *
        r +
        6.6579046435011037772) /
      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
        7.868691311456132591e-4) *
        r +
        0.0148753612908506148525) *
        r +
        0.13692988092273580531) *
        r +
        0.59983220655588793769) *
        r +
        1);
  }
  return q < 0 ? -val : val;
}

/**
 * Chi-square upper tail, R `pchisq(x, df, lower.tail = FALSE)` = Q(df/2, x/2), the regularized
 * upper incomplete gamma function: power series for P when x < a + 1 (then Q = 1 - P, which
 * cannot lose more than about a digit there), otherwise the continued fraction for Q directly
 * (modified Lentz), so tiny p-values keep full relative accuracy down to ~1e-300.
 * Edge cases as R: x <= 0 → 1; df = 0 is a point mass at 0 (x > 0 → 0); df < 0 or NaN → NaN.
 */
export function chiSquareUpperTail(x: number, df: number): number {
  if (Number.isNaN(x) || Number.isNaN(df) || df < 0) return Number.NaN;
  if (x <= 0) return 1;
  if (df === 0 || x === Infinity) return 0;
  if (df === Infinity) return 1;
  const a = df / 2;
  const z = x / 2;
  // log of z^a e^-z / Gamma(a), the common factor of both expansions
  const logFactor = a * Math.log(z) - z - logGamma(a);
  if (z < a + 1) return 1 - Math.exp(logFactor) * lowerSeries(a, z);
  return Math.exp(logFactor) * upperContinuedFraction(a, z);
}

const EPS = 1e-17;
const TINY = 1e-300;
const MAX_ITER = 100_000;

/** sum_{n>=0} z^n / (a (a+1) ... (a+n)); times z^a e^-z / Gamma(a) it is P(a, z). */
function lowerSeries(a: number, z: number): number {
  let ap = a;
  let term = 1 / a;
  let sum = term;
  for (let i = 0; i < MAX_ITER; i++) {
    ap += 1;
    term *= z / ap;
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return sum;
}

/** Continued fraction 1/(z+1-a- 1(1-a)/(z+3-a- 2(2-a)/(z+5-a- ...))); times the factor it is Q(a, z). */
function upperContinuedFraction(a: number, z: number): number {
  let b = z + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return h;
}

const HALF_LOG_2PI = 0.91893853320467274178; // log(sqrt(2 pi))

/**
 * log Gamma(a) for a > 0: Stirling's series for a >= 15 (error < 1e-17 there), and
 * Gamma(a) = Gamma(a + k) / (a (a+1) ... (a+k-1)) below that. Absolute error ~1e-15,
 * which is what the relative accuracy of chiSquareUpperTail rests on.
 */
export function logGamma(a: number): number {
  if (!(a > 0)) return Number.NaN;
  let shift = 0;
  let prod = 1;
  let y = a;
  while (y < 15) {
    prod *= y;
    y += 1;
    // keep the product representable
    if (prod > 1e280) {
      shift += Math.log(prod);
      prod = 1;
    }
  }
  shift += Math.log(prod);
  const inv = 1 / y;
  const inv2 = inv * inv;
  const series =
    inv *
    (1 / 12 -
      inv2 *
        (1 / 360 -
          inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 * (1 / 1188 - inv2 * (691 / 360360 - inv2 * (1 / 156)))))));
  return (y - 0.5) * Math.log(y) - y + HALF_LOG_2PI + series - shift;
}
