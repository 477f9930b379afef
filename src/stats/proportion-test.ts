import { chiSquareUpperTail } from './distributions.ts';

export interface ProportionTest {
  chisq: number;
  df: 1;
  p: number;
}

/**
 * Two proportions compared as R `prop.test(c(x1, x2), c(n1, n2), correct = FALSE)`: Pearson
 * chi-square on the 2×2 table, 1 df. null where R's p-value is NaN (a zero denominator, or
 * both proportions 0 or both 1).
 */
export function twoProportionTest(x1: number, n1: number, x2: number, n2: number): ProportionTest | null {
  if (n1 <= 0 || n2 <= 0) return null;
  const pooled = (x1 + x2) / (n1 + n2);
  const variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2);
  if (!(variance > 0)) return null;
  const diff = x1 / n1 - x2 / n2;
  const chisq = (diff * diff) / variance;
  return { chisq, df: 1, p: chiSquareUpperTail(chisq, 1) };
}
