import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { archiveToCsv } from '../../src/read/chat-archive.ts';

const dir = mkdtempSync(join(tmpdir(), 'qunlens-archive-'));
let n = 0;

/** Convert `content` (text or bytes); the CSV's rows as objects beside the result. */
async function convert(content: string | Buffer) {
  const path = join(dir, `a${n++}.jsonl`);
  writeFileSync(path, content);
  const target = `${path}.csv`;
  const result = await archiveToCsv(path, target);
  const rows = Papa.parse<Record<string, string>>(readFileSync(target, 'utf8'), { header: true, skipEmptyLines: true }).data;
  return { ...result, rows: Array.from(result.rows), records: rows };
}

const send = (msgid: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ msgid, action: 'send', from: 'wmA', tolist: ['zw'], roomid: 'wrG1', msgtime: 1791461730123, msgtype: 'text', ...extra });

describe('archiveToCsv: JSON lines', () => {
  it('writes send records in a room, each with its line; counts the rest by kind', async () => {
    const text = [
      send('1'),
      JSON.stringify({ msgid: '2', action: 'recall', from: 'wmA', roomid: 'wrG1', msgtime: '1791461762000' }),
      send('3', { roomid: '' }),
      JSON.stringify({ msgid: '4', action: 'switch', time: 1791464600000, user: 'zw' }),
      '',
      send('5', { msgtime: '1791461800000', from: 'wmB' }),
      JSON.stringify({ msgid: '6', action: 'agree', roomid: 'wrG1' }),
      send('7', { roomid: null }),
    ].join('\n');
    const r = await convert(`${text}\n`);
    expect(r.shape).toBe('jsonl');
    expect(r.lines).toBe(8);
    expect(r.blankLines).toBe(1);
    expect(r.rows).toEqual([1, 6]);
    expect(r.records).toEqual([
      { msgid: '1', msgtime: '1791461730123', roomid: 'wrG1', from: 'wmA', msgtype: 'text' },
      { msgid: '5', msgtime: '1791461800000', roomid: 'wrG1', from: 'wmB', msgtype: 'text' },
    ]);
    expect(r.other).toEqual({ recall: 1, switch: 1, oneToOne: 2, other: 1 });
    expect(r.rejected).toEqual([]);
    // every line: blank + messages + other records + rejected
    expect(r.blankLines! + r.rows.length + 5 + r.rejected.length).toBe(r.lines);
  });

  it('rejects what cannot be read, by line, and reads on', async () => {
    const text = [
      send('1'),
      '{"msgid":"2","action":"send","roomid":"wrG1","from":"wmA","msgtime":17914', // cut off mid-line
      '[1, 2]',
      JSON.stringify({ action: 'send', roomid: 'wrG1', from: 'wmA', msgtime: 1 }),
      JSON.stringify({ msgid: '5', roomid: 'wrG1' }),
      send('6'),
    ].join('\r\n');
    const r = await convert(text);
    expect(r.lines).toBe(6);
    expect(r.rows).toEqual([1, 6]);
    expect(r.rejected.map((x) => [x.line, x.column])).toEqual([
      [2, null],
      [3, null],
      [4, 'message_id'],
      [5, null],
    ]);
    expect(r.rejected[0].message).toMatch(/not valid JSON/);
    expect(r.rejected[1].message).toMatch(/not a chat-archive record/);
    expect(r.rejected[3].message).toMatch(/no action/);
  });

  it('keeps a message without from or msgtime for the row checks, at its line', async () => {
    const r = await convert([send('1', { from: undefined }), send('2', { msgtime: 'yesterday' })].join('\n'));
    expect(r.rows).toEqual([1, 2]);
    expect(r.records.map((x) => [x.from, x.msgtime])).toEqual([
      ['', '1791461730123'],
      ['wmA', 'yesterday'],
    ]);
  });

  it('quotes values as CSV: commas, quotes and line breaks stay inside their field', async () => {
    const r = await convert(send('1', { msgtype: 'a,"b"\nc', from: 12345 }));
    expect(r.records).toEqual([{ msgid: '1', msgtime: '1791461730123', roomid: 'wrG1', from: '12345', msgtype: 'a,"b"\nc' }]);
  });

  it('reads past a BOM; rejects bytes that are not UTF-8; counts a line that does not end', async () => {
    const bad = Buffer.concat([Buffer.from(`${send('2').slice(0, 20)}`), Buffer.from([0xc4, 0xe3]), Buffer.from(`${send('2').slice(20)}\n`)]);
    const r = await convert(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${send('1')}\n`), bad, Buffer.from(send('3'))]));
    expect(r.lines).toBe(3);
    expect(r.rows).toEqual([1, 3]);
    expect(r.rejected).toMatchObject([{ line: 2, message: expect.stringMatching(/not valid UTF-8/) }]);
  });

  it('rejects a line over 1 MB without holding it, and reads on', async () => {
    const r = await convert(`${send('1')}\n${send('2', { content: 'x'.repeat(3_000_000) })}\n${send('3')}\n`);
    expect(r.lines).toBe(3);
    expect(r.rows).toEqual([1, 3]);
    expect(r.rejected).toMatchObject([{ line: 2, message: expect.stringMatching(/longer than 1 MB/) }]);
  });

  it('an empty file has no lines and no records', async () => {
    const r = await convert('');
    expect(r).toMatchObject({ lines: 0, blankLines: 0, rows: [], rejected: [] });
  });
});

describe('archiveToCsv: a JSON array', () => {
  it('finds each record where it starts, however the array is laid out', async () => {
    const text = `[\n  ${send('1')},\n  {"msgid": "2", "action": "send",\n   "roomid": "wrG1", "from": "wm]}", "msgtime": 1791461730, "msgtype": "te\\"xt"},\n  ${JSON.stringify({ msgid: '3', action: 'recall' })}, ${send('4')}\n]\n`;
    const r = await convert(text);
    expect(r.shape).toBe('json');
    expect(r.lines).toBe(6);
    expect(r.blankLines).toBeNull();
    expect(r.rows).toEqual([2, 3, 5]);
    expect(r.records.map((x) => x.msgid)).toEqual(['1', '2', '4']);
    expect(r.records[1]).toMatchObject({ from: 'wm]}', msgtype: 'te"xt', msgtime: '1791461730' });
    expect(r.other.recall).toBe(1);
  });

  it('rejects a record that is not an object or is damaged, a cut-off end, and text outside the array', async () => {
    const text = `[${send('1')},\n42,\n{"msgid": "3", "action": "send" "roomid": "x"},\n${send('4')}]\ntrailing\n`;
    const r = await convert(text);
    expect(r.rows).toEqual([1, 4]);
    expect(r.rejected.map((x) => x.line)).toEqual([2, 3, 5]);
    expect(r.rejected[2].message).toMatch(/outside the file's JSON array/);
    const cut = await convert(`[${send('1')},\n${send('2').slice(0, 30)}`);
    expect(cut.rows).toEqual([1]);
    expect(cut.rejected).toMatchObject([{ line: 2, message: expect.stringMatching(/cut off/) }]);
  });

  it('reads records across reads of the file (records longer than a read)', async () => {
    const big = Array.from({ length: 400 }, (_, i) => send(String(i), { content: 'x'.repeat(5000 + i) }));
    const r = await convert(`[\n${big.join(',\n')}\n]`);
    expect(r.rows.length).toBe(400);
    expect(r.rows[399]).toBe(401);
    expect(r.rejected).toEqual([]);
    const lines = await convert(big.join('\n'));
    expect(lines.rows).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
  });
});
