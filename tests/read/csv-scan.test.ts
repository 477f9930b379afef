/**
 * The scan against DuckDB itself: for each layout, the records the scan says DuckDB will read
 * are the records DuckDB reads from the copy the build hands it, each on the line the scan
 * names, and every physical line is accounted for.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableSpec } from '../../src/core/contract.ts';
import { openNativeDb, type NativeDb } from '../../src/db/native.ts';
import { NODE_BYTES } from '../../src/read/csv-file.ts';
import { readsAsGb18030 } from '../../src/read/csv-decode.ts';
import { breakpointsFromSkips, CsvScanner, Eraser, lineOfRow, unaccountedLines, type CsvLayout } from '../../src/read/csv-scan.ts';
import { scanSql, type SourceFile } from '../../src/read/source-files.ts';
import { tempDir } from '../helpers.ts';

let db: NativeDb;
const dir = tempDir('qunlens-scan-');
let n = 0;

beforeAll(async () => {
  db = await openNativeDb();
});
afterAll(async () => {
  await db?.close();
});

function scan(bytes: Uint8Array, options: { headerFields?: number; chunk?: number; maxRecordBytes?: number } = {}): CsvLayout {
  const scanner = new CsvScanner({ delimiter: 0x2c, headerFields: options.headerFields ?? 3, validateUtf8: true, ...NODE_BYTES, readsAsGb18030, maxRecordBytes: options.maxRecordBytes });
  const size = options.chunk ?? bytes.length;
  for (let i = 0; i < bytes.length; i += size) scanner.push(bytes.subarray(i, i + size));
  return scanner.finish();
}

/** What DuckDB reads from the copy the build would give it, each row with the line the scan gives it. */
async function read(text: string | Uint8Array, options: { headerFields?: number; chunk?: number } = {}): Promise<{ layout: CsvLayout; rows: { line: number; fields: (string | null)[] }[] }> {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const layout = scan(bytes, options);
  const fields = options.headerFields ?? 3;
  const path = join(dir, `f${n++}.csv`);
  writeFileSync(path, new Eraser(layout.erase, layout.loneCrs).push(bytes));
  const source = {
    spec: tableSpec('groups'),
    readPath: path,
    format: 'csv',
    delimiter: ',',
    headers: Array.from({ length: fields }, (_, i) => `h${i}`),
    serial: layout.multiLine,
  } as unknown as SourceFile;
  const cols = Array.from({ length: fields }, (_, i) => `f${i}`);
  const stored = await db.rows<Record<string, string | null>>(`SELECT ${cols.join(', ')}, __overflow FROM ${scanSql(source)}`);
  const breaks = breakpointsFromSkips(layout.skips, layout.headerLines);
  return { layout, rows: stored.map((r, i) => ({ line: lineOfRow(i, breaks, layout.headerLines), fields: cols.map((c) => r[c]) })) };
}

describe('the scan reads records as DuckDB does', () => {
  const cases: { name: string; text: string; rows: [number, (string | null)[]][] }[] = [
    { name: 'plain LF', text: 'a,b,c\n1,2,3\n4,5,6\n', rows: [[2, ['1', '2', '3']], [3, ['4', '5', '6']]] },
    { name: 'CR LF with a blank line', text: 'a,b,c\r\n1,2,3\r\n\r\n4,5,6\r\n', rows: [[2, ['1', '2', '3']], [4, ['4', '5', '6']]] },
    { name: 'a lone CR ends a line', text: 'a,b,c\n1,x\ry,3\n4,5,6\n', rows: [[2, ['1', 'x', null]], [3, ['y', '3', null]], [4, ['4', '5', '6']]] },
    // DuckDB 1.5 reads this lone CR as CR LF and drops the "4": the copy it reads has LF there
    { name: 'a lone CR in a file with CR LF', text: 'a,b,c\r\n1,2,3\r4,5,6\r\n\r7,8,9\r\n', rows: [[2, ['1', '2', '3']], [3, ['4', '5', '6']], [5, ['7', '8', '9']]] },
    { name: 'two CRs are a line and a blank line', text: 'a,b,c\n1,2,3\r\r4,5,6\n', rows: [[2, ['1', '2', '3']], [4, ['4', '5', '6']]] },
    { name: 'a quote inside an unquoted field is a character', text: 'a,b,c\n1,x"y",3\n4,5,6"\n', rows: [[2, ['1', 'x"y"', '3']], [3, ['4', '5', '6"']]] },
    { name: 'one space before an opening quote', text: 'a,b,c\n1, "x,y",3\n "p,q",5,6\n', rows: [[2, ['1', 'x,y', '3']], [3, ['p,q', '5', '6']]] },
    { name: 'two spaces before a quote make it a character', text: 'a,b,c\n1,  "x,y\n', rows: [[2, ['1', '  "x', 'y']]] },
    { name: 'a tab before a quote makes it a character', text: 'a,b,c\n1,\t"x,y\n', rows: [[2, ['1', '\t"x', 'y']]] },
    { name: 'spaces or tabs after a closing quote', text: 'a,b,c\n1,"xy"  ,3\n4,"z"\t,6\n', rows: [[2, ['1', 'xy', '3']], [3, ['4', 'z', '6']]] },
    // (mixed, DuckDB keeps one space: a value's edges are trimmed by the contract's parsers anyway)
    { name: 'a space and a tab after a closing quote', text: 'a,b,c\n1,"xy" \t ,3\n', rows: [[2, ['1', 'xy ', '3']]] },
    { name: 'doubled quotes and a quoted line break', text: 'a,b,c\n1,"x""\ny",3\n4,5,6\n', rows: [[2, ['1', 'x"\ny', '3']], [4, ['4', '5', '6']]] },
    { name: 'a CR inside quotes', text: 'a,b,c\n1,"x\ry",3\n4,5,6\n', rows: [[2, ['1', 'x\ry', '3']], [4, ['4', '5', '6']]] },
    { name: 'a line of spaces is a record; blank lines at the end are not', text: 'a,b,c\n1,2,3\n   \n4,5,6\n\n\n', rows: [[2, ['1', '2', '3']], [3, ['   ', null, null]], [4, ['4', '5', '6']]] },
    { name: 'a last line without a line break', text: 'a,b,c\n1,2,3\n4,5,6', rows: [[2, ['1', '2', '3']], [3, ['4', '5', '6']]] },
    { name: 'an empty quoted field alone on a line', text: 'a,b,c\n""\n4,5,6\n', rows: [[2, ['', null, null]], [3, ['4', '5', '6']]] },
  ];
  it.each(cases)('$name', async ({ text, rows }) => {
    for (const chunk of [undefined, 1, 2, 3]) {
      const { layout, rows: read_ } = await read(text, { chunk });
      expect(read_.map((r) => [r.line, r.fields])).toEqual(rows);
      expect(layout.rejected).toEqual([]);
      expect(unaccountedLines(layout)).toBe(0);
    }
  });
});

describe('records that cannot be read as written are rejected at their line, and reading goes on', () => {
  it('an unclosed quote that would swallow the rest of the file (members.csv, line 2000 of 4067)', async () => {
    const lines = ['member_id,group_id,joined_at'];
    for (let i = 2; i <= 4067; i++) lines.push(`m${i},G1,2026-03-05 10:00:00`);
    lines[1999] = 'm2000,"G1,2026-03-05 10:00:00';
    const { layout, rows } = await read(`${lines.join('\n')}\n`, { chunk: 4096 });
    expect(layout.rejected).toEqual([{ line: 2000, firstLine: 2000, lastLine: 2000, kind: 'unclosed-quote' }]);
    expect(rows).toHaveLength(4065);
    expect(rows.find((r) => r.fields[0] === 'm2001')?.line).toBe(2001);
    expect(rows.at(-1)).toEqual({ line: 4067, fields: ['m4067', 'G1', '2026-03-05 10:00:00'] });
    expect(layout.lines).toBe(4067);
    expect(unaccountedLines(layout)).toBe(0);
  });

  it('an unclosed quote at the end of the file', async () => {
    const { layout, rows } = await read('a,b,c\n1,2,3\n4,"5,6\n7,8\n');
    expect(layout.rejected.map((r) => [r.line, r.kind])).toEqual([[3, 'unclosed-quote']]);
    expect(rows).toEqual([
      { line: 2, fields: ['1', '2', '3'] },
      { line: 4, fields: ['7', '8', null] },
    ]);
  });

  it('a quote that closes on a later line followed by text', async () => {
    const { layout, rows } = await read('a,b,c\n1,"2,3\n4,"5",6\n7,8,9\n');
    expect(layout.rejected.map((r) => [r.line, r.kind])).toEqual([[2, 'unclosed-quote']]);
    expect(rows.map((r) => [r.line, r.fields])).toEqual([
      [3, ['4', '5', '6']],
      [4, ['7', '8', '9']],
    ]);
  });

  it('a field that spans lines legitimately is kept whole', async () => {
    const { layout, rows } = await read('a,b,c\n1,"line one\nline two, still",3\n4,5,6\n');
    expect(layout.rejected).toEqual([]);
    expect(rows).toEqual([
      { line: 2, fields: ['1', 'line one\nline two, still', '3'] },
      { line: 4, fields: ['4', '5', '6'] },
    ]);
    expect(layout.continuationLines).toBe(1);
  });

  it('text after a closing quote, which DuckDB would drop', async () => {
    const { layout, rows } = await read('a,b,c\n1,"xy"z,3\n4,5,6\n');
    expect(layout.rejected.map((r) => [r.line, r.kind])).toEqual([[2, 'text-after-quote']]);
    expect(rows).toEqual([{ line: 3, fields: ['4', '5', '6'] }]);
  });

  it('a record over the size limit', async () => {
    const long = 'x'.repeat(5000);
    for (const text of [`a,b,c\n1,${long},3\n4,5,6\n`, `a,b,c\n1,"${long}",3\n4,5,6\n`]) {
      const bytes = new TextEncoder().encode(text);
      const layout = scan(bytes, { maxRecordBytes: 1000, chunk: 700 });
      expect(layout.rejected.map((r) => [r.line, r.kind])).toEqual([[2, 'too-long']]);
      expect(layout.records).toBe(1);
      expect(unaccountedLines(layout)).toBe(0);
    }
  });

  it('bytes that are not UTF-8, and a line that reads as GB18030', async () => {
    const gbLine = new Uint8Array([0x31, 0x2c, 0xc8, 0xba, 0xc1, 0xc4, 0x2c, 0x33, 0x0a]); // 1,群聊,3 in GB18030
    const bytes = new Uint8Array([...new TextEncoder().encode('a,b,c\n1,群,3\n'), ...gbLine, ...new TextEncoder().encode('4,5,\xff\n'.replace('\xff', '')), 0xff, 0x0a]);
    const { layout, rows } = await read(bytes);
    expect(layout.rejected.map((r) => [r.line, r.kind, r.readsAsGb18030])).toEqual([
      [3, 'invalid-utf8', true],
      [5, 'invalid-utf8', false],
    ]);
    expect(rows.map((r) => r.line)).toEqual([2, 4]);
  });

  it('a header with a quote that never closes makes the file unreadable', () => {
    const layout = scan(new TextEncoder().encode('a,"b,c\n1,2,3\n'));
    expect(layout.headerRejected).toBe('unclosed-quote');
  });
});
