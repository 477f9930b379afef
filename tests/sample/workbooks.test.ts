/**
 * `npm run sample -- --format xlsx`: the workbooks and the chat archive hold the CSV sample's
 * facts. Each workbook is read back by the workbook reader (src/read/workbook.ts) with the
 * contract's header rule, and compared with the CSV sample written with the same options.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { workbookToCsv } from '../../src/read/workbook-file.ts';
import { generateSample, SAMPLE_DEFAULTS } from '../../src/sample/generate.ts';
import { CHAT_ARCHIVE_FILE, contractSheetOptions, WORKBOOKS } from '../../src/sample/workbooks.ts';

const SIZES = { groups: 24, seed: 7 };
let tmp: string;
const csvDir = () => path.join(tmp, 'csv');
const xlsxDir = () => path.join(tmp, 'xlsx');

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qunlens-sample-xlsx-'));
  await generateSample({ ...SIZES, outDir: csvDir() });
  await generateSample({ ...SIZES, outDir: xlsxDir(), format: 'xlsx' });
});

function rows(csv: string): string[][] {
  // the sample's values hold no quotes, commas or line breaks
  return csv.split('\n').filter((l) => l !== '').map((l) => l.split(','));
}

/** A CSV sample file and a workbook's CSV, field by field; numbers compared as numbers ('129.00' is 129). */
function sameRows(fromWorkbook: string[][], fromCsv: string[][], numeric: number[]): void {
  expect(fromWorkbook.length).toBe(fromCsv.length);
  const normal = (row: string[]) => row.map((v, i) => (numeric.includes(i) && v !== '' && Number.isFinite(Number(v)) ? String(Number(v)) : v)).join(',');
  expect(fromWorkbook.map(normal)).toEqual(fromCsv.map(normal));
}

async function readBack(file: string, table: keyof typeof WORKBOOKS): Promise<{ rows: string[][]; headerRow: number; records: Int32Array }> {
  const target = path.join(tmp, `${file}.csv`);
  const sheet = await workbookToCsv(path.join(xlsxDir(), file), target, contractSheetOptions(table));
  return { rows: rows(fs.readFileSync(target, 'utf8')).slice(1), headerRow: sheet.headerRow, records: sheet.rows };
}

const numericColumns = (table: keyof typeof WORKBOOKS) => WORKBOOKS[table].columns.flatMap((c, i) => (c.kind === 'number' ? [i] : []));

describe('the sample as workbooks', () => {
  it('writes the files operators hold, with Chinese names', () => {
    const names = fs.readdirSync(xlsxDir()).filter((n) => !n.startsWith('.')).sort();
    expect(names).toEqual(expect.arrayContaining(['客户群列表.xlsx', '渠道活码.xlsx', '订单.xlsx', '打卡记录.xlsx', CHAT_ARCHIVE_FILE]));
    expect(names.filter((n) => /^群成员_\d{4}-\d{2}\.xlsx$/.test(n)).length).toBeGreaterThan(6);
    expect(names.some((n) => n.endsWith('.csv'))).toBe(false);
  });

  it.each(['groups', 'channels', 'orders', 'checkins'] as const)('%s: the same rows as the CSV sample, below a title and an 导出时间 row', async (table) => {
    const back = await readBack(WORKBOOKS[table].file, table);
    const csv = rows(fs.readFileSync(path.join(csvDir(), `${table}.csv`), 'utf8')).slice(1);
    expect(back.headerRow).toBe(3);
    expect(back.records[0]).toBe(4);
    sameRows(back.rows, csv, numericColumns(table));
  });

  it('members: monthly files overlapping by a day hold every row of the CSV sample', async () => {
    const csv = rows(fs.readFileSync(path.join(csvDir(), 'members.csv'), 'utf8')).slice(1);
    const files = fs.readdirSync(xlsxDir()).filter((n) => n.startsWith('群成员_')).sort();
    const all: string[][] = [];
    const inFiles = new Map<string, number>();
    for (const file of files) {
      const back = await readBack(file, 'members');
      for (const row of back.rows) {
        all.push(row);
        const key = row.join(',');
        inFiles.set(key, (inFiles.get(key) ?? 0) + 1);
      }
    }
    // every row once, and the rows joined on the first of a month (but the first month's) twice
    const months = files.map((f) => f.slice(4, 11));
    const twice = csv.filter((r) => r[2].slice(8, 10) === '01' && months.includes(prevMonth(r[2].slice(0, 7))));
    expect(twice.length).toBeGreaterThan(0);
    expect(all.length).toBe(csv.length + twice.length);
    const distinct = [...new Set(all.map((r) => r.join(',')))].sort();
    const normal = (r: string[]) => r.map((v, i) => (numericColumns('members').includes(i) && v !== '' ? String(Number(v)) : v)).join(',');
    expect(distinct.map((r) => normal(r.split(',')))).toEqual([...new Set(csv.map(normal))].sort());
    expect(Math.max(...inFiles.values())).toBe(2);
  });

  it('the chat archive holds the messages, besides recalls, switches, one-to-one chats and re-pulls', () => {
    const records = fs
      .readFileSync(path.join(xlsxDir(), CHAT_ARCHIVE_FILE), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { msgid: string; action: string; from?: string; roomid?: string; msgtime?: number | string; msgtype?: string; time?: number });
    const seen = new Set<string>();
    const messages: string[] = [];
    for (const r of records) {
      if (r.action !== 'send' || !r.roomid || seen.has(r.msgid)) continue;
      seen.add(r.msgid);
      // UTC milliseconds → the wall clock in Asia/Shanghai (UTC+8)
      const local = new Date(Number(r.msgtime) + 8 * 3_600_000).toISOString();
      messages.push(`${local.slice(0, 10)} ${local.slice(11, 19)},${r.roomid},${r.from},${r.msgtype}`);
    }
    const csv = fs.readFileSync(path.join(csvDir(), 'messages.csv'), 'utf8').split('\n').slice(1).filter((l) => l !== '');
    expect(messages).toEqual(csv);
    expect(records.some((r) => r.action === 'recall')).toBe(true);
    expect(records.some((r) => r.action === 'switch' && typeof r.time === 'number')).toBe(true);
    expect(records.some((r) => r.action === 'send' && r.roomid === '')).toBe(true);
    expect(records.some((r) => typeof r.msgtime === 'string' && /^\d+$/.test(r.msgtime))).toBe(true);
    expect(records.length - new Set(records.map((r) => r.msgid)).size).toBeGreaterThan(0);
  });

  it('keeps the CSV sample as it was when no format is given', async () => {
    const again = path.join(tmp, 'csv-again');
    await generateSample({ ...SIZES, outDir: again, format: 'csv' });
    for (const file of fs.readdirSync(csvDir())) expect(fs.readFileSync(path.join(again, file)).equals(fs.readFileSync(path.join(csvDir(), file)))).toBe(true);
    expect(SAMPLE_DEFAULTS.asOf).toBe('2026-10-31');
  });
});

function prevMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 7);
}
