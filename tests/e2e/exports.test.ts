/**
 * Exports as operators hold them (issue #15): several files per table with Chinese names or in
 * a folder, monthly files that overlap by a day, title rows above the header, an export's own
 * headers mapped in the data folder's configuration. The same facts give the same figures.
 */
import ExcelJS from 'exceljs';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mapHeader, tableSpec, type TableName } from '../../src/core/contract.ts';
import { openNativeDb } from '../../src/db/native.ts';
import { generateSample } from '../../src/sample/generate.ts';
import { copyFixture, FIXTURES, parseCsv, readCsvObjects, runCli, tempDir, toCsv } from '../helpers.ts';
import { buildData, checkData } from './build-helpers.ts';

/**
 * Every output of dist/data but the files that name the input files, which differ by design, and
 * the databases, whose bytes differ between any two builds (their figures are the CSVs').
 */
const NAMING_INPUTS = new Set(['data_quality.csv', 'data_quality_summary.csv', 'label_mapping.csv', 'summary.json']);
const figureFiles = (dir: string) => readdirSync(dir).filter((f) => !NAMING_INPUTS.has(f) && !f.endsWith('.duckdb'));

let reference: string;
beforeAll(async () => {
  ({ data: reference } = await buildData(join(FIXTURES, 'hand')));
});

function expectSameFigures(data: string): void {
  for (const file of figureFiles(reference)) {
    expect(readFileSync(join(data, file), 'utf8'), file).toBe(readFileSync(join(reference, file), 'utf8'));
  }
}

/** Split a table's CSV into files by the month of a datetime column; each file also holds the first day of the next month (overlapping exports). */
function splitByMonth(dir: string, file: string, column: string, name: (month: string) => string, folder = ''): string[] {
  const [header, ...rows] = parseCsv(readFileSync(join(dir, file), 'utf8'));
  const at = header.indexOf(column);
  const months = [...new Set(rows.map((r) => r[at].slice(0, 7)))].sort();
  rmSync(join(dir, file));
  if (folder) mkdirSync(join(dir, folder), { recursive: true });
  const written: string[] = [];
  months.forEach((month, i) => {
    const next = months[i + 1];
    const mine = rows.filter((r) => r[at].slice(0, 7) === month || (next && r[at].slice(0, 10) === `${next}-01`) || (next && r[at].slice(0, 7) === next && r[at].slice(8, 10) <= '02'));
    const target = join(dir, folder, name(month));
    writeFileSync(target, toCsv([header, ...mine]));
    written.push(target);
  });
  return written;
}

describe('several files per table', () => {
  it('monthly member and message files with Chinese names, overlapping by a day, give the figures of one file each', async () => {
    const dir = copyFixture('hand');
    splitByMonth(dir, 'members.csv', 'joined_at', (m) => `群成员_${m}.csv`);
    splitByMonth(dir, 'messages.csv', 'sent_at', (m) => `聊天记录-${m}.csv`);
    renameSync(join(dir, 'groups.csv'), join(dir, '客户群列表 (1).csv'));
    renameSync(join(dir, 'orders.csv'), join(dir, '订单.csv'));
    const { data, result } = await buildData(dir);
    expect(result.validation.files.reduce((s, f) => s + f.rowsRejected, 0)).toBe(0);
    const members = result.validation.files.filter((f) => f.table === 'members');
    expect(members.length).toBeGreaterThan(1);
    expectSameFigures(data);
    const quality = readCsvObjects(join(data, 'data_quality.csv'));
    const overlaps = quality.filter((q) => /overlapping exports, counted once/.test(q.message));
    expect(overlaps.length).toBeGreaterThan(0);
    expect(overlaps[0].message).toMatch(/^\d+ rows? of 群成员_20\d\d-\d\d\.csv (is|are) also in 群成员_20\d\d-\d\d\.csv: overlapping exports, counted once$/);
  });

  it('a folder named after the table holds its files', async () => {
    const dir = copyFixture('hand');
    splitByMonth(dir, 'members.csv', 'joined_at', (m) => `${m}.csv`, 'members');
    const { data, result } = await buildData(dir);
    expect(result.validation.files.filter((f) => f.table === 'members').map((f) => f.file)[0]).toMatch(/^members\/2025-12\.csv$/);
    expectSameFigures(data);
  });

  it('rows that share a key but differ are rejected, naming the other file and line', async () => {
    const dir = copyFixture('hand');
    const [header, ...rows] = parseCsv(readFileSync(join(dir, 'orders.csv'), 'utf8'));
    writeFileSync(join(dir, 'orders.csv'), toCsv([header, ...rows]));
    writeFileSync(join(dir, 'orders_extra.csv'), toCsv([header, rows[0].map((v, i) => (header[i] === 'amount' ? '999.00' : v))]));
    const { issues } = await checkData(dir);
    const error = issues.find((i) => i.file === 'orders_extra.csv' && i.severity === 'error');
    expect(error).toMatchObject({ line: 2, column: 'order_id' });
    expect(error!.message).toBe(`duplicate order_id "${rows[0][0]}" (first on line 2 of orders.csv); the later row is rejected`);
  });

  it('a file that matches no table is named in a warning; one that matches two stops the build', async () => {
    const dir = copyFixture('hand');
    writeFileSync(join(dir, '导出备份.csv'), 'a,b\n1,2\n');
    const { issues } = await checkData(dir);
    expect(issues.find((i) => i.file === '导出备份.csv')?.message).toMatch(/^导出备份\.csv is not read: its name is not one of a table's/);
    writeFileSync(join(dir, 'qunlens.config.json'), JSON.stringify({ files: { orders: ['群成员*.csv'] } }));
    writeFileSync(join(dir, '群成员.csv'), readFileSync(join(dir, 'members.csv')));
    const run = await runCli(['check', '--data', dir], { cwd: tempDir() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/群成员\.csv matches two tables, members and orders/);
  });
});

describe('title rows and the export\'s own headers', () => {
  it('title and note rows above the header are skipped, and lines still count from the top', async () => {
    const dir = copyFixture('hand');
    const text = readFileSync(join(dir, 'members.csv'), 'utf8');
    writeFileSync(join(dir, 'members.csv'), `客户群成员明细\n导出时间：2026-10-31 09:00,,\n\n${text}x1,G1,not a date,,导购,,2,\n`);
    const { issues, files } = await checkData(dir);
    const lines = text.trimEnd().split('\n').length;
    expect(issues.filter((i) => i.file === 'members.csv' && i.severity === 'error').map((i) => [i.line, i.column])).toEqual([[3 + lines + 1, 'joined_at']]);
    expect(files.find((f) => f.file === 'members.csv')).toMatchObject({ headerLines: 4, rowsRead: lines, rowsRejected: 1, lines: 3 + lines + 1 });
    const { data } = await buildData(dir);
    expect(readCsvObjects(join(data, 'groups.csv'))).toEqual(readCsvObjects(join(reference, 'groups.csv')));
  });

  it('a header mapped in the data folder\'s own qunlens.config.json; a missing one names the closest header and the config line', async () => {
    const dir = copyFixture('hand');
    const text = readFileSync(join(dir, 'orders.csv'), 'utf8');
    writeFileSync(join(dir, 'orders.csv'), text.replace(/^([^\n]*)amount/, '$1实付款'));
    const run = await runCli(['check', '--data', dir], { cwd: tempDir() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('orders.csv: required column amount is missing');
    expect(run.stderr).toContain(`closest: "实付款": if it is the amount, map it in qunlens.config.json: {"columns": {"orders": {"实付款": "amount"}}}`);
    writeFileSync(join(dir, 'qunlens.config.json'), JSON.stringify({ columns: { orders: { 实付款: 'amount' } } }));
    const { data } = await buildData(dir);
    expectSameFigures(data);
  });

  it('--config names another configuration, and the data folder\'s own still wins over it', async () => {
    const dir = copyFixture('hand');
    const text = readFileSync(join(dir, 'orders.csv'), 'utf8');
    writeFileSync(join(dir, 'orders.csv'), text.replace(/^([^\n]*)amount/, '$1实付款'));
    const config = join(tempDir(), 'other.json');
    writeFileSync(config, JSON.stringify({ columns: { orders: { 实付款: 'amount' } }, silenceDays: 21 }));
    const silenceDays = async (out: string) => {
      const db = await openNativeDb({ path: join(out, 'data', 'qunlens.duckdb'), readOnly: true });
      const [{ value }] = await db.rows<{ value: string }>(`SELECT value FROM meta WHERE key = 'silence_days'`);
      await db.close();
      return value;
    };
    const out = join(tempDir(), 'dist');
    const run = await runCli(['build', '--data', dir, '--out', out, '--no-render', '--config', config], { cwd: tempDir() });
    expect(run.code, run.stderr).toBe(0);
    expect(await silenceDays(out)).toBe('21');
    writeFileSync(join(dir, 'qunlens.config.json'), JSON.stringify({ silenceDays: 14 }));
    const again = await runCli(['build', '--data', dir, '--out', out, '--no-render', '--config', config], { cwd: tempDir() });
    expect(again.code, again.stderr).toBe(0);
    expect(await silenceDays(out)).toBe('14');
  });

  it('a messages export that names the sender 客户ID builds', async () => {
    const dir = copyFixture('hand');
    const text = readFileSync(join(dir, 'messages.csv'), 'utf8');
    writeFileSync(join(dir, 'messages.csv'), text.replace(/^([^\n]*)member_id/, '$1客户ID'));
    const { data } = await buildData(dir);
    expectSameFigures(data);
  });
});

/** The hand fixture's messages as chat-archive records: msgtime in UTC milliseconds (Shanghai is UTC+8, no DST). */
function archiveRecords(dir: string): Record<string, unknown>[] {
  const [header, ...rows] = parseCsv(readFileSync(join(dir, 'messages.csv'), 'utf8'));
  rmSync(join(dir, 'messages.csv'));
  const at = (name: string) => header.indexOf(name);
  return rows.map((r, i) => {
    const ms = Date.parse(`${r[at('sent_at')].replace(' ', 'T')}+08:00`);
    return {
      msgid: `m${i}`,
      action: 'send',
      from: r[at('member_id')],
      tolist: ['zhangwei'],
      roomid: r[at('group_id')],
      // some vendors write msgtime as a string of digits; seconds where the magnitude says so
      msgtime: i % 3 === 0 ? String(ms) : i % 3 === 1 ? ms : String(ms / 1000),
      msgtype: r[at('msgtype')],
    };
  });
}

describe('the chat archive (会话存档)', () => {
  it('JSON lines in two pulls that overlap, with recalls, switches and one-to-one chats, give the figures of messages.csv', async () => {
    const dir = copyFixture('hand');
    const records = archiveRecords(dir);
    const half = Math.ceil(records.length / 2);
    const noise = [
      { msgid: 'r1', action: 'recall', from: 'a1', roomid: 'G1', msgtime: 1767319500000, msgtype: 'revoke' },
      { msgid: 's1', action: 'switch', time: 1767319500000, user: 'zhangwei' },
      { msgid: 'o1', action: 'send', from: 'a1', tolist: ['zhangwei'], roomid: '', msgtime: 1767319500000, msgtype: 'text' },
    ];
    const lines = (list: unknown[]) => `${list.map((r) => JSON.stringify(r)).join('\n')}\n`;
    // the second pull repeats the first one's last two records, and one record is pulled twice within it
    writeFileSync(join(dir, '会话存档_2026-01.jsonl'), lines([...records.slice(0, half), ...noise]));
    writeFileSync(join(dir, '会话存档_2026-02.jsonl'), `\n${lines([...records.slice(half - 2), records[records.length - 1]])}`);
    const { data, result } = await buildData(dir);
    const files = result.validation.files.filter((f) => f.table === 'messages');
    expect(files.map((f) => [f.format, f.rowsRejected, f.otherRecords])).toEqual([
      ['json', 0, 3],
      ['json', 0, 0],
    ]);
    // every line: blank + rows + records that are not messages
    for (const f of files) expect(f.lines).toBe(f.blankLines! + f.rowsRead + f.otherRecords!);
    expectSameFigures(data);
    const quality = readCsvObjects(join(data, 'data_quality.csv')).map((q) => q.message);
    expect(quality).toContain('2 rows of 会话存档_2026-02.jsonl are also in 会话存档_2026-01.jsonl: overlapping exports, counted once');
    expect(quality).toContain('1 message of 会话存档_2026-02.jsonl is there more than once (the same msgid, pulled again): counted once');
    const summary = readCsvObjects(join(data, 'data_quality_summary.csv'));
    expect(summary.filter((s) => s.table === 'messages').map((s) => s.other_records)).toEqual(['3', '0']);
  });

  it('a JSON array reads the same; a record that cannot be read is rejected at its line, and nothing else is lost', async () => {
    const dir = copyFixture('hand');
    const records = archiveRecords(dir);
    const text = `[\n${records.map((r) => `  ${JSON.stringify(r, null, 1).replaceAll('\n', '\n  ')}`).join(',\n')}\n]\n`;
    writeFileSync(join(dir, '聊天记录.json'), text);
    expectSameFigures((await buildData(dir)).data);
    writeFileSync(join(dir, '聊天记录.json'), `${text.trimEnd().slice(0, -1)},\n  {"msgid": "bad", "action": "send", "roomid": "G1" "from": "a1"}\n]\n`);
    const { issues, files } = await checkData(dir);
    const lines = text.trimEnd().split('\n').length;
    expect(issues.filter((i) => i.severity === 'error')).toMatchObject([{ file: '聊天记录.json', line: lines + 1, message: expect.stringMatching(/not valid JSON/) }]);
    expect(files.find((f) => f.table === 'messages')).toMatchObject({ rowsRead: records.length + 1, rowsRejected: 1, lines: null, otherRecords: 0 });
  });

  it('a JSON file named otherwise is the chat archive when its records are; other JSON is named in a warning', async () => {
    const dir = copyFixture('hand');
    const records = archiveRecords(dir);
    writeFileSync(join(dir, 'chatdata_20260101.jsonl'), records.map((r) => JSON.stringify(r)).join('\n'));
    writeFileSync(join(dir, 'export.json'), JSON.stringify([{ id: 1, name: 'x' }]));
    const { issues, files } = await checkData(dir);
    expect(files.filter((f) => f.table === 'messages').map((f) => [f.file, f.rowsRead])).toEqual([['chatdata_20260101.jsonl', records.length]]);
    expect(issues.filter((i) => /is not read/.test(i.message)).map((i) => i.file)).toEqual(['export.json']);
    expectSameFigures((await buildData(dir)).data);
  });

  it('a message without a sender or time is rejected at its line with the row checks', async () => {
    const dir = copyFixture('hand');
    const records = archiveRecords(dir);
    records.push({ msgid: 'x1', action: 'send', roomid: 'G1', msgtime: 1767319500000 }, { msgid: 'x2', action: 'send', roomid: 'G1', from: 'a1', msgtime: '昨天' });
    writeFileSync(join(dir, '会话存档.jsonl'), records.map((r) => JSON.stringify(r)).join('\n'));
    const { issues } = await checkData(dir);
    expect(issues.filter((i) => i.severity === 'error').map((i) => [i.file, i.line, i.column])).toEqual([
      ['会话存档.jsonl', records.length - 1, 'member_id'],
      ['会话存档.jsonl', records.length, 'sent_at'],
    ]);
  });
});

/**
 * A table's CSV as the workbook an operator's console exports: a title and an 导出时间 row above
 * the header, date cells for its datetime and date columns, everything else as text cells.
 * `rows` filters the data rows (monthly files).
 */
async function asWorkbook(csvPath: string, target: string, table: TableName, rename: Record<string, string> = {}, keep: (row: string[]) => boolean = () => true): Promise<void> {
  const [header, ...rows] = parseCsv(readFileSync(csvPath, 'utf8'));
  const spec = tableSpec(table);
  const mapping = mapHeader(spec, header);
  const kinds = header.map((_, i) => [...mapping.columns].find(([, at]) => at === i)?.[0]).map((name) => spec.columns.find((c) => c.name === name)?.kind);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(table === 'members' ? '客户群成员' : table);
  ws.addRow([`${table} 导出`]);
  ws.addRow(['导出时间：2026-10-31 12:00:00']);
  ws.addRow(header.map((h) => rename[h] ?? h));
  for (const r of rows.filter(keep)) {
    const row = ws.addRow(
      r.map((v, i) => {
        if (v === '') return null;
        if (kinds[i] === 'datetime' || kinds[i] === 'date') return new Date(`${v.length === 10 ? `${v}T00:00:00` : v.replace(' ', 'T')}Z`);
        return v;
      }),
    );
    kinds.forEach((k, i) => {
      if (k === 'datetime') row.getCell(i + 1).numFmt = 'yyyy-mm-dd hh:mm:ss';
      if (k === 'date') row.getCell(i + 1).numFmt = 'yyyy-mm-dd';
    });
  }
  await wb.xlsx.writeFile(target);
}

describe('Excel workbooks', () => {
  it('every table as workbooks with Chinese names, title rows and date cells, members by month overlapping by a day, one header mapped by the data folder: the same figures', async () => {
    const dir = copyFixture('hand');
    const names: Partial<Record<TableName, string>> = { groups: '客户群列表.xlsx', channels: '渠道活码.xlsx', orders: '订单.xlsx' };
    for (const [table, name] of Object.entries(names) as [TableName, string][]) {
      await asWorkbook(join(dir, `${table}.csv`), join(dir, name), table, table === 'orders' ? { amount: '实付款' } : {});
      rmSync(join(dir, `${table}.csv`));
    }
    const [header, ...rows] = parseCsv(readFileSync(join(dir, 'members.csv'), 'utf8'));
    const joined = header.indexOf('joined_at');
    const months = [...new Set(rows.map((r) => r[joined].slice(0, 7)))].sort();
    for (const [i, month] of months.entries()) {
      const next = months[i + 1];
      await asWorkbook(join(dir, 'members.csv'), join(dir, `群成员_${month}.xlsx`), 'members', {}, (r) => r[joined].startsWith(month) || (next !== undefined && r[joined].startsWith(`${next}-01`)));
    }
    rmSync(join(dir, 'members.csv'));
    writeFileSync(join(dir, 'qunlens.config.json'), JSON.stringify({ columns: { orders: { 实付款: 'amount' } } }));
    const { data, result } = await buildData(dir);
    expect(result.validation.files.filter((f) => f.format === 'xlsx').length).toBe(3 + months.length);
    expect(result.validation.files.reduce((s, f) => s + f.rowsRejected, 0)).toBe(0);
    expectSameFigures(data);
  });

  it('a lost-digit ID cell and a text date are rejected naming the file, sheet and Excel row; nothing else is lost', async () => {
    const dir = copyFixture('hand');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('2026年1月');
    ws.addRow(['客户群成员']);
    ws.addRow(['成员ID', '群ID', '入群时间', '渠道']);
    ws.addRow(['x1', 'G1', new Date('2026-01-05T10:00:00Z'), '导购']);
    ws.addRow([13800138000123456789, 'G1', new Date('2026-01-06T10:00:00Z'), '导购']);
    ws.addRow(['x3', 'G1', '2026年13月5日', '导购']);
    ws.addRow([12345678, 'G1', new Date('2026-01-07T10:00:00Z'), '导购']);
    ws.addRow([{ formula: 'VLOOKUP(A1,Z:Z,2,0)', result: { error: '#N/A' } }, 'G1', new Date('2026-01-08T10:00:00Z'), '导购']);
    await wb.xlsx.writeFile(join(dir, '群成员_2026-01.xlsx'));
    const { issues, files } = await checkData(dir);
    const errors = issues.filter((i) => i.file === '群成员_2026-01.xlsx' && i.severity === 'error') as (typeof issues[number] & { sheet: string })[];
    expect(errors.map((e) => [e.line, e.column, e.sheet])).toEqual([
      [4, 'member_id', '2026年1月'],
      [5, 'joined_at', '2026年1月'],
      [7, 'member_id', '2026年1月'],
    ]);
    expect(errors[0].message).toMatch(/scientific notation|digits/);
    expect(errors[2].message).toMatch(/"#N\/A" is an Excel error value, not an ID/);
    expect(files.find((f) => f.file === '群成员_2026-01.xlsx')).toMatchObject({ format: 'xlsx', sheet: '2026年1月', rowsRead: 5, rowsRejected: 3 });
    const { data } = await buildData(dir);
    const quality = readCsvObjects(join(data, 'data_quality.csv')).filter((q) => q.file === '群成员_2026-01.xlsx' && q.severity === 'error');
    expect(quality.map((q) => [q.line, q.sheet])).toEqual([
      ['4', '2026年1月'],
      ['5', '2026年1月'],
      ['7', '2026年1月'],
    ]);
  });

  it('an empty sheet, a workbook with no matching sheet, a protected or a corrupt one: the build stops naming the file, and the last site stays', async () => {
    const dir = copyFixture('hand');
    const out = join(tempDir(), 'dist');
    const first = await runCli(['build', '--data', dir, '--out', out, '--no-render'], { cwd: tempDir() });
    expect(first.code, first.stderr).toBe(0);
    const before = readFileSync(join(out, 'data', 'groups.csv'), 'utf8');
    const empty = new ExcelJS.Workbook();
    empty.addWorksheet('订单列表');
    await empty.xlsx.writeFile(join(dir, '订单.xlsx'));
    const other = new ExcelJS.Workbook();
    other.addWorksheet('说明').addRow(['本表为打卡记录']);
    other.addWorksheet('汇总').addRow(['日期', '人数']);
    await other.xlsx.writeFile(join(dir, '打卡记录.xlsx'));
    writeFileSync(join(dir, '渠道活码.xlsx'), readFileSync(join(dir, '订单.xlsx')).subarray(0, 300));
    const XlsxPopulate = createRequire(import.meta.url)('xlsx-populate') as {
      fromBlankAsync(): Promise<{ sheet(i: number): { cell(ref: string): { value(v: unknown): unknown } }; outputAsync(o: { password: string }): Promise<Buffer> }>;
    };
    const locked = await XlsxPopulate.fromBlankAsync();
    locked.sheet(0).cell('A1').value('群ID');
    writeFileSync(join(dir, '客户群列表.xlsx'), await locked.outputAsync({ password: 'secret' }));
    rmSync(join(dir, 'groups.csv'));
    const run = await runCli(['build', '--data', dir, '--out', out, '--no-render'], { cwd: tempDir() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/订单\.xlsx: .*empty/);
    expect(run.stderr).toMatch(/打卡记录\.xlsx: .*说明.*汇总/s);
    expect(run.stderr).toMatch(/渠道活码\.xlsx: cannot be read as an Excel workbook/);
    expect(run.stderr).toMatch(/客户群列表\.xlsx: the workbook is protected by a password/);
    expect(readFileSync(join(out, 'data', 'groups.csv'), 'utf8')).toBe(before);
  });
});

describe('the sample as operators hold it', () => {
  it('the same facts as CSV and as workbooks with a chat-archive dump give identical figures', async () => {
    const sizes = { groups: 30, memberships: 3000, messages: 40000, orders: 800 };
    const csv = tempDir();
    const xlsx = tempDir();
    await generateSample({ ...sizes, outDir: csv });
    await generateSample({ ...sizes, outDir: xlsx, format: 'xlsx' });
    expect(readdirSync(xlsx).some((f) => f.endsWith('.jsonl'))).toBe(true);
    const a = await buildData(csv);
    const b = await buildData(xlsx);
    const figures = figureFiles(a.data);
    expect(figures.length).toBeGreaterThan(10);
    for (const file of figures) expect(readFileSync(join(b.data, file), 'utf8'), file).toBe(readFileSync(join(a.data, file), 'utf8'));
    // the sample's deliberate defects are rejected in both, as many
    const rejected = (r: typeof a) => r.result.validation.files.reduce((s, f) => s + f.rowsRejected, 0);
    expect(rejected(b)).toBe(rejected(a));
    expect(rejected(a)).toBeGreaterThan(0);
  });
});
