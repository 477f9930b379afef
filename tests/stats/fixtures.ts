// Shared helpers for the R-fixture tests: loading the JSON written by
// tests/fixtures/r/make-stats-fixtures.R and comparing numbers.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { TimeCount } from '../../src/stats/index.ts';

/** A number as the R script writes it: null for NA, "Inf"/"-Inf" for infinities. */
export type RNum = number | null | 'Inf' | '-Inf';

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/r/${name}`, import.meta.url), 'utf8')) as T;
}

export function num(v: RNum): number | null {
  if (v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return v;
}

/**
 * Raw (time, status) records → TimeCount rows the way the pipeline's SQL does it:
 * GROUP BY time, SUM(status) AS events, SUM(1 - status) AS censored, in no particular order
 * (here: order of first appearance, so the input is deliberately unsorted).
 */
export function timeCounts(time: readonly number[], status: readonly number[]): TimeCount[] {
  const rows = new Map<number, TimeCount>();
  time.forEach((t, i) => {
    const row = rows.get(t) ?? { time: t, events: 0, censored: 0 };
    row.events += status[i];
    row.censored += 1 - status[i];
    rows.set(t, row);
  });
  return [...rows.values()];
}

/**
 * actual ≈ expected: both null (R's NA), equal infinities, or within `abs` absolute or `rel`
 * relative difference. Defaults: absolute 1e-9 only.
 */
export function expectClose(
  actual: number | null,
  expected: RNum,
  label: string,
  { abs = 1e-9, rel = 0 }: { abs?: number; rel?: number } = {},
): void {
  const e = num(expected);
  if (e === null || actual === null) {
    expect(actual, label).toBe(e);
    return;
  }
  if (!Number.isFinite(e)) {
    expect(actual, label).toBe(e);
    return;
  }
  const diff = Math.abs(actual - e);
  const ok = diff <= abs || diff <= rel * Math.abs(e);
  if (!ok) expect.fail(`${label}: got ${actual}, R gives ${e} (difference ${diff})`);
}
