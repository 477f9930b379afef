/**
 * The pipeline against an independent implementation of METRICS.md in R
 * (tests/reference/reference-metrics.R: base R counting + the survival package), on every case
 * in tests/reference/cases/. Each expected figure must match to 1e-8 (outputs carry 10 decimals).
 * Regenerate the expected files with tests/reference/make-expected.sh after changing a case.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsvObjects, ROOT } from '../helpers.ts';
import { buildData } from '../e2e/build-helpers.ts';

const CASES = join(ROOT, 'tests', 'reference', 'cases');

/** Key columns of each compared file. */
const KEYS: Record<string, string[]> = {
  'channel_summary.csv': ['channel'],
  'membership_survival.csv': ['channel', 'day'],
  'activity_retention.csv': ['channel', 'week'],
  'cohort_retention.csv': ['cohort', 'week'],
  'group_survival.csv': ['group_type', 'day'],
  'lifespan_summary.csv': ['group_type'],
  'lifespan_logrank.csv': ['group_type'],
  'type_benchmarks.csv': ['group_type', 'metric'],
  'groups.csv': ['group_id'],
};

/** Columns R computes too (summary(survfit, times = 30)), so the comparison covers them. */
const DAY_30: Record<string, string[]> = {
  'channel_summary.csv': ['at_risk_d30'],
  'groups.csv': ['at_risk_d30', 'km_retained_d30', 'km_retained_d30_lower', 'km_retained_d30_upper'],
};

function same(ours: string, expected: string): boolean {
  if (ours === expected) return true;
  if (ours === '' || expected === '') return false;
  const a = Number(ours);
  const b = Number(expected);
  if (Number.isNaN(a) || Number.isNaN(b)) return ours.toLowerCase() === expected.toLowerCase();
  return Math.abs(a - b) <= Math.max(1e-8, 1e-9 * Math.abs(b));
}

/** Every cell of the expected file, compared by key; returns the differences. */
export function compareFile(oursPath: string, expectedPath: string, keys: string[]): string[] {
  const ours = readCsvObjects(oursPath);
  const expected = readCsvObjects(expectedPath);
  const key = (r: Record<string, string>) => keys.map((k) => r[k]).join('|');
  const byKey = new Map(ours.map((r) => [key(r), r]));
  const problems: string[] = [];
  for (const e of expected) {
    const o = byKey.get(key(e));
    if (!o) {
      problems.push(`missing row ${key(e)}`);
      continue;
    }
    for (const [column, value] of Object.entries(e)) {
      if (!(column in o)) problems.push(`no column ${column}`);
      else if (!same(o[column], value)) problems.push(`${key(e)} ${column}: ours ${o[column] || '(empty)'}, R ${value || '(empty)'}`);
    }
    byKey.delete(key(e));
  }
  for (const k of byKey.keys()) problems.push(`extra row ${k}`);
  return problems;
}

const cases = readdirSync(CASES).filter((c) => existsSync(join(CASES, c, 'expected')));

describe.each(cases)('reference case %s', (name) => {
  let data: string;
  const asOfFile = join(CASES, name, 'as-of');
  it('builds, writing every file compared with R', async () => {
    const asOf = existsSync(asOfFile) ? readFileSync(asOfFile, 'utf8').trim() : undefined;
    ({ data } = await buildData(join(CASES, name, 'input'), { asOf }));
    expect(Object.keys(KEYS).filter((file) => !existsSync(join(data, file)))).toEqual([]);
  }, 300_000);
  it('R computed the day-30 columns: the number at risk, the Kaplan–Meier S(30) and its band', () => {
    for (const [file, columns] of Object.entries(DAY_30)) {
      const header = Object.keys(readCsvObjects(join(CASES, name, 'expected', file))[0] ?? {});
      expect(columns.filter((c) => !header.includes(c)), file).toEqual([]);
    }
  });
  it.each(Object.entries(KEYS))('%s equals R', (file, keys) => {
    expect(compareFile(join(data, file), join(CASES, name, 'expected', file), keys).slice(0, 20)).toEqual([]);
  });
});
