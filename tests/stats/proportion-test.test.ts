import { describe, expect, it } from 'vitest';
import { twoProportionTest } from '../../src/stats/index.ts';

// prop.test(c(x1, x2), c(n1, n2), correct = FALSE) in R 4.2 (statistic, p.value)
const R: [number, number, number, number, number, number][] = [
  [30, 100, 45, 100, 4.7999999999999998, 0.028459736916310541],
  [1, 10, 9, 10, 12.800000000000001, 0.0003466193511346668],
  [512, 2000, 430, 2100, 15.196937306956137, 9.6860387546597953e-5],
  [0, 5, 3, 5, 4.2857142857142856, 0.038433930236781808],
  [7000, 9000, 6000, 9500, 472.8458675827095, 7.7000059061517312e-105],
];

describe('twoProportionTest = prop.test(correct = FALSE)', () => {
  it.each(R)('%i/%i vs %i/%i', (x1, n1, x2, n2, chisq, p) => {
    const t = twoProportionTest(x1, n1, x2, n2)!;
    expect(t.chisq).toBeCloseTo(chisq, 10);
    expect(Math.abs(t.p - p) / p).toBeLessThan(1e-9);
  });
  it('is undefined where R gives NaN', () => {
    expect(twoProportionTest(0, 10, 0, 10)).toBeNull();
    expect(twoProportionTest(5, 5, 7, 7)).toBeNull();
    expect(twoProportionTest(1, 0, 1, 5)).toBeNull();
  });
});
