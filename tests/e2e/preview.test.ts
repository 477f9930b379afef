/**
 * The CSV preview (Data quality page) and the build reject the same rows of the same file, with
 * the same lines, columns and messages: the preview runs the build's own checks. Only checks
 * that need another file (a group missing from groups.csv) are the build's alone.
 */
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/core/config.ts';
import { openNativeDb } from '../../src/db/native.ts';
import { previewCsv } from '../../src/preview/preview.ts';
import { generateSample } from '../../src/sample/generate.ts';
import { copyFixture, encodeGb18030, readCsvObjects, tempDir } from '../helpers.ts';
import { buildData } from './build-helpers.ts';
import { openWasmNodeDb } from './wasm-node.ts';

const OTHER_FILES = /is not in (groups\.csv|客户群列表\.xlsx)|its group was rejected/;

async function preview(name: string, bytes: Uint8Array, withoutIcu = false, now?: Date) {
  const db = await openNativeDb();
  const dir = tempDir();
  try {
    return await previewCsv(db, { name, bytes }, {
      timeZone: 'Asia/Shanghai',
      earliestDate: DEFAULT_CONFIG.earliestDate,
      orderAmountCeiling: DEFAULT_CONFIG.orderAmountCeiling,
      withoutIcu,
      now,
      register: async (file, data) => {
        const path = join(dir, file);
        writeFileSync(path, data);
        return path;
      },
    });
  } finally {
    await db.close();
  }
}

/** The preview as the browser runs it: in duckdb-wasm (here its Node build), without ICU. */
async function previewInWasm(name: string, bytes: Uint8Array, now: Date) {
  const db = await openWasmNodeDb();
  try {
    return await previewCsv(db, { name, bytes }, {
      timeZone: 'Asia/Shanghai',
      earliestDate: DEFAULT_CONFIG.earliestDate,
      orderAmountCeiling: DEFAULT_CONFIG.orderAmountCeiling,
      withoutIcu: true,
      now,
      register: (name, data) => db.register(name, data.slice()),
    });
  } finally {
    await db.close();
  }
}

const key = (i: { line: number | null | string; column: string | null; message: string }) => `${i.line}|${i.column ?? ''}|${i.message}`;

describe('CSV preview', () => {
  it('rejects the same rows as the build, file by file, on the sample data with its defects', async () => {
    const data = join(tempDir(), 'sample');
    await generateSample({ outDir: data, groups: 12, memberships: 1500, messages: 20_000, orders: 300 });
    const { data: out } = await buildData(data);
    const dq = readCsvObjects(join(out, 'data_quality.csv')).filter((r) => r.severity === 'error' && !OTHER_FILES.test(r.message));
    let compared = 0;
    for (const file of readdirSync(data).filter((f) => f.endsWith('.csv'))) {
      const fromBuild = dq.filter((r) => r.file === file).map((r) => key({ line: Number(r.line), column: r.column || null, message: r.message })).sort();
      // as native DuckDB runs it, and as the browser does (no ICU: the zone's fixed offset)
      for (const withoutIcu of [false, true]) {
        const result = await preview(file, new Uint8Array(readFileSync(join(data, file))), withoutIcu);
        expect(result.issues.filter((i) => i.severity === 'error').map(key).sort(), `${file} ${withoutIcu ? 'without ICU' : ''}`).toEqual(fromBuild);
      }
      compared += fromBuild.length;
    }
    // the sample's defects are there to be found
    expect(compared).toBeGreaterThan(3);
  }, 120_000);

  it('a workbook: the same rows as the build, named by sheet and Excel row, natively and in duckdb-wasm', async () => {
    const data = join(tempDir(), 'sample');
    await generateSample({ outDir: data, groups: 12, memberships: 1500, messages: 20_000, orders: 300, format: 'xlsx' });
    const { data: out } = await buildData(data);
    const dq = readCsvObjects(join(out, 'data_quality.csv')).filter((r) => r.severity === 'error' && !OTHER_FILES.test(r.message));
    let compared = 0;
    const now = new Date();
    for (const file of readdirSync(data).filter((f) => f.endsWith('.xlsx'))) {
      const fromBuild = dq.filter((r) => r.file === file).map((r) => `${r.sheet}|${key({ line: Number(r.line), column: r.column || null, message: r.message })}`).sort();
      const bytes = new Uint8Array(readFileSync(join(data, file)));
      for (const result of [await preview(file, bytes), await previewInWasm(file, bytes, now)]) {
        expect(result.encoding).toBe('xlsx');
        expect(result.issues.filter((i) => i.severity === 'error').map((i) => `${i.sheet}|${key(i)}`).sort(), file).toEqual(fromBuild);
      }
      compared += fromBuild.length;
    }
    expect(compared).toBeGreaterThan(2);
    // a workbook whose name says nothing: the table its header fits
    const members = readdirSync(data).find((f) => f.startsWith('群成员_'))!;
    expect((await preview('export (3).xlsx', new Uint8Array(readFileSync(join(data, members))))).table).toBe('members');
  }, 180_000);

  it('reads GB18030 exports with Chinese headers, and names lines across quoted newlines', async () => {
    const text = [
      '群ID,客户ID,入群时间,退群时间,渠道',
      'G1,M1,2026-03-01 10:00,,导购',
      'G1,"M2',
      'x",2026-03-02,,物料',
      'G1,M3,not a date,,导购',
      '',
      'G1,M4,2026-03-04,2026-03-01,邀请',
    ].join('\r\n');
    const result = await preview('members.csv', encodeGb18030(text));
    expect(result.encoding).toBe('gb18030');
    expect(result.records).toBe(4);
    const errors = result.issues.filter((i) => i.severity === 'error');
    expect(errors.map((e) => [e.line, e.column])).toEqual([
      [5, 'joined_at'],
      [7, 'left_at'],
    ]);
  });

  it('says which export it cannot place', async () => {
    await expect(preview('export.csv', new TextEncoder().encode('a,b\n1,2\n'))).rejects.toThrow(/cannot tell which export this is; name it after its table/);
  });
});

describe('CSV preview: plausible dates and numbers (issue #14)', () => {
  // the same clock for build and preview: noon in Shanghai on 2026-12-06
  const NOW = new Date('2026-12-06T04:00:00Z');
  const rows: Record<string, string[]> = {
    'members.csv': ['x20,G1,9999-12-31,,导购,,2,', 'x21,G1,2026-03-05 10:00:00,2099-03-05 10:00:00,导购,,2,', 'x22,G1,0001-01-01 10:00:00,,导购,,2,', 'x23,G1,99999,,导购,,2,', 'x24,G1,2026-12-07 12:00:00,,导购,,2,'],
    'orders.csv': [
      ...['1e309', 'Infinity', 'NaN', '1e14', '99999999999999.9999', '"1,2,3"', '"1.234,5"', '"12,5"', '1_2_3', '250000', '25.5万', '"1,234.50"', '１２３'].map((amount, i) => `O8${i},a1,,2026-03-01 10:00:00,${amount},否,x`),
      'O90,a1,,2099-03-01 10:00:00,5,否,x',
    ],
    'messages.csv': ['9999-12-31 10:00:00,G1,a1,text', '9999999999999,G1,a1,text', '2026-03-01 10:00:00,G1,a1,text'],
  };

  it('rejects, and warns about, the same rows as the build: natively, without ICU, and in duckdb-wasm', async () => {
    const data = copyFixture('hand');
    for (const [file, lines] of Object.entries(rows)) appendFileSync(join(data, file), lines.map((l) => `${l}\n`).join(''));
    const { data: out } = await buildData(data, { now: NOW });
    const fromBuild = readCsvObjects(join(out, 'data_quality.csv')).filter((r) => r.line !== '' && r.line !== '1' && !OTHER_FILES.test(r.message));
    for (const file of Object.keys(rows)) {
      const expected = fromBuild.filter((r) => r.file === file).map((r) => `${r.severity}|${key({ line: Number(r.line), column: r.column || null, message: r.message })}`).sort();
      // every probe row but the plausible ones (x24 on the last plausible day, 1,234.50, １２３, a message in March) is named
      expect(expected.length, file).toBe({ 'members.csv': 4, 'orders.csv': 12, 'messages.csv': 2 }[file]);
      const bytes = new Uint8Array(readFileSync(join(data, file)));
      for (const [engine, result] of [
        ['native', await preview(file, bytes, false, NOW)],
        ['without ICU', await preview(file, bytes, true, NOW)],
        ['duckdb-wasm', await previewInWasm(file, bytes, NOW)],
      ] as const) {
        expect(result.issues.filter((i) => i.line !== null && i.line !== 1).map((i) => `${i.severity}|${key(i)}`).sort(), `${file} ${engine}`).toEqual(expected);
      }
    }
  }, 180_000);

  it('bounds dates by its own clock (in the browser, the browser\'s)', async () => {
    const bytes = new TextEncoder().encode('group_id,member_id,joined_at,channel\nG1,M1,2026-12-07 12:00:00,导购\n');
    expect((await preview('members.csv', bytes, false, new Date('2026-12-06T04:00:00Z'))).rejected).toBe(0);
    const early = await preview('members.csv', bytes, false, new Date('2026-12-05T04:00:00Z'));
    expect(early.issues.filter((i) => i.severity === 'error').map((i) => i.message)).toEqual([`joined_at "2026-12-07 12:00:00" is after 2026-12-06 (the day after this build): a typo'd year? fix the date`]);
  });
});

describe('timestamps without ICU (the browser)', () => {
  it('equal the ICU conversion for a zone without daylight saving', async () => {
    const { valueMacros, zoneOffsetMinutes } = await import('../../src/read/values.ts');
    const inputs = ['1772331480000', '1772331480', '2026-03-01T02:18:00Z', '2026-03-01 10:18:00+08:00', '2026-03-01 02:18:00 +0000', '2026-03-01 10:18', '46082.5'];
    const run = async (sql: string) => {
      const db = await openNativeDb();
      try {
        await db.exec(sql);
        return await db.rows(`SELECT x, CAST(qz_ts(x) AS VARCHAR) AS t FROM (VALUES ${inputs.map((x) => `('${x}')`).join(', ')}) v(x)`);
      } finally {
        await db.close();
      }
    };
    const dates = { earliest: '2000-01-01', latest: '2026-12-07' };
    const withIcu = await run(valueMacros('Asia/Shanghai', { dates }));
    const fixed = await run(valueMacros('Asia/Shanghai', { dates, fixedOffsetMinutes: zoneOffsetMinutes('Asia/Shanghai') }));
    expect(fixed).toEqual(withIcu);
    expect(withIcu.every((r) => r.t !== null)).toBe(true);
  });
});
