import { describe, expect, it } from 'vitest';
import { chiSquareUpperTail, normalQuantile } from '../../src/stats/index.ts';
import { expectClose, loadFixture, type RNum } from './fixtures.ts';

interface DistFixture {
  qnorm: { p: number[]; q: RNum[] };
  pchisq_upper: { df: number; x: number[]; p: number[] }[];
}
const fixture = loadFixture<DistFixture>('distributions.json');

describe('normalQuantile vs R qnorm', () => {
  it('matches to 1e-15 (relative)', () => {
    fixture.qnorm.p.forEach((p, i) => expectClose(normalQuantile(p), fixture.qnorm.q[i], `qnorm(${p})`, { abs: 1e-15, rel: 1e-15 }));
  });

  it('by hand: symmetric, 0 at 1/2, the familiar 1.96', () => {
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 15);
    expect(normalQuantile(0.025)).toBeCloseTo(-normalQuantile(0.975), 15);
    expect(normalQuantile(-0.1)).toBeNaN();
    expect(normalQuantile(Number.NaN)).toBeNaN();
  });
});

describe('chiSquareUpperTail vs R pchisq(lower.tail = FALSE)', () => {
  for (const c of fixture.pchisq_upper) {
    it(`df = ${c.df}`, () => {
      c.x.forEach((x, i) => {
        expectClose(chiSquareUpperTail(x, c.df), c.p[i], `x=${x}`, { abs: 1e-9 });
        // relative accuracy holds all the way down (p values to 1e-300)
        expectClose(chiSquareUpperTail(x, c.df), c.p[i], `x=${x} (relative)`, { abs: 0, rel: 1e-12 });
      });
    });
  }

  it('by hand: df = 2 is exp(-x/2); df = 1 at 3.841459 is 0.05', () => {
    for (const x of [0.5, 3, 10, 100, 1000]) expect(chiSquareUpperTail(x, 2)).toBeCloseTo(Math.exp(-x / 2), 14);
    expect(chiSquareUpperTail(1000, 2) / Math.exp(-500)).toBeCloseTo(1, 13);
    expect(chiSquareUpperTail(3.841458820694124, 1)).toBeCloseTo(0.05, 14);
  });

  it('edges: x <= 0 → 1, x = Infinity → 0, df = 0, bad input → NaN', () => {
    expect(chiSquareUpperTail(0, 3)).toBe(1);
    expect(chiSquareUpperTail(-1, 3)).toBe(1);
    expect(chiSquareUpperTail(Infinity, 3)).toBe(0);
    expect(chiSquareUpperTail(0, 0)).toBe(1);
    expect(chiSquareUpperTail(2, 0)).toBe(0);
    expect(chiSquareUpperTail(1, -1)).toBeNaN();
    expect(chiSquareUpperTail(Number.NaN, 1)).toBeNaN();
  });
});
