import { describe, expect, it } from 'vitest';
import { wilson } from '../../src/stats/index.ts';
import { expectClose, loadFixture } from './fixtures.ts';

interface WilsonCase { x: number; n: number; conf_level: number; rate: number; lower: number; upper: number }
const fixture = loadFixture<{ cases: WilsonCase[] }>('wilson.json');

describe('wilson vs R prop.test(x, n, correct = FALSE)$conf.int', () => {
  for (const c of fixture.cases) {
    it(`${c.x}/${c.n} at ${c.conf_level}`, () => {
      const got = wilson(c.x, c.n, c.conf_level);
      expectClose(got.rate, c.rate, 'rate');
      expectClose(got.lower, c.lower, 'lower');
      expectClose(got.upper, c.upper, 'upper');
    });
  }
});

describe('wilson by hand', () => {
  it('3 of 10 at 95%: (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)', () => {
    const z = 1.959963984540054;
    const p = 0.3;
    const n = 10;
    const centre = p + (z * z) / (2 * n);
    const half = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
    const got = wilson(3, 10);
    expect(got.rate).toBe(0.3);
    expect(got.lower).toBeCloseTo((centre - half) / (1 + (z * z) / n), 14); // 0.1078
    expect(got.upper).toBeCloseTo((centre + half) / (1 + (z * z) / n), 14); // 0.6032
  });

  it('0/n has lower exactly 0, n/n upper exactly 1; n = 0 is all null', () => {
    expect(wilson(0, 7).lower).toBe(0);
    expect(wilson(7, 7).upper).toBe(1);
    expect(wilson(0, 0)).toEqual({ rate: null, lower: null, upper: null });
  });

  it('rejects impossible counts', () => {
    expect(() => wilson(3, 2)).toThrow(RangeError);
    expect(() => wilson(-1, 2)).toThrow(RangeError);
    expect(() => wilson(1, 2, 0)).toThrow(RangeError);
  });
});

describe('wilsonSql', () => {
  it('gives wilson()\'s doubles bit for bit in DuckDB, n = 0 and the edges included', async () => {
    const { openNativeDb } = await import('../../src/db/native.ts');
    const { wilson, wilsonSql } = await import('../../src/stats/wilson.ts');
    const db = await openNativeDb();
    try {
      for (const conf of [0.95, 0.9, 0.99]) {
        const w = wilsonSql('x', 'n', conf);
        const rows = await db.rows<{ x: number; n: number; rate: number | null; lower: number | null; upper: number | null }>(`
          SELECT x::INTEGER AS x, n::INTEGER AS n, ${w.rate} AS rate, ${w.lower} AS lower, ${w.upper} AS upper
          FROM range(0, 130) a(n), range(0, 130) b(x) WHERE x <= n`);
        expect(rows.length).toBe((131 * 130) / 2);
        for (const r of rows) expect([r.rate, r.lower, r.upper], `${r.x}/${r.n} at ${conf}`).toEqual(Object.values(wilson(r.x, r.n, conf)));
      }
    } finally {
      await db.close();
    }
  });
});
