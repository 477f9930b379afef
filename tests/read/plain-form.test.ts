/**
 * The plain pass (events.ts) takes a row as it stands when every field has its plain form
 * (row-checks.ts plainForm). That is only right if a plain field is one the general parsers
 * return unchanged (an ID) or read as the plain cast does (an ISO time), with none of its
 * checks failing. This holds plainForm to it on generated fields: IDs and times near the
 * edges (blanks, '-', '#', '+', full-width and multi-byte characters, impossible days, days
 * outside the plausible range), each read by both through the same CSV scan.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableSpec } from '../../src/core/contract.ts';
import { openNativeDb, type NativeDb } from '../../src/db/native.ts';
import { parsePlan, plainForm } from '../../src/read/row-checks.ts';
import { scanSql, type SourceFile } from '../../src/read/source-files.ts';
import { valueMacros } from '../../src/read/values.ts';
import { FUZZ_RUNS } from '../fuzz/damage.ts';
import { tempDir } from '../helpers.ts';

const spec = tableSpec('messages');
const COLUMNS = ['sent_at', 'group_id', 'member_id'] as const;
const headers = [...COLUMNS];
const source = { index: 0, columns: new Map(headers.map((h, i) => [h, i])), headers };

let db: NativeDb;
beforeAll(async () => {
  db = await openNativeDb();
  await db.exec(valueMacros('Asia/Shanghai', { dates: { earliest: '2015-01-01', latest: '2026-12-07' } }));
});
afterAll(async () => {
  await db?.close();
});

// characters that decide plainness, and ordinary ones
const EDGE = [' ', '\t', '　', '-', '+', '#', '$', '!', '/', '.', ':', 'E', 'e', 'T', 'Z', '０', '１', '－', '：', 'é', '中', '~', '\x7f', '"', ',', '0', '9', 'a', 'z', 'A', 'w', 'm', '_'];
const edgeText = fc.array(fc.constantFrom(...EDGE), { minLength: 0, maxLength: 6 }).map((cs) => cs.join(''));
const realId = fc.stringMatching(/^(wm|wr|G|o)[0-9A-Za-z_]{3,30}$/);
const id = fc.oneof(
  realId,
  fc.tuple(edgeText, realId, edgeText).map(([a, b, c]) => a + b + c),
  edgeText,
  fc.constantFrom('-', '--', '#N/A', '#REF!', '1.38E+10', '1.38e+10', '013800138000', '-a', '　a', 'a　', ''),
);
const ISO = '2026-03-05 14:02:09';
const time = fc.oneof(
  fc.constantFrom(ISO, '2026-03-05T14:02:09', '2026-02-30 10:00:00', '2026-13-01 00:00:00', '2026-03-05 24:00:00', '2026-03-05 23:59:60', '2014-12-31 23:59:59', '2015-01-01 00:00:00', '2026-12-07 23:59:59', '2026-12-08 00:00:00', '2026-03-05', '2026/03/05 14:02:09', ` ${ISO}`, `${ISO} `, `${ISO}+08:00`, '１２３', ''),
  // one character of an ISO time replaced
  fc.tuple(fc.nat(ISO.length - 1), fc.constantFrom(...EDGE)).map(([i, c]) => ISO.slice(0, i) + c + ISO.slice(i + 1)),
  fc.tuple(fc.integer({ min: 2010, max: 2030 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), fc.integer({ min: 0, max: 23 })).map(
    ([y, m, d, h]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')} ${String(h).padStart(2, '0')}:00:00`,
  ),
);
const csvField = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** Per row of `rows` through one CSV: the general parse (typed values, mask) and each field's plain form. */
async function readBothWays(rows: string[][]) {
  const path = join(tempDir(), 'messages.csv');
  writeFileSync(path, [headers.join(','), ...rows.map((r) => r.map(csvField).join(','))].join('\n') + '\n');
  const file = { ...source, format: 'csv', readPath: path, delimiter: ',', serial: true, skip: 0 } as unknown as SourceFile;
  const plan = parsePlan(spec, [source]);
  await db.exec(`CREATE OR REPLACE TABLE general AS ${plan.select(scanSql(file), source, { keepRaw: false, columns: COLUMNS })}`);
  const forms = COLUMNS.map((name) => {
    const column = spec.columns.find((c) => c.name === name)!;
    const r = `f${source.columns.get(name)}`;
    const value = plainForm(column, r, 'NULL')!.value;
    const form = plainForm(column, r, `(${value})`)!;
    const bits = plan.checks.filter((c) => c.column === name).reduce((m, c) => m | (1n << BigInt(c.bit)), 0n);
    return { name, form, bits };
  });
  await db.exec(`CREATE OR REPLACE TABLE plain AS SELECT ${forms.map((f) => `coalesce(${f.form.plain}, false) AS "${f.name}_plain", ${f.form.value} AS "${f.name}_value"`).join(', ')} FROM ${scanSql(file)}`);
  return db.rows<Record<string, unknown>>(`
    SELECT ${forms
      .map(
        (f) => `p."${f.name}_plain" AS "${f.name}_plain",
          (p."${f.name}_value" IS NOT DISTINCT FROM g."${f.name}") AS "${f.name}_same",
          (g.__mask & ${f.bits}::BIGINT) = 0 AS "${f.name}_passes"`,
      )
      .join(', ')}
    FROM (SELECT rowid AS n, * FROM plain) p JOIN (SELECT rowid AS n, * FROM general) g USING (n) ORDER BY n`);
}

describe('plainForm', () => {
  it('is plain only where the general parsers give the same value and none of the column’s checks fails', async () => {
    const seen = { plain: 0, notPlain: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(time, id, id), { minLength: 50, maxLength: 200 }), async (rows) => {
        const read = await readBothWays(rows);
        expect(read).toHaveLength(rows.length);
        read.forEach((row, i) => {
          for (const name of COLUMNS) {
            if (row[`${name}_plain`]) {
              seen.plain++;
              expect({ row: rows[i], name, same: row[`${name}_same`], passes: row[`${name}_passes`] }).toEqual({ row: rows[i], name, same: true, passes: true });
            } else seen.notPlain++;
          }
        });
      }),
      { numRuns: FUZZ_RUNS || 15, seed: 20261206 },
    );
    // both kinds of field came up often enough to mean something
    expect(seen.plain).toBeGreaterThan(1000);
    expect(seen.notPlain).toBeGreaterThan(1000);
  });

  it('takes the fields of a plain export, and none of the ones to trim or check', async () => {
    const read = await readBothWays([
      ['2026-03-05 14:02:09', 'wrOgQhDgAAcwMTB7YmDkbeBsgT_KAAAA', 'wmXXXXXX-_0123456789abcdefghijkl'],
      ['2026-03-05T14:02:09', 'G0001', 'mayu'],
      [' 2026-03-05 14:02:09', ' G0001', 'mayu '],
      ['2026/3/5 14:02', '#N/A', '1.38E+10'],
      ['2014-12-31 23:59:59', '-', '　mayu'],
    ]);
    expect(read.map((r) => COLUMNS.map((c) => r[`${c}_plain`]))).toEqual([
      [true, true, true],
      [true, true, true],
      [false, false, false],
      [false, false, false],
      [false, false, false],
    ]);
  });
});
