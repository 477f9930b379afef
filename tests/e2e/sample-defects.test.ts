/**
 * Every defect the sample data set plants is caught by validation where an operator would look:
 * its file, its physical line, its column, with the severity the defect calls for.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSample } from '../../src/sample/generate.ts';
import { SAMPLE_DEFECTS } from '../../src/sample/defects.ts';
import { parseCsv, readCsvObjects, tempDir } from '../helpers.ts';
import { buildData } from './build-helpers.ts';

let input: string;
let quality: Record<string, string>[];

beforeAll(async () => {
  input = join(tempDir(), 'sample');
  await generateSample({ outDir: input, groups: 12, memberships: 600, messages: 6000, orders: 200 });
  const { data } = await buildData(input);
  quality = readCsvObjects(join(data, 'data_quality.csv'));
}, 120_000);

/** Physical line of the row matching all values (the sample has no quoted line breaks). */
function lineOf(file: string, match: Readonly<Record<string, string>>): number {
  const [header, ...rows] = parseCsv(readFileSync(join(input, file), 'utf8'));
  const index = rows.findIndex((r) => Object.entries(match).every(([column, value]) => r[header.indexOf(column)] === value));
  expect(index, `${file} has a row matching ${JSON.stringify(match)}`).toBeGreaterThanOrEqual(0);
  return index + 2;
}

describe('the sample defects', () => {
  it.each(SAMPLE_DEFECTS.map((d) => [d.kind, d] as const))('%s is reported', (_kind, defect) => {
    if (defect.severity === 'error') {
      const line = String(lineOf(defect.file, defect.match));
      const found = quality.filter((q) => q.file === defect.file && q.line === line && q.severity === 'error');
      expect(found.map((q) => q.column), JSON.stringify(found)).toContain(defect.column);
    } else {
      const value = Object.values(defect.match)[0];
      expect(quality.some((q) => q.file === defect.file && q.column === defect.column && q.severity === 'warning' && q.message.includes(value))).toBe(true);
    }
  });

  it('reports nothing else as an error', () => {
    const errors = quality.filter((q) => q.severity === 'error');
    expect(errors.length).toBe(SAMPLE_DEFECTS.filter((d) => d.severity === 'error').length);
  });
});
