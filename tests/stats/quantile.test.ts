import { describe, expect, it } from 'vitest';
import { percentRank, quantile7 } from '../../src/stats/index.ts';
import { expectClose, loadFixture, type RNum } from './fixtures.ts';

interface QuantileCase { name: string; values: RNum[]; p: number[]; q: RNum[] }
const fixture = loadFixture<{ cases: QuantileCase[] }>('quantile7.json');

describe('quantile7 vs R quantile(type = 7, na.rm = TRUE)', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      // the R script writes NA and NaN both as null
      const values = c.values.map((v) => (typeof v === 'number' ? v : null));
      c.p.forEach((p, i) => expectClose(quantile7(values, p), c.q[i], `p=${p}`));
    });
  }
});

describe('quantile7 by hand', () => {
  it('interpolates at 1 + (n - 1) p', () => {
    // sorted 1 2 4 8: p = 0.5 → position 2.5 → 2 + 0.5 · (4 - 2) = 3
    expect(quantile7([8, 1, 4, 2], 0.5)).toBe(3);
    // p = 0.25 → position 1.75 → 1 + 0.75 · (2 - 1)
    expect(quantile7([8, 1, 4, 2], 0.25)).toBe(1.75);
    expect(quantile7([8, 1, 4, 2], 1)).toBe(8);
  });

  it('ignores null and NaN; empty → null', () => {
    expect(quantile7([null, 5, Number.NaN], 0.9)).toBe(5);
    expect(quantile7([], 0.5)).toBeNull();
    expect(quantile7([null, Number.NaN], 0.5)).toBeNull();
    expect(() => quantile7([1], 1.1)).toThrow(RangeError);
  });
});

describe('percentRank = SQL percent_rank()', () => {
  it('(values strictly below) / (n - 1), ties share the lowest rank', () => {
    const v = [10, 20, 20, 30, 40];
    expect(v.map((x) => percentRank(v, x))).toEqual([0, 0.25, 0.25, 0.75, 1]);
  });

  it('n = 1 → 0, n = 0 → 0', () => {
    expect(percentRank([7], 7)).toBe(0);
    expect(percentRank([], 7)).toBe(0);
  });
});
