/**
 * Exports as operators hold them (issue #15): several files per table with Chinese names or in
 * a folder, monthly files that overlap by a day, title rows above the header, an export's own
 * headers mapped in the data folder's configuration. The same facts give the same figures.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openNativeDb } from '../../src/db/native.ts';
import { copyFixture, FIXTURES, parseCsv, readCsvObjects, runCli, tempDir, toCsv } from '../helpers.ts';
import { buildData, checkData } from './build-helpers.ts';

/** Every output of dist/data but the files that name the input files, which differ by design. */
const NAMING_INPUTS = new Set(['data_quality.csv', 'data_quality_summary.csv', 'label_mapping.csv', 'summary.json', 'qunlens.duckdb']);

let reference: string;
beforeAll(async () => {
  ({ data: reference } = await buildData(join(FIXTURES, 'hand')));
});

function expectSameFigures(data: string): void {
  for (const file of readdirSync(reference).filter((f) => !NAMING_INPUTS.has(f))) {
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
