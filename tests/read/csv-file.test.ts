import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { breakpointsFromSkips, lineOfRow } from '../../src/read/csv-scan.ts';
import { detectDelimiter, detectEncoding, parseCsvLine } from '../../src/read/csv-text.ts';
import { linesAtOffsets, sniffCsv, transcodeToUtf8 } from '../../src/read/csv-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'qunlens-csv-'));
function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
/** GB18030 bytes of a string, built without an encoder (TextEncoder only does UTF-8). */
function gb18030(text: string): Uint8Array {
  const decoder = new TextDecoder('gb18030');
  const table = new Map<string, number[]>();
  for (let hi = 0x81; hi <= 0xfe; hi++)
    for (let lo = 0x40; lo <= 0xfe; lo++) {
      const ch = decoder.decode(new Uint8Array([hi, lo]));
      if (ch.length === 1 && !table.has(ch)) table.set(ch, [hi, lo]);
    }
  const out: number[] = [];
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) out.push(ch.charCodeAt(0));
    else {
      const bytes = table.get(ch);
      if (!bytes) throw new Error(`no GB18030 two-byte code for ${ch}`);
      out.push(...bytes);
    }
  }
  return new Uint8Array(out);
}

describe('encoding detection', () => {
  it('UTF-8 with BOM, without BOM, GB18030', () => {
    expect(detectEncoding(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])).encoding).toBe('utf-8');
    expect(detectEncoding(new TextEncoder().encode('群ID,名称')).encoding).toBe('utf-8');
    const gb = detectEncoding(gb18030('群ID,群名称\r\n'));
    expect(gb.encoding).toBe('gb18030');
    expect(gb.text).toBe('群ID,群名称\r\n');
  });
  it('sniffs header and delimiter of a GB18030 CRLF file', async () => {
    const path = file('gb.csv', gb18030('群ID,群类型,创建时间\r\nG1,兴趣群,2026/3/5\r\n'));
    const sniff = await sniffCsv(path);
    expect(sniff).toMatchObject({ encoding: 'gb18030', delimiter: ',', headers: ['群ID', '群类型', '创建时间'] });
    const copy = join(dir, 'gb.utf8.csv');
    await transcodeToUtf8(path, copy, 'gb18030');
    expect(readFileSync(copy, 'utf8')).toBe('群ID,群类型,创建时间\r\nG1,兴趣群,2026/3/5\r\n');
  });
  it('drops the BOM from the first header', async () => {
    const sniff = await sniffCsv(file('bom.csv', '\uFEFFgroup_id,type\nG1,x\n'));
    expect(sniff.headers).toEqual(['group_id', 'type']);
  });
});

describe('header parsing', () => {
  it('quoted fields and delimiters', () => {
    expect(parseCsvLine('"a,b","c""d", e ', ',')).toEqual(['a,b', 'c"d', 'e']);
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('single')).toBe(',');
  });
});

describe('physical lines', () => {
  it('maps byte offsets to lines, a lone CR and CR LF each ending one', async () => {
    const text = 'a,b\n1,x\r\n2,y\r3,z\n';
    const path = file('offsets.csv', text);
    const lines = await linesAtOffsets(path, [text.indexOf('3,z'), 0, text.indexOf('1,x'), text.indexOf('2,y')]);
    expect(lines.get(text.indexOf('3,z'))).toBe(4);
    expect(lines.get(0)).toBe(1);
    expect(lines.get(text.indexOf('1,x'))).toBe(2);
    expect(lines.get(text.indexOf('2,y'))).toBe(3);
  });
  it('turns the lines where no read record starts into breakpoints', () => {
    // line 1 header; row0 line 2; blank line 3; row1 lines 4-5 (continuation line 5);
    // rejected record line 6; row2 line 7; row3 line 8
    const breaks = breakpointsFromSkips([3, 3, 5, 6], 1);
    expect([0, 1, 2, 3].map((r) => lineOfRow(r, breaks))).toEqual([2, 4, 7, 8]);
    expect(breakpointsFromSkips([], 1)).toEqual([]);
    // blank line right after the header
    expect([0, 1].map((r) => lineOfRow(r, breakpointsFromSkips([2, 2], 1)))).toEqual([3, 4]);
    // a header spanning two lines, and a record DuckDB refused on line 5
    const twoLineHeader = breakpointsFromSkips([], 2, [5]);
    expect([0, 1, 2].map((r) => lineOfRow(r, twoLineHeader, 2))).toEqual([3, 4, 6]);
  });
});
