/**
 * The damage real exports carry (issue #14), end to end: every bad row reported with its line,
 * every good row kept, every line of every file accounted for, and no build that ends as "a
 * bug". One test per defect found, named after what it guards.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { QunlensConfig } from '../../src/core/config.ts';
import type { FileQuality } from '../../src/validate/validate.ts';
import { copyFixture, encodeGb18030, readCsvObjects, runCli, tempDir } from '../helpers.ts';
import { buildData, checkData } from './build-helpers.ts';

const check = (dir: string, config: Partial<QunlensConfig> = {}) => checkData(dir, { config });

/** members.csv of the hand fixture's groups with `rows` members, one per line. */
function members(rows: number): string[] {
  const lines = ['member_id,group_id,joined_at,left_at,channel,state,is_staff,inviter_id'];
  for (let i = 2; i <= rows + 1; i++) lines.push(`m${i},G${1 + (i % 3)},2026-02-${String(1 + (i % 27)).padStart(2, '0')} 10:00:00,,导购,,2,`);
  return lines;
}

/** A file's lines add up: header + rows read (rejected ones included) + blank + continuation lines. */
function addsUp(f: FileQuality): boolean {
  return f.lines === f.headerLines! + f.rowsRead + f.blankLines! + f.continuationLines!;
}

describe('a stray quote', () => {
  it('on line 2000 of 4067 rejects that row alone, at its line, and keeps every later row', async () => {
    const dir = copyFixture('hand');
    const lines = members(4066);
    lines[1999] = lines[1999].replace(',G', ',"G');
    writeFileSync(join(dir, 'members.csv'), `${lines.join('\n')}\n`);
    const { issues, files } = await check(dir);
    const errors = issues.filter((i) => i.file === 'members.csv' && i.severity === 'error');
    expect(errors.map((e) => [e.line, e.column])).toEqual([[2000, null]]);
    expect(errors[0].message).toMatch(/quote \(\"\) opens a field on this line and does not close/);
    const f = files.find((x) => x.file === 'members.csv')!;
    expect(f).toMatchObject({ lines: 4067, headerLines: 1, rowsRead: 4066, rowsRejected: 1, blankLines: 0, continuationLines: 0 });
    expect(addsUp(f)).toBe(true);
  });

  it('that closes on a later line followed by text is an unclosed quote at the line where it opened', async () => {
    const dir = copyFixture('hand');
    const path = join(dir, 'members.csv');
    const text = readFileSync(path, 'utf8');
    const line = text.split('\n').length;
    appendFileSync(path, 'x1,"G1,2026-03-05 10:00:00,,导购,,2,\nx2,G1,"2026-03-05 10:00:00",,导购,,2,\n');
    const { issues, files } = await check(dir);
    expect(issues.filter((i) => i.file === 'members.csv' && i.severity === 'error').map((i) => i.line)).toEqual([line]);
    expect(files.find((x) => x.file === 'members.csv')!.rowsRejected).toBe(1);
  });
});

describe('encodings', () => {
  it('two exports joined, GB18030 then UTF-8: each UTF-8 line is rejected at its line and the file says it mixes encodings', async () => {
    const dir = copyFixture('hand');
    const lines = members(50);
    const half = `${lines.slice(0, 31).join('\r\n')}\r\n`;
    const rest = `${lines.slice(31).join('\r\n')}\r\n`;
    writeFileSync(join(dir, 'members.csv'), Buffer.concat([encodeGb18030(half), Buffer.from(rest, 'utf8')]));
    const { issues, files } = await check(dir);
    const f = files.find((x) => x.file === 'members.csv')!;
    expect(f.encoding).toBe('gb18030');
    expect(f.rowsRejected).toBe(20);
    const errors = issues.filter((i) => i.file === 'members.csv' && i.severity === 'error');
    expect(errors.map((e) => e.line)).toEqual(Array.from({ length: 20 }, (_, i) => 32 + i));
    expect(errors[0].message).toMatch(/UTF-8 in a file that is GB18030/);
    expect(issues.some((i) => i.file === 'members.csv' && i.line === null && /mixes two encodings: 20 lines are UTF-8 \(the first on line 32\)/.test(i.message))).toBe(true);
    expect(addsUp(f)).toBe(true);
  });

  it('a GB18030 line with bytes that are not GB18030 is rejected at its line, not read as replacement characters', async () => {
    const dir = copyFixture('hand');
    const lines = members(10);
    const bytes = encodeGb18030(`${lines.join('\n')}\n`);
    const bad = Buffer.from(bytes);
    // the 5th data row: a lead byte followed by a byte no GB18030 character has
    const at = bad.indexOf(Buffer.from('m6,'));
    bad[at + 1] = 0x81;
    bad[at + 2] = 0x7f;
    writeFileSync(join(dir, 'members.csv'), bad);
    const { issues, files } = await check(dir);
    expect(issues.filter((i) => i.file === 'members.csv' && i.severity === 'error').map((i) => [i.line, i.message])).toEqual([[6, expect.stringMatching(/not valid GB18030/)]]);
    expect(files.find((x) => x.file === 'members.csv')!.rowsRejected).toBe(1);
  });

  it('UTF-16 without a byte-order mark is read like the same text in UTF-8', async () => {
    const text = `${members(12).join('\r\n')}\r\n`;
    const utf8 = copyFixture('hand');
    writeFileSync(join(utf8, 'members.csv'), text);
    const utf16 = copyFixture('hand');
    writeFileSync(join(utf16, 'members.csv'), Buffer.from(text, 'utf16le'));
    const a = (await check(utf8)).files.find((x) => x.file === 'members.csv')!;
    const b = (await check(utf16)).files.find((x) => x.file === 'members.csv')!;
    expect(b.encoding).toBe('utf-16le');
    expect({ ...b, encoding: 'utf-8' }).toEqual(a);
    expect(a.rowsRejected).toBe(0);
  });
});

describe('empty files', () => {
  it('an empty optional file is a warning and the build goes on; an empty required one stops it (exit 1, not "a bug")', async () => {
    const dir = copyFixture('hand');
    writeFileSync(join(dir, 'orders.csv'), '');
    const out = join(tempDir(), 'dist');
    const ok = await runCli(['build', '--data', dir, '--out', out, '--no-render'], { cwd: tempDir() });
    expect(ok.code, ok.stderr).toBe(0);
    const quality = readCsvObjects(join(out, 'data', 'data_quality.csv'));
    expect(quality.some((q) => q.file === 'orders.csv' && q.severity === 'warning' && /empty \(0 bytes\)/.test(q.message))).toBe(true);
    writeFileSync(join(dir, 'members.csv'), '');
    const stopped = await runCli(['build', '--data', dir, '--out', out, '--no-render'], { cwd: tempDir() });
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toMatch(/members\.csv: the file is empty \(0 bytes\)/);
    expect(stopped.stderr).not.toMatch(/unexpectedly/);
  });
});

describe('an explicit report date', () => {
  it('lists the rows dated after it with their lines, as runs, instead of a count', async () => {
    const dir = copyFixture('hand');
    const lines = members(30);
    // rows 2..21 in February, then ten in April after the report date
    for (let i = 22; i <= 31; i++) lines[i - 1] = `m${i},G1,2026-04-${String(i - 20).padStart(2, '0')} 10:00:00,,导购,,2,`;
    writeFileSync(join(dir, 'members.csv'), `${lines.join('\n')}\n`);
    const { issues } = await check(dir, { asOf: '2026-03-31' });
    const late = issues.filter((i) => i.file === 'members.csv' && i.severity === 'warning' && /report date/.test(i.message));
    expect(late.map((i) => [i.line, i.column, i.message])).toEqual([
      [22, 'joined_at', '10 rows on lines 22–31 are dated 2026-04-02 to 2026-04-11, after the report date 2026-03-31 (--as-of) and left out of every figure'],
    ]);
  });
});

describe('every line accounted for', () => {
  it('data_quality_summary.csv: lines = header + rows read + blank + continuation lines, for every file', async () => {
    const dir = copyFixture('hand');
    const path = join(dir, 'members.csv');
    const original = readFileSync(path, 'utf8').trimEnd().split('\n');
    const lines = [`${original[0]},note`, ...original.slice(1).map((l, i) => (i === 2 ? `${l},"two\nlines"` : `${l},`))];
    writeFileSync(path, `${lines.join('\n')}\n\n${'x9,"G1,bad,,导购,,2,,'}\nx10,G1,2026-03-05 10:00:00,,导购,,2,,\n`);
    const { data } = await buildData(dir);
    const summary = readCsvObjects(join(data, 'data_quality_summary.csv'));
    for (const f of summary) {
      const physical = readFileSync(join(dir, f.file), 'utf8').replace(/\n$/, '').split('\n').length;
      expect(Number(f.lines), f.file).toBe(physical);
      expect(Number(f.lines), f.file).toBe(Number(f.header_lines) + Number(f.rows_read) + Number(f.blank_lines) + Number(f.continuation_lines));
    }
    expect(summary.find((f) => f.file === 'members.csv')).toMatchObject({ blank_lines: '1', continuation_lines: '1', rows_rejected: '1' });
  });
});
