import { describe, expect, it } from 'vitest';
import { chiSquareUpperTail, logRank } from '../../src/stats/index.ts';
import { expectClose, loadFixture, timeCounts, type RNum } from './fixtures.ts';

interface LogRankCase {
  name: string;
  note: string;
  raw: { time: number[]; status: number[]; group: string[] };
  keys: string[];
  n: number[];
  observed: number[];
  expected: number[];
  chisq: RNum;
  df: number;
  p: RNum;
}

const fixture = loadFixture<{ cases: LogRankCase[] }>('logrank.json');

/** Raw records → one TimeCount list per group, in R's group order (sorted factor levels). */
function strataOf(c: LogRankCase) {
  return c.keys.map((key) => {
    const idx = c.raw.group.flatMap((g, i) => (g === key ? [i] : []));
    return {
      key,
      counts: timeCounts(
        idx.map((i) => c.raw.time[i]),
        idx.map((i) => c.raw.status[i]),
      ),
    };
  });
}

describe('logRank vs R survdiff', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const got = logRank(strataOf(c));
      expect(got.strata.map((s) => s.key)).toEqual(c.keys);
      expect(got.strata.map((s) => s.n)).toEqual(c.n);
      expect(got.strata.map((s) => s.observed)).toEqual(c.observed);
      got.strata.forEach((s, i) => expectClose(s.expected, c.expected[i], `expected ${s.key}`));
      expect(got.df).toBe(c.df);
      expectClose(got.chisq, c.chisq, 'chisq');
      // p-values: relative 1e-9 (they go down to ~1e-100 here), absolute 1e-9 for ordinary ones
      expectClose(got.p, c.p, 'p', { abs: 1e-9, rel: 1e-9 });
      expectClose(got.p, c.p, 'p (relative)', { abs: 0, rel: 1e-9 });
    });
  }
});

describe('logRank by hand', () => {
  // A: (1, event) (3, event); B: (2, event) (4, censored)
  const result = logRank([
    { key: 'A', counts: [{ time: 1, events: 1, censored: 0 }, { time: 3, events: 1, censored: 0 }] },
    { key: 'B', counts: [{ time: 4, events: 0, censored: 1 }, { time: 2, events: 1, censored: 0 }] },
  ]);

  it('expected = sum over event times of d · r_k / N', () => {
    // t=1: N=4 (2A, 2B), d=1 → E_A 1/2; t=2: N=3 (1A, 2B) → 1/3; t=3: N=2 (1A, 1B) → 1/2
    expect(result.strata[0]).toMatchObject({ key: 'A', n: 2, observed: 2 });
    expect(result.strata[0].expected).toBeCloseTo(1 / 2 + 1 / 3 + 1 / 2, 15);
    expect(result.strata[1]).toMatchObject({ key: 'B', n: 2, observed: 1 });
    expect(result.strata[1].expected).toBeCloseTo(1 / 2 + 2 / 3 + 1 / 2, 15);
  });

  it('chisq = (O_B - E_B)² / V_BB with V_BB = sum d (N-d)/(N(N-1)) · r_B (1 - r_B/N)', () => {
    // V_BB = 1·3/(4·3)·2·(1/2) + 1·2/(3·2)·2·(1/3) + 1·1/(2·1)·1·(1/2) = 1/4 + 2/9 + 1/4 = 13/18
    // (O - E)² = (1 - 5/3)² = 4/9 → chisq = (4/9) / (13/18) = 8/13
    expect(result.chisq).toBeCloseTo(8 / 13, 14);
    expect(result.df).toBe(1);
    // R: pchisq(8/13, 1, lower.tail = FALSE)
    expect(result.p).toBeCloseTo(0.43276758066778465, 14);
  });

  it('a single stratum: nothing to compare → chisq 0, df 0, p 1, O = E', () => {
    const single = logRank([{ key: 'all', counts: [{ time: 1, events: 2, censored: 1 }, { time: 5, events: 1, censored: 0 }] }]);
    expect(single).toEqual({ chisq: 0, df: 0, p: 1, strata: [{ key: 'all', n: 4, observed: 3, expected: 3 }] });
  });

  it('no events at all → chisq 0, df 0, p 1 (R would give df -1 and p NaN)', () => {
    const none = logRank([
      { key: 'a', counts: [{ time: 1, events: 0, censored: 3 }] },
      { key: 'b', counts: [{ time: 2, events: 0, censored: 1 }] },
    ]);
    expect(none).toMatchObject({ chisq: 0, df: 0, p: 1 });
  });

  it('empty strata list and empty strata', () => {
    expect(logRank([])).toEqual({ chisq: 0, df: 0, p: 1, strata: [] });
    const withEmpty = logRank([
      { key: 'a', counts: [{ time: 1, events: 1, censored: 0 }, { time: 2, events: 1, censored: 0 }] },
      { key: 'b', counts: [{ time: 2, events: 1, censored: 0 }, { time: 3, events: 0, censored: 1 }] },
      { key: 'empty', counts: [] },
    ]);
    expect(withEmpty.df).toBe(1);
    expect(withEmpty.strata[2]).toEqual({ key: 'empty', n: 0, observed: 0, expected: 0 });
  });

  it('singular variance (a group only at risk where nobody else is) uses the generalized inverse', () => {
    // c's only subject dies alone at t = 10 (N = 1 → no variance contribution, E_c = 1 > 0)
    const r = logRank([
      { key: 'a', counts: [{ time: 1, events: 1, censored: 0 }, { time: 3, events: 1, censored: 1 }] },
      { key: 'b', counts: [{ time: 2, events: 1, censored: 0 }, { time: 3, events: 0, censored: 1 }] },
      { key: 'c', counts: [{ time: 10, events: 1, censored: 0 }] },
    ]);
    expect(r.df).toBe(2);
    expect(Number.isFinite(r.chisq)).toBe(true);
    expect(r.p).toBeCloseTo(chiSquareUpperTail(r.chisq, 2), 15);
  });

  it('rejects duplicate keys', () => {
    expect(() => logRank([{ key: 'x', counts: [] }, { key: 'x', counts: [] }])).toThrow();
  });
});
