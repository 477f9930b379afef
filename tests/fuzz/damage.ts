/**
 * Damaged CSV files for the property tests: a valid file written from known records, then the
 * kinds of damage real exports carry (stray quotes, dropped and doubled delimiters, invalid
 * bytes, truncation, duplicated lines, a line in another encoding, a huge field), each applied
 * to whole lines so the test knows which records are untouched and on which line each lies.
 *
 * Runs: QUNLENS_FUZZ_RUNS (npm run fuzz sets a long run; npm test a bounded one).
 */
import fc from 'fast-check';
import { NODE_BYTES } from '../../src/read/csv-file.ts';
import { CsvScanner } from '../../src/read/csv-scan.ts';
import { encodeGb18030 } from '../helpers.ts';

export const FUZZ_RUNS = Number(process.env.QUNLENS_FUZZ_RUNS ?? 0);

export type FileEncoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';

/** One record's place in the damaged file (or a line the damage added). */
export interface Unit {
  record: string[] | null;
  text: string;
  /** damaged: its text is no longer the record's */
  dirty: boolean;
  /** written in the other encoding (UTF-8 in a GB18030 file, GB18030 in a UTF-8 one) */
  foreign?: boolean;
  /** bytes inserted after encoding, at this character offset */
  invalidAt?: number;
}

export type Damage =
  | { kind: 'stray-quote'; at: number; offset: number }
  | { kind: 'drop-delimiter'; at: number }
  | { kind: 'double-delimiter'; at: number }
  | { kind: 'invalid-bytes'; at: number; offset: number }
  | { kind: 'duplicate-line'; at: number }
  | { kind: 'other-encoding'; at: number }
  | { kind: 'huge-field'; at: number; size: number }
  | { kind: 'blank-line'; at: number }
  | { kind: 'truncate'; keep: number };

const utf8 = new TextEncoder();

/** Field values: plain, with the characters that need quoting, Chinese, edges with spaces. */
const value = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{0,8}$/) },
  { weight: 2, arbitrary: fc.constantFrom('群', '导购', '兴趣群', '徐汇店', '2026-03-05 10:00:00', '100.00', '是') },
  { weight: 2, arbitrary: fc.array(fc.constantFrom('a', ',', '"', ' ', '\t', '群', '\n', '\r\n', 'x', '1'), { maxLength: 6 }).map((a) => a.join('')) },
);

export const table = fc
  .integer({ min: 3, max: 6 })
  .chain((fields) =>
    fc.record({
      fields: fc.constant(fields),
      records: fc.array(fc.array(value, { minLength: fields, maxLength: fields }), { minLength: 1, maxLength: 40 }),
      newline: fc.constantFrom('\n', '\r\n', '\r'),
      lastNewline: fc.boolean(),
      encoding: fc.constantFrom<FileEncoding>('utf-8', 'utf-8', 'utf-8', 'gb18030', 'utf-16le', 'utf-16be'),
      bom: fc.boolean(),
    }),
  );
export type Table = typeof table extends fc.Arbitrary<infer T> ? T : never;

/** RFC 4180, quoting what DuckDB would otherwise read differently (a leading space before a quote, edges). */
export function serialise(record: readonly string[]): string {
  return record.map((v) => (/[",\r\n]|^[ \t]|[ \t]$/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)).join(',');
}

export function damages(units: number): fc.Arbitrary<Damage[]> {
  const at = fc.integer({ min: 0, max: Math.max(0, units - 1) });
  const damage: fc.Arbitrary<Damage> = fc.oneof(
    fc.record({ kind: fc.constant('stray-quote' as const), at, offset: fc.nat() }),
    fc.record({ kind: fc.constant('drop-delimiter' as const), at }),
    fc.record({ kind: fc.constant('double-delimiter' as const), at }),
    fc.record({ kind: fc.constant('invalid-bytes' as const), at, offset: fc.nat() }),
    fc.record({ kind: fc.constant('duplicate-line' as const), at }),
    fc.record({ kind: fc.constant('other-encoding' as const), at }),
    fc.record({ kind: fc.constant('huge-field' as const), at, size: fc.constantFrom(1_100_000, 2_100_000) }),
    fc.record({ kind: fc.constant('blank-line' as const), at }),
    fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }),
  );
  return fc.array(damage, { maxLength: 3 });
}

/** The file's units before damage: header (contract names, so the build can read it), then one per record. */
export function unitsOf(t: Table, header: string[]): Unit[] {
  return [header, ...t.records].map((record, i) => ({ record: i === 0 ? null : record, text: serialise(record), dirty: false }));
}

/** Apply damage to the units after the header (a bad header stops the build: tested elsewhere). */
export function damage(t: Table, units: Unit[], list: readonly Damage[]): { units: Unit[]; truncate: number | null } {
  const out = units.map((u) => ({ ...u }));
  let truncate: number | null = null;
  for (const d of list) {
    if (d.kind === 'truncate') {
      truncate = d.keep;
      continue;
    }
    if (out.length < 2) continue;
    const i = 1 + (d.at % (out.length - 1));
    const u = out[i];
    const comma = u.text.indexOf(',');
    switch (d.kind) {
      case 'stray-quote': {
        const at = d.offset % (u.text.length + 1);
        u.text = `${u.text.slice(0, at)}"${u.text.slice(at)}`;
        break;
      }
      case 'drop-delimiter':
        if (comma < 0) continue;
        u.text = u.text.slice(0, comma) + u.text.slice(comma + 1);
        break;
      case 'double-delimiter':
        u.text = `${u.text.slice(0, Math.max(0, comma))},${u.text.slice(Math.max(0, comma))}`;
        break;
      case 'invalid-bytes':
        if (u.foreign) continue;
        u.invalidAt = d.offset % (u.text.length + 1);
        break;
      case 'duplicate-line':
        out.splice(i + 1, 0, { record: null, text: u.text, dirty: true, foreign: u.foreign, invalidAt: u.invalidAt });
        break;
      case 'other-encoding':
        // (a UTF-16 file joined to a UTF-8 one is not a thing operators meet)
        if (t.encoding !== 'utf-8' && t.encoding !== 'gb18030') continue;
        if (u.invalidAt !== undefined) continue;
        u.foreign = true;
        u.text += '导购群';
        break;
      case 'huge-field':
        u.text = `${u.text.slice(0, Math.max(0, comma))}${'x'.repeat(d.size)}${u.text.slice(Math.max(0, comma))}`;
        break;
      case 'blank-line':
        out.splice(i, 0, { record: null, text: '', dirty: false });
        continue;
    }
    u.dirty = true;
  }
  return { units: out, truncate };
}

export interface Expected {
  bytes: Uint8Array;
  /**
   * Records that must be read exactly, each with its first physical line (and where its bytes
   * end). In a file that mixes encodings, a record with non-ASCII characters may be rejected
   * instead (`orRejected`): which encoding's rows are rejected depends on which has more.
   */
  exact: { line: number; record: string[]; end: number; orRejected: boolean }[];
}

/** Physical line breaks in text (CR LF, LF and a lone CR each one). */
export function breaksIn(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n') n++;
    else if (text[i] === '\r' && text[i + 1] !== '\n') n++;
  }
  return n;
}

function encode(text: string, encoding: FileEncoding): Uint8Array {
  switch (encoding) {
    case 'utf-8':
      return utf8.encode(text);
    case 'gb18030':
      return encodeGb18030(text);
    case 'utf-16le':
    case 'utf-16be': {
      const out = new Uint8Array(text.length * 2);
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        const [a, b] = encoding === 'utf-16le' ? [c & 0xff, c >> 8] : [c >> 8, c & 0xff];
        out[2 * i] = a;
        out[2 * i + 1] = b;
      }
      return out;
    }
  }
}

/** Bytes no decoder of the encoding accepts. */
function invalidBytes(encoding: FileEncoding): Uint8Array {
  if (encoding === 'utf-16le') return new Uint8Array([0x00, 0xd8]); // an unpaired high surrogate
  if (encoding === 'utf-16be') return new Uint8Array([0xd8, 0x00]);
  if (encoding === 'gb18030') return new Uint8Array([0x80]);
  return new Uint8Array([0xff, 0xc3]);
}

/** The scan reads this record, alone after a header, as one record. */
function readAlone(fields: number, text: string): boolean {
  const scanner = new CsvScanner({ delimiter: 0x2c, headerFields: fields, validateUtf8: false, ...NODE_BYTES });
  scanner.push(utf8.encode(`${Array.from({ length: fields }, (_, i) => `h${i}`).join(',')}\n${text}\n`));
  const layout = scanner.finish();
  return layout.records === 1 && layout.rejected.length === 0;
}

const BOMS: Record<FileEncoding, number[]> = { 'utf-8': [0xef, 0xbb, 0xbf], gb18030: [], 'utf-16le': [0xff, 0xfe], 'utf-16be': [0xfe, 0xff] };

/**
 * The damaged file, and the records it still holds exactly: untouched ones that no damage can
 * reach. A stray quote may pull the next record into its own, so a record counts only when a
 * plain one-line record without quotes lies between it and the last damage (or it is one),
 * and, in a truncated file, only records whose line break the cut left.
 */
export function assemble(t: Table, damaged: { units: Unit[]; truncate: number | null }): Expected {
  const parts: Uint8Array[] = [];
  const exact: Expected['exact'] = [];
  let line = 1;
  let reset = true;
  const other: FileEncoding = t.encoding === 'gb18030' ? 'utf-8' : 'gb18030';
  const mixed = damaged.units.some((u) => u.foreign);
  const unitWidth = t.encoding.startsWith('utf-16') ? 2 : 1;
  if (t.bom) parts.push(new Uint8Array(BOMS[t.encoding]));
  let bytesSoFar = parts.reduce((n, p) => n + p.length, 0);
  damaged.units.forEach((u, i) => {
    const last = i === damaged.units.length - 1;
    const text = u.text + (!last || t.lastNewline ? t.newline : '');
    const plain = u.record !== null && !u.dirty && !u.text.includes('"') && breaksIn(u.text) === 0;
    // a value whose lines look like records is one the scan rejects even undamaged (csv-scan.test.ts)
    if (u.dirty || (u.record && !readAlone(t.fields, u.text))) reset = false;
    else if (plain) reset = true;
    let bytes = encode(text, u.foreign ? other : t.encoding);
    if (u.invalidAt !== undefined) {
      // (within the text as later damage left it, and not between the halves of a CR LF: that would make two line breaks of one)
      let offset = Math.min(u.invalidAt, u.text.length);
      if (text[offset - 1] === '\r' && text[offset] === '\n') offset++;
      const at = encode(text.slice(0, offset), t.encoding).length;
      const bad = invalidBytes(t.encoding);
      const withBad = new Uint8Array(bytes.length + bad.length);
      withBad.set(bytes.subarray(0, at));
      withBad.set(bad, at);
      withBad.set(bytes.subarray(at), at + bad.length);
      bytes = withBad;
    }
    parts.push(bytes);
    bytesSoFar += bytes.length;
    if (u.record && !u.dirty && reset && readAlone(t.fields, u.text)) {
      exact.push({ line, record: u.record, end: bytesSoFar, orRejected: mixed && /[^\x00-\x7f]/.test(u.text) });
    }
    line += breaksIn(text);
  });
  let bytes = new Uint8Array(bytesSoFar);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  if (damaged.truncate === null || !bytes.length) return { bytes, exact };
  let cut = Math.max(1, damaged.truncate % bytes.length);
  cut -= cut % unitWidth;
  bytes = bytes.subarray(0, Math.max(unitWidth, cut));
  // a record stays whole when the cut left every byte of it and of its line break
  return { bytes, exact: exact.filter((e) => e.end <= bytes.length) };
}
