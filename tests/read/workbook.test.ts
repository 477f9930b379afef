/**
 * Excel workbooks → CSV (src/read/workbook.ts), on workbooks written by real spreadsheet
 * libraries: exceljs (shared strings, its streaming writer for inline strings, the 1904 date
 * system) and xlsx-populate (a password-protected workbook, as Office encrypts one). Every
 * conversion is run twice, through the Node path (workbookToCsv: node:zlib, a file) and the
 * browser's (workbookBytesToCsv: fflate, bytes), which must give the same bytes.
 */
import ExcelJS from 'exceljs';
import { strFromU8, unzipSync } from 'fflate';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColumnKind } from '../../src/core/contract.ts';
import { openNativeDb, type NativeDb } from '../../src/db/native.ts';
import { sqlString } from '../../src/db/db.ts';
import { InputError } from '../../src/read/source-files.ts';
import { valueMacros } from '../../src/read/values.ts';
import { workbookToCsv } from '../../src/read/workbook-file.ts';
import {
  bytesSource,
  convertWorkbook,
  excelScientific,
  formatKind,
  idNumberText,
  serialToText,
  workbookBytesToCsv,
  type WorkbookSheet,
  type WorkbookSheetOptions,
} from '../../src/read/workbook.ts';

const dir = mkdtempSync(join(tmpdir(), 'qunlens-workbook-'));

/** Header → kind, as the contract would say for a members export. */
const KINDS: Record<string, ColumnKind> = {
  客户ID: 'id',
  群ID: 'id',
  入群时间: 'datetime',
  退群时间: 'datetime',
  打卡日期: 'date',
  金额: 'amount',
  渠道: 'label',
};

/** The lead's rule, in small: the first row that holds 客户ID and 群ID. */
function options(extra: Partial<WorkbookSheetOptions> = {}): WorkbookSheetOptions {
  return {
    findHeader: (rows) => {
      const i = rows.findIndex((r) => r.includes('客户ID') && r.includes('群ID'));
      return i < 0 ? null : i;
    },
    columnKinds: (headers) => headers.map((h) => KINDS[h] ?? 'text'),
    ...extra,
  };
}

let counter = 0;
async function save(wb: ExcelJS.Workbook, name = `wb-${++counter}.xlsx`): Promise<string> {
  const path = join(dir, name);
  await wb.xlsx.writeFile(path);
  return path;
}

/** Both paths; they must agree byte for byte. */
async function convert(path: string, extra: Partial<WorkbookSheetOptions> = {}): Promise<WorkbookSheet & { csv: string }> {
  const target = join(dir, `out-${++counter}.csv`);
  const sheet = await workbookToCsv(path, target, options(extra));
  const fromFile = readFileSync(target);
  const inMemory = await workbookBytesToCsv(readFileSync(path), options(extra));
  expect(Buffer.from(inMemory.csv).equals(fromFile)).toBe(true);
  expect([...inMemory.rows]).toEqual([...sheet.rows]);
  return { ...sheet, csv: fromFile.toString('utf8') };
}

/** A part of a workbook file, as text: to check that a test's workbook holds what it is meant to. */
function part(path: string, name: string): string {
  const file = unzipSync(readFileSync(path), { filter: (f) => f.name === name })[name];
  if (!file) throw new Error(`${path} has no part ${name}`);
  return strFromU8(file);
}

async function inputError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('expected an InputError');
}

/** A members export as WeCom's console writes one: a title, an export time, then the header. */
function membersWorkbook(date1904 = false): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.properties.date1904 = date1904;
  const ws = wb.addWorksheet('客户群成员');
  ws.addRow(['客户群成员列表']);
  ws.addRow(['导出时间：2026-10-31 12:00:00']);
  ws.addRow(['客户ID', '群ID', '入群时间', '退群时间', '渠道', '备注']);
  const rows: unknown[][] = [
    ['wmA001', 'G0001', new Date(Date.UTC(2026, 2, 5, 14, 2, 9)), null, '门店导购', null],
    ['wmA002', 'G0001', new Date(Date.UTC(2026, 2, 6, 0, 0, 0)), new Date(Date.UTC(2026, 3, 1, 23, 59, 59)), '海报', '老客户'],
  ];
  for (const values of rows) {
    const row = ws.addRow(values);
    row.getCell(3).numFmt = 'yyyy-mm-dd hh:mm:ss';
    row.getCell(4).numFmt = 'yyyy/m/d h:mm:ss';
  }
  return wb;
}

describe('a sheet as operators export it', () => {
  it('skips the title and 导出时间 rows above the header, and numbers each record by its Excel row', async () => {
    const seen: string[][][] = [];
    const path = await save(membersWorkbook());
    expect(part(path, 'xl/worksheets/sheet1.xml')).toContain('t="s"'); // shared strings
    const result = await convert(path, {
      findHeader: (rows) => {
        seen.push(rows);
        return rows.findIndex((r) => r.includes('客户ID'));
      },
    });
    expect(seen[0].slice(0, 3)).toEqual([['客户群成员列表'], ['导出时间：2026-10-31 12:00:00'], ['客户ID', '群ID', '入群时间', '退群时间', '渠道', '备注']]);
    expect(result.sheet).toBe('客户群成员');
    expect(result.headerRow).toBe(3);
    expect(result.headers).toEqual(['客户ID', '群ID', '入群时间', '退群时间', '渠道', '备注']);
    expect([...result.rows]).toEqual([4, 5]);
    expect(result.csv).toBe(
      '客户ID,群ID,入群时间,退群时间,渠道,备注\n' +
        'wmA001,G0001,2026-03-05 14:02:09,,门店导购,\n' +
        'wmA002,G0001,2026-03-06 00:00:00,2026-04-01 23:59:59,海报,老客户\n',
    );
  });

  it('reads date cells of the 1904 date system as the same wall clock', async () => {
    const path = await save(membersWorkbook(true));
    expect(part(path, 'xl/workbook.xml')).toContain('date1904="1"');
    const result = await convert(path);
    expect(result.csv.split('\n').slice(1, 3)).toEqual(['wmA001,G0001,2026-03-05 14:02:09,,门店导购,', 'wmA002,G0001,2026-03-06 00:00:00,2026-04-01 23:59:59,海报,老客户']);
  });

  it('writes date cells by the column: a date column gets the day, a text column what the format shows', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('打卡');
    ws.addRow(['客户ID', '群ID', '打卡日期', '备注', '补充']);
    const row = ws.addRow(['wm1', 'G1', new Date(Date.UTC(2026, 9, 1, 8, 30, 0)), new Date(Date.UTC(2026, 9, 2)), new Date(Date.UTC(2026, 9, 3, 7, 5, 1, 250))]);
    row.getCell(3).numFmt = 'yyyy"年"m"月"d"日"';
    row.getCell(4).numFmt = 'mm-dd-yy'; // built-in format 14
    row.getCell(5).numFmt = '[$-804]yyyy/m/d h:mm';
    const path = await save(wb);
    expect(part(path, 'xl/styles.xml')).toMatch(/<xf numFmtId="14"/);
    const result = await convert(path);
    expect(result.csv.split('\n')[1]).toBe('wm1,G1,2026-10-01,2026-10-02,2026-10-03 07:05:01.250');
  });

  it('writes every date of a year of times to the millisecond, as serialToText says', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('成员');
    ws.addRow(['客户ID', '群ID', '入群时间']);
    const expected: string[] = [];
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const ms = Date.UTC(2025, 0, 1) + Math.floor((seed / 2 ** 31) * 366 * 86_400_000) - (i % 2 ? (seed % 1000) : 0);
      const row = ws.addRow([`wm${i}`, 'G1', new Date(ms)]);
      row.getCell(3).numFmt = 'yyyy-mm-dd hh:mm:ss';
      const iso = new Date(ms).toISOString();
      expected.push(`wm${i},G1,${iso.slice(0, 10)} ${iso.slice(11, 19)}${iso.slice(20, 23) === '000' ? '' : `.${iso.slice(20, 23)}`}`);
    }
    const result = await convert(await save(wb));
    expect(result.csv.split('\n').slice(1, -1)).toEqual(expected);
  });
});

describe('IDs Excel stored as numbers', () => {
  let db: NativeDb;
  beforeAll(async () => {
    db = await openNativeDb();
    await db.exec(valueMacros('Asia/Shanghai', { dates: { earliest: '2000-01-01', latest: '2026-12-07' } }));
  });
  afterAll(() => db.close());

  it('writes an ID number as its integer text, and one beyond 15 digits as Excel shows it, which the ID check rejects', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('成员');
    ws.addRow(['客户ID', '群ID', '入群时间']);
    ws.addRow([13812345678, 10001, '2026-03-05 14:02']);
    ws.addRow([12345678901234567, 10001, '2026-03-05 14:03']); // 17 digits: Excel kept 15 of them
    ws.addRow(['wm003', 999999999999999, '2026-03-05 14:04']); // 15 digits: exact
    const path = await save(wb);
    const result = await convert(path);
    expect(result.csv.split('\n').slice(1, 4)).toEqual([
      '13812345678,10001,2026-03-05 14:02',
      '1.23456789012346E+16,10001,2026-03-05 14:03',
      'wm003,999999999999999,2026-03-05 14:04',
    ]);
    // once read as the CSV path reads it, the ID check rejects the 17-digit one only
    const target = join(dir, 'ids.csv');
    writeFileSync(target, result.csv);
    const checked = await db.rows<{ member_id: string; mangled: boolean }>(
      `SELECT "客户ID" AS member_id, qz_id_mangled("客户ID") AS mangled FROM read_csv(${sqlString(target)}, all_varchar = true)`,
    );
    expect(checked.map((r) => r.mangled)).toEqual([false, true, false]);
  });

  it('shows lost digits the way Excel does', () => {
    expect(excelScientific(123456789012345678)).toBe('1.23456789012346E+17');
    expect(excelScientific(1.2e16)).toBe('1.2E+16');
    expect(idNumberText('1.3812345678E10')).toBe('13812345678');
    expect(idNumberText('123456789012345680')).toBe('1.23456789012346E+17');
    expect(idNumberText('1000000000000000')).toBe('1E+15');
  });

  it('keeps a text date Excel did not parse as text, for the checks to reject', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('成员');
    ws.addRow(['客户ID', '群ID', '入群时间']);
    ws.addRow(['wm1', 'G1', '2026-13-45']);
    ws.addRow(['wm2', 'G1', '2026/3/5 14:02']);
    const result = await convert(await save(wb));
    expect(result.csv.split('\n').slice(1, 3)).toEqual(['wm1,G1,2026-13-45', 'wm2,G1,2026/3/5 14:02']);
    const [row] = await db.rows<{ a: unknown; b: unknown }>(`SELECT qz_ts('2026-13-45') AS a, CAST(qz_ts('2026/3/5 14:02') AS VARCHAR) AS b`);
    expect(row).toEqual({ a: null, b: '2026-03-05 14:02:00' });
  });
});

describe('cell types', () => {
  it('gives formulas their cached values, booleans as true/false and error cells as their text', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('订单');
    ws.addRow(['客户ID', '群ID', '金额', '备注', '是否退款', '检查']);
    ws.addRow(['wm1', 'G1', { formula: '100*1.29', result: 129 }, { formula: 'A2&"-x"', result: 'wm1-x' }, true, { error: '#N/A' }]);
    ws.addRow(['wm2', 'G1', 0.1 + 0.2, 'plain', false, { formula: '1/0', result: { error: '#DIV/0!' } }]);
    const path = await save(wb);
    expect(part(path, 'xl/worksheets/sheet1.xml')).toMatch(/<f>100\*1\.29<\/f><v>129<\/v>/);
    const result = await convert(path);
    expect(result.csv.split('\n').slice(1, 3)).toEqual(['wm1,G1,129,wm1-x,true,#N/A', 'wm2,G1,0.30000000000000004,plain,false,#DIV/0!']);
  });

  it('reads inline strings and rich text (exceljs streaming writer without shared strings)', async () => {
    const path = join(dir, 'inline.xlsx');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: false, useStyles: true });
    const ws = wb.addWorksheet('成员');
    ws.addRow(['客户群成员']).commit();
    ws.addRow(['客户ID', '群ID', '备注']).commit();
    ws.addRow(['wm1', 'G1', { richText: [{ text: '新', font: { bold: true } }, { text: '客户 & <VIP>' }] }]).commit();
    ws.addRow(['wm2', 'G2', 'a "quoted", text']).commit();
    await ws.commit();
    await wb.commit();
    const xml = part(path, 'xl/worksheets/sheet1.xml');
    expect(xml).toContain('t="inlineStr"');
    expect(xml).toContain('t="str"');
    const result = await convert(path);
    expect(result.csv.split('\n').slice(1, 3)).toEqual(['wm1,G1,新客户 & <VIP>', 'wm2,G2,"a ""quoted"", text"']);
    expect([...result.rows]).toEqual([3, 4]);
  });

  it('quotes a cell with a line break, which stays one record mapped to its one Excel row', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('成员');
    ws.addRow(['客户ID', '群ID', '备注']);
    ws.addRow(['wm1', 'G1', '第一行\n第二行']);
    ws.addRow(['wm2', 'G1', 'windows\r\nline']);
    ws.addRow(['wm3', 'G1', 'x']);
    const result = await convert(await save(wb));
    expect(result.csv).toBe('客户ID,群ID,备注\nwm1,G1,"第一行\n第二行"\nwm2,G1,"windows\r\nline"\nwm3,G1,x\n');
    expect([...result.rows]).toEqual([2, 3, 4]);
  });

  it('leaves empty rows out and keeps Excel row numbers for the rest', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('成员');
    ws.getRow(2).values = ['客户ID', '群ID'];
    ws.getRow(3).values = ['wm1', 'G1'];
    ws.getRow(7).values = ['wm2', 'G2'];
    ws.getRow(8).getCell(1).numFmt = '0.00'; // a formatted row with no value: empty
    ws.getRow(8).getCell(1).value = null;
    ws.getRow(1004).values = ['wm3', 'G3'];
    const result = await convert(await save(wb));
    expect(result.headerRow).toBe(2);
    expect([...result.rows]).toEqual([3, 7, 1004]);
    expect(result.csv).toBe('客户ID,群ID\nwm1,G1\nwm2,G2\nwm3,G3\n');
  });

  it('joins the lines of a header cell typed with Alt+Enter, so the CSV header is one line', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('成员');
    ws.addRow(['客户ID', '群\nID', '入群\r\n时间', 'join\ntime']);
    ws.addRow(['wm1', 'G1', '2026-03-05 14:02', 'x']);
    const result = await convert(await save(wb));
    expect(result.headers).toEqual(['客户ID', '群ID', '入群时间', 'join time']);
    expect(result.csv).toBe('客户ID,群ID,入群时间,join time\nwm1,G1,2026-03-05 14:02,x\n');
  });

  it('writes a value right of the header as an extra field, so the row is rejected, not the value dropped', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('成员');
    ws.addRow(['客户ID', '群ID', '备注']);
    ws.addRow(['wm1', 'G1']);
    ws.addRow(['wm2', 'G1', null, null, 'stray']);
    const result = await convert(await save(wb));
    expect(result.csv).toBe('客户ID,群ID,备注\nwm1,G1,\nwm2,G1,,,stray\n');
  });
});

describe('choosing the sheet', () => {
  function twoSheets(): ExcelJS.Workbook {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('说明').addRow(['本表由系统导出', '请勿修改表头']);
    const a = wb.addWorksheet('九月');
    a.addRow(['客户ID', '群ID']);
    a.addRow(['wm9', 'G9']);
    const b = wb.addWorksheet('十月');
    b.addRow(['客户ID', '群ID']);
    b.addRow(['wm10', 'G10']);
    return wb;
  }

  it('reads the first sheet whose header fits, and says why the ones before it were not', async () => {
    const result = await convert(await save(twoSheets()));
    expect(result.sheet).toBe('九月');
    expect(result.csv).toBe('客户ID,群ID\nwm9,G9\n');
    expect(result.skipped).toEqual([{ sheet: '说明', reason: expect.stringContaining('"本表由系统导出"') }]);
  });

  it('reads the sheet `sheet` names', async () => {
    const result = await convert(await save(twoSheets()), { sheet: '十月' });
    expect(result.sheet).toBe('十月');
    expect(result.csv).toBe('客户ID,群ID\nwm10,G10\n');
  });

  it('stops with a message listing the sheets when `sheet` names none of them', async () => {
    const path = await save(twoSheets(), '群成员_2026-10.xlsx');
    const message = await inputError(workbookToCsv(path, join(dir, 'x.csv'), options({ sheet: '十一月' })));
    expect(message).toContain('群成员_2026-10.xlsx');
    expect(message).toContain('no sheet named "十一月"');
    expect(message).toContain('"说明", "九月", "十月"');
  });

  it('stops on a workbook with no matching sheet, naming each sheet and what its first rows hold', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Sheet1').addRow(['订单号', '金额']);
    const other = wb.addWorksheet('统计');
    other.addRow(['汇总']);
    other.addRow(['群数', 120]);
    const path = await save(wb, '客户群列表.xlsx');
    const message = await inputError(workbookToCsv(path, join(dir, 'x.csv'), options({ expected: '客户ID and 群ID' })));
    expect(message).toContain('客户群列表.xlsx: no sheet has a header row');
    expect(message).toContain('sheet "Sheet1"');
    expect(message).toContain('row 1: "订单号", "金额"');
    expect(message).toContain('sheet "统计"');
    expect(message).toContain('row 2: "群数", "120"');
    expect(message).toContain('客户ID and 群ID');
    expect(message).not.toMatch(/save as|另存为/i);
  });

  it('stops on an empty sheet', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Sheet1');
    const path = await save(wb, '群成员_empty.xlsx');
    const message = await inputError(workbookToCsv(path, join(dir, 'x.csv'), options()));
    expect(message).toContain('群成员_empty.xlsx');
    expect(message).toContain('"Sheet1" is empty');
    const chosen = await inputError(workbookToCsv(path, join(dir, 'x.csv'), options({ sheet: 'Sheet1' })));
    expect(chosen).toContain('sheet "Sheet1" is empty');
  });

  it('passes hidden sheets by unless `sheet` names one', async () => {
    const wb = twoSheets();
    wb.getWorksheet('九月')!.state = 'hidden';
    const result = await convert(await save(wb));
    expect(result.sheet).toBe('十月');
    expect(result.skipped.map((s) => s.sheet)).toEqual(['说明', '九月']);
    expect((await convert(await save(wb), { sheet: '九月' })).sheet).toBe('九月');
  });
});

describe('files that are no workbook to read', () => {
  it('stops on a corrupt file: not a zip, or a zip cut short', async () => {
    const junk = join(dir, '客户群列表.xlsx');
    writeFileSync(junk, 'group_id,name\nG1,一群\n');
    const message = await inputError(workbookToCsv(junk, join(dir, 'x.csv'), options()));
    expect(message).toMatch(/^客户群列表\.xlsx: cannot be read as an Excel workbook: it is not an \.xlsx workbook/);
    expect(message).toContain('Export it again');

    const whole = readFileSync(await save(membersWorkbook()));
    const cut = join(dir, '群成员_cut.xlsx');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    expect(await inputError(workbookToCsv(cut, join(dir, 'x.csv'), options()))).toMatch(/^群成员_cut\.xlsx: cannot be read as an Excel workbook: the zip archive has no end/);

    const damaged = Buffer.from(whole);
    // the sheet's deflated bytes overwritten: the directory is whole, the data is not
    const at = damaged.indexOf('xl/worksheets/sheet1.xml') + 'xl/worksheets/sheet1.xml'.length;
    damaged.fill(0xff, at, at + 200);
    const broken = join(dir, '群成员_broken.xlsx');
    writeFileSync(broken, damaged);
    expect(await inputError(workbookToCsv(broken, join(dir, 'x.csv'), options()))).toMatch(/^群成员_broken\.xlsx: cannot be read as an Excel workbook/);
    expect(await inputError(workbookBytesToCsv(damaged, options({ file: '群成员_broken.xlsx' })))).toMatch(/^群成员_broken\.xlsx: cannot be read as an Excel workbook/);
  });

  it('stops on a password-protected workbook (xlsx-populate encrypts it as Office does)', async () => {
    const XlsxPopulate = createRequire(import.meta.url)('xlsx-populate') as {
      fromBlankAsync(): Promise<{ sheet(i: number): { cell(ref: string): { value(v: unknown): unknown } }; outputAsync(o: { password: string }): Promise<Buffer> }>;
    };
    const wb = await XlsxPopulate.fromBlankAsync();
    wb.sheet(0).cell('A1').value('客户ID');
    const bytes = await wb.outputAsync({ password: 'secret' });
    expect([...bytes.subarray(0, 4)]).toEqual([0xd0, 0xcf, 0x11, 0xe0]);
    const path = join(dir, '订单.xlsx');
    writeFileSync(path, bytes);
    const message = await inputError(workbookToCsv(path, join(dir, 'x.csv'), options()));
    expect(message).toMatch(/^订单\.xlsx: the workbook is protected by a password/);
    expect(message).not.toMatch(/csv/i);
  });

  it('tells an old .xls (a compound file without EncryptionInfo) from an encrypted one', async () => {
    // a minimal compound file: header, one FAT sector, one directory sector with a Workbook stream
    const sector = 512;
    const bytes = new Uint8Array(sector * 3);
    const view = new DataView(bytes.buffer);
    bytes.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    view.setUint16(0x1a, 3, true);
    view.setUint16(0x1c, 0xfffe, true);
    view.setUint16(0x1e, 9, true);
    view.setUint32(0x2c, 1, true); // one FAT sector
    view.setUint32(0x30, 1, true); // directory at sector 1
    view.setUint32(0x44, 0xfffffffe, true);
    view.setUint32(0x4c, 0, true); // FAT at sector 0
    for (let i = 1; i < 109; i++) view.setUint32(0x4c + i * 4, 0xffffffff, true);
    const fat = sector; // sector 0
    for (let i = 0; i < 128; i++) view.setUint32(fat + i * 4, 0xffffffff, true);
    view.setUint32(fat, 0xfffffffd, true); // sector 0: FAT
    view.setUint32(fat + 4, 0xfffffffe, true); // sector 1: end of the directory chain
    const entry = (index: number, name: string) => {
      const at = sector * 2 + index * 128;
      for (let i = 0; i < name.length; i++) view.setUint16(at + i * 2, name.charCodeAt(i), true);
      view.setUint16(at + 0x40, (name.length + 1) * 2, true);
      bytes[at + 0x42] = index === 0 ? 5 : 2;
    };
    entry(0, 'Root Entry');
    entry(1, 'Workbook');
    const path = join(dir, 'old.xlsx');
    writeFileSync(path, bytes);
    expect(await inputError(workbookToCsv(path, join(dir, 'x.csv'), options()))).toMatch(/^old\.xlsx: this is an Excel 97–2003 workbook \(\.xls\)/);
    entry(1, 'EncryptionInfo');
    writeFileSync(path, bytes);
    expect(await inputError(workbookToCsv(path, join(dir, 'x.csv'), options()))).toMatch(/^old\.xlsx: the workbook is protected by a password/);
  });
});

describe('streaming', () => {
  it('gives the same CSV however the compressed bytes arrive (pieces that end inside a row, a tag, a character)', async () => {
    const wb = membersWorkbook();
    const ws = wb.getWorksheet('客户群成员')!;
    for (let i = 0; i < 300; i++) ws.addRow([`wm${i}`, `G${i % 7}`, 46000 + i / 7, null, '门店导购', `第${i}行，备注`]);
    const bytes = readFileSync(await save(wb));
    const whole = await workbookBytesToCsv(bytes, options());
    for (const step of [1, 7, 333]) {
      const source = bytesSource(bytes);
      source.compressed = async function* (offset, length) {
        for (let i = offset; i < offset + length; i += step) yield bytes.subarray(i, Math.min(offset + length, i + step));
      };
      const pieces: Uint8Array[] = [];
      const sheet = await convertWorkbook(source, { ...options(), file: 'x.xlsx' }, (piece) => {
        pieces.push(piece);
      });
      expect(Buffer.concat(pieces).equals(Buffer.from(whole.csv))).toBe(true);
      expect(sheet.rows.length).toBe(302);
    }
  });
});

describe('date formats', () => {
  it.each([
    ['yyyy-mm-dd', 'date'],
    ['yyyy/m/d h:mm', 'datetime'],
    ['yyyy"年"m"月"d"日"', 'date'],
    ['[$-804]yyyy"年"m"月"d"日" hh:mm', 'datetime'],
    ['[h]:mm:ss', 'datetime'],
    ['mm:ss.0', 'datetime'],
    ['General', null],
    ['0.00', null],
    ['#,##0 "元"', null],
    ['[Red]#,##0.00;[Blue]-#,##0.00', null],
    ['"day" 0', null],
    ['0.00E+00', null],
    ['@', null],
  ])('%s is %s', (code, kind) => {
    expect(formatKind(code)).toBe(kind);
  });

  it('counts the day Excel invented (1900-02-29) and the 1904 system', () => {
    expect(serialToText(1, false, false)).toBe('1900-01-01');
    expect(serialToText(59, false, false)).toBe('1900-02-28');
    expect(serialToText(60, false, false)).toBe('1900-02-29');
    expect(serialToText(61, false, false)).toBe('1900-03-01');
    expect(serialToText(46086.5847337963, false, true)).toBe('2026-03-05 14:02:01');
    expect(serialToText(46086.5847337963 - 1462, true, true)).toBe('2026-03-05 14:02:01');
  });
});
