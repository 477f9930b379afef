// Log-rank test comparing survival curves of several groups, as R survival 3.5 survdiff (rho = 0).
import { chiSquareUpperTail } from './distributions.ts';
import type { TimeCount } from './kaplan-meier.ts';

export interface LogRankStratum {
  key: string;
  n: number;
  observed: number;
  expected: number;
}

export interface LogRankResult {
  chisq: number;
  df: number;
  p: number;
  strata: LogRankStratum[];
}

/**
 * As R `survdiff(Surv(time, status) ~ group)` (rho = 0): chi-square, df, p = pchisq(chisq, df, lower.tail = FALSE).
 *
 * Observed/expected/variance accumulate as the C routine survdiff2: at each time with d > 0 deaths
 * among N at risk (r_k in group k), E_k += d r_k / N and, when N > 1,
 * V_jk += d (N - d) / (N (N - 1)) r_j (δ_jk - r_k / N).
 * As survival:::survdiff, groups with E = 0 are left out, the first remaining group is dropped and
 * chisq = (O - E)' V⁻¹ (O - E) over the rest; df = (groups with E > 0) - 1. Fewer than two groups
 * with E > 0 (a single stratum, or no events) → chisq 0, df 0, p 1 (R: pchisq(0, 0, lower = FALSE) = 1;
 * R would say df = -1, p = NaN when there are no events at all, and refuses a single group).
 * Where R's solve() would stop on a singular V (possible only in degenerate designs) the quadratic
 * form uses the generalized inverse of survival's cholesky2/chsolve2 instead.
 * Strata are reported in input order; keys must be unique.
 */
export function logRank(strata: readonly { key: string; counts: readonly TimeCount[] }[]): LogRankResult {
  const ngroup = strata.length;
  const keys = new Set<string>();
  for (const s of strata) {
    if (keys.has(s.key)) throw new Error(`logRank: duplicate stratum key ${JSON.stringify(s.key)}`);
    keys.add(s.key);
  }
  // per time: events and subjects leaving, by group
  const byTime = new Map<number, { events: number[]; leaving: number[] }>();
  const n = new Array<number>(ngroup).fill(0);
  const observed = new Array<number>(ngroup).fill(0);
  strata.forEach((s, g) => {
    for (const c of s.counts) {
      if (!Number.isFinite(c.time)) throw new RangeError(`logRank: time must be finite, got ${c.time}`);
      if (!(c.events >= 0 && c.censored >= 0 && Number.isFinite(c.events) && Number.isFinite(c.censored)))
        throw new RangeError(`logRank: counts must be finite and >= 0 (stratum ${s.key}, time ${c.time})`);
      if (c.events === 0 && c.censored === 0) continue;
      let at = byTime.get(c.time);
      if (!at) {
        at = { events: new Array<number>(ngroup).fill(0), leaving: new Array<number>(ngroup).fill(0) };
        byTime.set(c.time, at);
      }
      at.events[g] += c.events;
      at.leaving[g] += c.events + c.censored;
      n[g] += c.events + c.censored;
      observed[g] += c.events;
    }
  });

  const times = [...byTime.keys()].sort((a, b) => a - b);
  const risk = n.slice();
  const expected = new Array<number>(ngroup).fill(0);
  const variance = Array.from({ length: ngroup }, () => new Array<number>(ngroup).fill(0));
  for (const t of times) {
    const at = byTime.get(t)!;
    let nrisk = 0;
    let deaths = 0;
    for (let g = 0; g < ngroup; g++) {
      nrisk += risk[g];
      deaths += at.events[g];
    }
    if (deaths > 0) {
      for (let k = 0; k < ngroup; k++) expected[k] += (deaths * risk[k]) / nrisk;
      if (nrisk > 1) {
        for (let j = 0; j < ngroup; j++) {
          const tmp = (deaths * risk[j] * (nrisk - deaths)) / (nrisk * (nrisk - 1));
          variance[j][j] += tmp;
          for (let k = 0; k < ngroup; k++) variance[j][k] -= (tmp * risk[k]) / nrisk;
        }
      }
    }
    for (let g = 0; g < ngroup; g++) risk[g] -= at.leaving[g];
  }

  const used: number[] = [];
  for (let g = 0; g < ngroup; g++) if (expected[g] > 0) used.push(g);
  let chisq = 0;
  if (used.length >= 2) {
    const rest = used.slice(1);
    const diff = rest.map((g) => observed[g] - expected[g]);
    const v = rest.map((j) => rest.map((k) => variance[j][k]));
    chisq = quadraticFormGeneralizedInverse(v, diff);
  }
  const df = Math.max(used.length - 1, 0);
  return {
    chisq,
    df,
    p: chiSquareUpperTail(chisq, df),
    strata: strata.map((s, g) => ({ key: s.key, n: n[g], observed: observed[g], expected: expected[g] })),
  };
}

/**
 * b' V⁻ b for a symmetric non-negative definite V, via survival's cholesky2 (LDL', pivots below
 * toler × max diagonal treated as 0) and chsolve2 (components on zero pivots set to 0). For a
 * non-singular V this is b' V⁻¹ b, R's sum(solve(vv, b) * b).
 */
function quadraticFormGeneralizedInverse(v: number[][], b: readonly number[]): number {
  const n = b.length;
  const m = v.map((row) => row.slice());
  const toler = Math.pow(Number.EPSILON, 0.75); // coxph's toler.chol
  let eps = 0;
  for (let i = 0; i < n; i++) if (m[i][i] > eps) eps = m[i][i];
  eps = eps === 0 ? toler : eps * toler;
  for (let i = 0; i < n; i++) {
    const pivot = m[i][i];
    if (!Number.isFinite(pivot) || pivot < eps) {
      m[i][i] = 0;
      continue;
    }
    for (let j = i + 1; j < n; j++) {
      const temp = m[j][i] / pivot;
      m[j][i] = temp;
      m[j][j] -= temp * temp * pivot;
      for (let k = j + 1; k < n; k++) m[k][j] -= temp * m[k][i];
    }
  }
  const y = b.slice();
  for (let i = 0; i < n; i++) {
    let temp = y[i];
    for (let j = 0; j < i; j++) temp -= y[j] * m[i][j];
    y[i] = temp;
  }
  for (let i = n - 1; i >= 0; i--) {
    if (m[i][i] === 0) y[i] = 0;
    else {
      let temp = y[i] / m[i][i];
      for (let j = i + 1; j < n; j++) temp -= y[j] * m[j][i];
      y[i] = temp;
    }
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += y[i] * b[i];
  return sum;
}
