/**
 * Excel workbooks (.xlsx): ONE sheet turned into a UTF-8 CSV that the CSV path then reads
 * (sources.ts, csv-scan.ts), with the Excel row number of every CSV record, so a rejected row
 * is named by the row Excel shows.
 *
 * The reader is our own, on SpreadsheetML's few elements a sheet's values need, over the zip
 * library fflate (which streams, and runs in the browser too); in Node, workbook-file.ts
 * inflates with node:zlib instead. Why not a spreadsheet library: `xlsx` 0.18.5 on the registry
 * carries published advisories and reads whole workbooks into memory; exceljs's streaming
 * WorkbookReader took about 20× DuckDB's time for the bench's members sheet (README, "Excel
 * workbooks"); this reader streams one sheet in about 2–3×, with memory that does not grow with
 * the rows.
 *
 * What is written, per cell (columnKinds gives each header column's kind):
 *  - a shared or inline string, a formula's cached string: the text as it is (a text date Excel
 *    did not parse stays text; the normal checks read or reject it);
 *  - a number in an `id` column: its integer text; beyond 15 digits Excel has already lost the
 *    rest, so it is written as Excel shows it (1.23456789012346E+17), which the ID check rejects;
 *  - a date cell (a number whose style's number format is a date or time: built-in ids, or a
 *    custom format with y/m/d/h/s outside quotes and brackets): the wall clock Excel stores, as
 *    YYYY-MM-DD HH:MM:SS (YYYY-MM-DD in a `date` column, and for a date-only format elsewhere),
 *    in the 1900 or the 1904 date system, with no time-zone conversion;
 *  - a plain number of 5 digits or more in a `datetime`/`date` column: serial days of the
 *    workbook's date system, as a date (the CSV path reads 5-digit numbers as 1900 serial days;
 *    a 1904 workbook would be 4 years off);
 *  - other numbers as their shortest round-trip text; booleans true/false; error cells (#N/A)
 *    as their text.
 * Rows above the header (a title, 导出时间) are skipped; empty rows are not written (the row
 * map keeps Excel's numbers); a value right of the header's last column is written as an extra
 * field, so the CSV checks reject that row rather than drop the value.
 *
 * Memory: the shared strings are held (a sheet refers to them by number); the sheet is read
 * row by row and written as it goes. The row map is 4 bytes a row.
 *
 * Browser-safe: no Node imports here (the Data quality page's preview reads workbooks too).
 */
import { Inflate } from 'fflate';
import type { ColumnKind } from '../contract.ts';
import { InputError } from './scan.ts';

export interface WorkbookSheetOptions {
  /** config `sheet`: read this sheet (by name); otherwise the first sheet whose header matches */
  sheet?: string;
  /**
   * Given a sheet's first rows (cell texts, at most 10 rows, empty rows included as []), the
   * 0-based index of its header row, or null when none fits.
   */
  findHeader(rows: string[][]): number | null;
  /** The kind of each header column (by position), so typed cells are written right. */
  columnKinds(headers: string[]): (ColumnKind | null)[];
  /** the file's name as the operator knows it, for messages (default: the path's base name; "the workbook" for bytes) */
  file?: string;
  /** what a header row needs, for the message when no sheet has one (e.g. "member_id, group_id and joined_at") */
  expected?: string;
}

export interface WorkbookSheet {
  /** the sheet read */
  sheet: string;
  /** its Excel row number (1-based) */
  headerRow: number;
  headers: string[];
  /** Excel row number of each CSV data record, in order (empty rows are not written) */
  rows: Int32Array;
  /** sheets looked at and why each was not used */
  skipped: { sheet: string; reason: string }[];
}

/** Rows of a sheet offered to findHeader. */
export const HEADER_SEARCH_ROWS = 10;

// ---------------------------------------------------------------------------------------------
// The archive: a zip read by its central directory (random access), entries inflated as streams.

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** Random access to the workbook's bytes, and a way to inflate one entry chunk by chunk. */
export interface ArchiveSource {
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  /** the entry's compressed bytes, from `offset` (its data start), in chunks */
  compressed(offset: number, length: number): AsyncIterable<Uint8Array>;
  /** inflate: raw deflate chunks → inflated chunks (fflate unless the host has a faster one) */
  inflate?(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array>;
}

/** Why a workbook cannot be read at all (turned into an InputError naming the file). */
class Damaged extends Error {}

const u16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
const u64 = (b: Uint8Array, o: number) => u32(b, o) + u32(b, o + 4) * 2 ** 32;

async function zipEntries(src: ArchiveSource): Promise<Map<string, ZipEntry>> {
  const tailLength = Math.min(src.size, 65_535 + 22);
  const tailStart = src.size - tailLength;
  const tail = await src.read(tailStart, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Damaged('the zip archive has no end (the file is cut short or damaged)');
  let count = u16(tail, eocd + 10);
  let dirSize = u32(tail, eocd + 12);
  let dirOffset = u32(tail, eocd + 16);
  if ((count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) && eocd >= 20 && u32(tail, eocd - 20) === 0x07064b50) {
    const zip64At = u64(tail, eocd - 20 + 8);
    const z = await src.read(zip64At, 56);
    if (u32(z, 0) !== 0x06064b50) throw new Damaged('its zip64 directory is damaged');
    count = u64(z, 32);
    dirSize = u64(z, 40);
    dirOffset = u64(z, 48);
  }
  if (dirOffset + dirSize > src.size) throw new Damaged('its zip directory points past the end of the file (the file is cut short)');
  const dir = await src.read(dirOffset, dirSize);
  const entries = new Map<string, ZipEntry>();
  const utf8 = new TextDecoder();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > dir.length || u32(dir, p) !== 0x02014b50) throw new Damaged('its zip directory is damaged');
    const method = u16(dir, p + 10);
    let compressedSize = u32(dir, p + 20);
    let size = u32(dir, p + 24);
    const nameLength = u16(dir, p + 28);
    const extraLength = u16(dir, p + 30);
    const commentLength = u16(dir, p + 32);
    let localOffset = u32(dir, p + 42);
    const name = utf8.decode(dir.subarray(p + 46, p + 46 + nameLength));
    // zip64: the sizes and offset that overflowed 32 bits are in extra field 0x0001, in this order
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = u16(dir, e);
      const len = u16(dir, e + 2);
      if (id === 1) {
        let q = e + 4;
        if (size === 0xffffffff) (size = u64(dir, q)), (q += 8);
        if (compressedSize === 0xffffffff) (compressedSize = u64(dir, q)), (q += 8);
        if (localOffset === 0xffffffff) localOffset = u64(dir, q);
      }
      e += 4 + len;
    }
    entries.set(name.replace(/^\//, '').toLowerCase(), { name, method, compressedSize, size, localOffset });
    p = extraEnd + commentLength;
  }
  return entries;
}

async function* fflateInflate(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const out: Uint8Array[] = [];
  const inflater = new Inflate((data) => {
    out.push(data);
  });
  for await (const chunk of chunks) {
    inflater.push(chunk, false);
    while (out.length) yield out.shift()!;
  }
  inflater.push(new Uint8Array(0), true);
  while (out.length) yield out.shift()!;
}

async function* entryBytes(src: ArchiveSource, entry: ZipEntry): AsyncIterable<Uint8Array> {
  const local = await src.read(entry.localOffset, 30);
  if (local.length < 30 || u32(local, 0) !== 0x04034b50) throw new Damaged(`its part ${entry.name} is damaged`);
  const start = entry.localOffset + 30 + u16(local, 26) + u16(local, 28);
  if (start + entry.compressedSize > src.size) throw new Damaged(`its part ${entry.name} is cut short`);
  const raw = src.compressed(start, entry.compressedSize);
  if (entry.method === 0) yield* raw;
  else if (entry.method === 8) {
    try {
      yield* (src.inflate ?? fflateInflate)(raw);
    } catch (error) {
      if (error instanceof Damaged) throw error;
      throw new Damaged(`its part ${entry.name} cannot be decompressed (${(error as Error).message})`);
    }
  } else throw new Damaged(`its part ${entry.name} uses a compression qunlens does not read (method ${entry.method})`);
}

/** An entry's text, chunk by chunk (UTF-8; a part in UTF-16 is rare enough to be refused). */
async function* entryText(src: ArchiveSource, entry: ZipEntry): AsyncIterable<string> {
  const decoder = new TextDecoder('utf-8');
  let first = true;
  for await (const bytes of entryBytes(src, entry)) {
    if (first && bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
      throw new Damaged(`its part ${entry.name} is UTF-16 XML, which qunlens does not read`);
    }
    first = false;
    const text = decoder.decode(bytes, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

async function entryWhole(src: ArchiveSource, entry: ZipEntry): Promise<string> {
  let text = '';
  for await (const chunk of entryText(src, entry)) text += chunk;
  return text;
}

// ---------------------------------------------------------------------------------------------
// Old and encrypted workbooks: an OLE compound file (CFB), recognised by its signature. An
// encrypted .xlsx is such a file holding an `EncryptionInfo` stream; an Excel 97–2003 .xls one
// holding `Workbook` (or `Book`).

const CFB_SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/** Names of the streams and storages in a compound file's directory. */
export async function compoundFileNames(src: ArchiveSource): Promise<string[]> {
  const header = await src.read(0, 512);
  const shift = u16(header, 0x1e);
  if (shift !== 9 && shift !== 12) throw new Damaged('its compound-file header is damaged');
  const sectorSize = 1 << shift;
  const perSector = sectorSize / 4;
  const maxSectors = Math.ceil(src.size / sectorSize) + 1;
  const sectorAt = (n: number) => (n + 1) * sectorSize;
  // FAT sector numbers: 109 in the header, the rest in a chain of DIFAT sectors
  const fatSectors: number[] = [];
  for (let i = 0; i < 109; i++) {
    const s = u32(header, 0x4c + i * 4);
    if (s < 0xfffffffa) fatSectors.push(s);
  }
  let difat = u32(header, 0x44);
  for (let guard = 0; difat < 0xfffffffa && guard < maxSectors; guard++) {
    const sector = await src.read(sectorAt(difat), sectorSize);
    for (let i = 0; i < perSector - 1; i++) {
      const s = u32(sector, i * 4);
      if (s < 0xfffffffa) fatSectors.push(s);
    }
    difat = u32(sector, sectorSize - 4);
  }
  const fatCache = new Map<number, Uint8Array>();
  const next = async (s: number): Promise<number> => {
    const index = Math.floor(s / perSector);
    if (index >= fatSectors.length) return 0xfffffffe;
    let fat = fatCache.get(index);
    if (!fat) fatCache.set(index, (fat = await src.read(sectorAt(fatSectors[index]), sectorSize)));
    return u32(fat, (s % perSector) * 4);
  };
  const names: string[] = [];
  let s = u32(header, 0x30);
  for (let guard = 0; s < 0xfffffffa && guard < maxSectors; guard++) {
    const sector = await src.read(sectorAt(s), sectorSize);
    for (let e = 0; e + 128 <= sector.length; e += 128) {
      const length = Math.min(64, u16(sector, e + 0x40));
      if (length < 2 || sector[e + 0x42] === 0) continue;
      let name = '';
      for (let i = 0; i + 1 < length - 1; i += 2) name += String.fromCharCode(u16(sector, e + i));
      names.push(name);
    }
    s = await next(s);
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// XML helpers

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML entities and character references, then OOXML's _xHHHH_ escapes (a CR is _x000D_). */
export function xmlText(raw: string): string {
  let s = raw;
  if (s.includes('&')) {
    s = s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (m, e: string) => {
      if (e[0] !== '#') return ENTITIES[e];
      const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : m;
    });
  }
  if (s.includes('_x')) s = s.replace(/_x([0-9a-fA-F]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return s;
}

/** Attributes of one start tag's text (after its name), as a map. */
function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of tag.matchAll(/([\w:.-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) out.set(m[1], xmlText(m[3] ?? m[4] ?? ''));
  return out;
}

/** Start tags of an element (any prefix), with their attributes. */
function elements(xml: string, local: string): Map<string, string>[] {
  const re = new RegExp(`<(?:[\\w.-]+:)?${local}(?=[\\s/>])([^>]*)>`, 'g');
  return [...xml.matchAll(re)].map((m) => attributes(m[1]));
}

/** The attribute of a local name whatever its prefix (r:id, relationships:id …). */
function prefixed(attrs: Map<string, string>, local: string): string | undefined {
  for (const [k, v] of attrs) if (k === local || k.endsWith(`:${local}`)) return v;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Number formats: which styles are dates

/** Built-in number formats that are dates or times (ECMA-376 18.8.30, and East Asian 27–36, 50–58). */
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);
/** Built-in formats that show a date without a time. */
const BUILTIN_DATE_ONLY = new Set([14, 15, 16, 17, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 57, 58]);

export type DateFormat = 'date' | 'datetime' | null;

/** A custom format code's kind: y/m/d (date) and h/s (time) tokens outside quotes, escapes and brackets. */
export function formatKind(code: string): DateFormat {
  if (/^general$/i.test(code.trim())) return null;
  // the first section is the one for positive numbers (dates are)
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/[_*]./g, '')
    .replace(/\[(h+|m+|s+)\]/gi, 'h')
    .replace(/\[[^\]]*\]/g, '')
    .split(';')[0];
  if (!/[ymdhs]/i.test(bare)) return null;
  return /[hs]/i.test(bare) ? 'datetime' : 'date';
}

interface Styles {
  /** per cellXfs index: whether its number format is a date (and with a time) */
  dateFormats: DateFormat[];
}

function parseStyles(xml: string): Styles {
  const custom = new Map<number, string>();
  for (const a of elements(xml, 'numFmt')) custom.set(Number(a.get('numFmtId')), a.get('formatCode') ?? '');
  const cellXfs = /<(?:[\w.-]+:)?cellXfs\b[^>]*>([\s\S]*?)<\/(?:[\w.-]+:)?cellXfs>/.exec(xml)?.[1] ?? '';
  const dateFormats = elements(cellXfs, 'xf').map((a): DateFormat => {
    const id = Number(a.get('numFmtId') ?? 0);
    const code = custom.get(id);
    if (code !== undefined) return formatKind(code);
    if (BUILTIN_DATE_FORMATS.has(id)) return BUILTIN_DATE_ONLY.has(id) ? 'date' : 'datetime';
    return null;
  });
  return { dateFormats };
}

// ---------------------------------------------------------------------------------------------
// Values

const MS_PER_DAY = 86_400_000;
/** 1899-12-30 and 1904-01-01 as epoch milliseconds (UTC: the wall clock, no zone) */
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);
/** 9999-12-31 in the 1900 system: a larger number is no date */
const MAX_SERIAL = 2_958_466;

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Serial days → the wall clock Excel stores: YYYY-MM-DD[ HH:MM:SS[.mmm]]. */
export function serialToText(serial: number, date1904: boolean, withTime: boolean): string {
  if (!date1904 && serial < 61) {
    // before 1900-03-01 Excel counts the day 1900-02-29 that never was (Lotus 1-2-3's leap year)
    if (Math.floor(serial) === 60) return withTime ? `1900-02-29 ${clock(serial)}` : '1900-02-29';
    serial += 1;
  }
  const ms = Math.round(serial * MS_PER_DAY) + (date1904 ? EPOCH_1904 : EPOCH_1900);
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  const day = `${year < 1000 ? String(year).padStart(4, '0') : year}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  if (!withTime) return day;
  const millis = d.getUTCMilliseconds();
  return `${day} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}${millis ? `.${String(millis).padStart(3, '0')}` : ''}`;
}

function clock(serial: number): string {
  const s = Math.round((serial - Math.floor(serial)) * 86_400);
  return `${pad2(Math.floor(s / 3600) % 24)}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
}

/** A number as Excel's General format shows one beyond 15 digits: 1.23456789012346E+17. */
export function excelScientific(value: number): string {
  const [mantissa, exponent] = value.toExponential(14).split('e');
  const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  const e = Number(exponent);
  return `${m}E${e < 0 ? '-' : '+'}${pad2(Math.abs(e))}`;
}

/** A number in an ID column: its integer text; beyond 15 digits (Excel kept 15) as Excel shows it. */
export function idNumberText(raw: string): string {
  const value = Number(raw);
  if (!Number.isFinite(value)) return raw;
  if (Math.abs(value) >= 1e15) return excelScientific(value);
  return String(value);
}

/** The shortest text that reads back as the same number. */
function numberText(raw: string): string {
  const value = Number(raw);
  return Number.isFinite(value) && raw !== '' ? String(value) : raw;
}

const Kind = { Other: 0, Id: 1, Datetime: 2, Date: 3 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

function kindCode(kind: ColumnKind | null | undefined): Kind {
  return kind === 'id' ? Kind.Id : kind === 'datetime' ? Kind.Datetime : kind === 'date' ? Kind.Date : Kind.Other;
}

interface SheetContext {
  strings: string[];
  styles: Styles;
  date1904: boolean;
}

/** One cell's text, as described in the module's comment. */
function cellText(ctx: SheetContext, type: string, style: number, raw: string, kind: Kind): string {
  switch (type) {
    case 's': {
      const index = Number(raw);
      const text = ctx.strings[index];
      if (text === undefined) throw new Damaged(`a cell refers to shared string ${raw}, which the workbook does not have`);
      return text;
    }
    case 'str':
    case 'inlineStr':
    case 'e':
      return xmlText(raw);
    case 'b':
      return raw === '1' || raw === 'true' ? 'true' : raw === '0' || raw === 'false' ? 'false' : raw;
    case 'd': {
      // an ISO 8601 date written as text (Strict workbooks, some libraries)
      const text = xmlText(raw);
      const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2}(?:\.\d+)?))?/.exec(text);
      if (!m) return text;
      if (kind === Kind.Date) return m[1];
      return `${m[1]} ${m[2] ?? '00:00:00'}`;
    }
    default: {
      if (raw === '') return '';
      if (kind === Kind.Id) return idNumberText(raw);
      const format = style >= 0 ? ctx.styles.dateFormats[style] : null;
      const value = Number(raw);
      if (format && Number.isFinite(value) && value >= 0 && value < MAX_SERIAL) {
        if (kind === Kind.Date) return serialToText(value, ctx.date1904, false);
        if (kind === Kind.Datetime) return serialToText(value, ctx.date1904, true);
        return serialToText(value, ctx.date1904, format === 'datetime' || value !== Math.floor(value));
      }
      if ((kind === Kind.Datetime || kind === Kind.Date) && Number.isFinite(value) && value >= 10_000 && value < MAX_SERIAL) {
        return serialToText(value, ctx.date1904, kind === Kind.Datetime);
      }
      return numberText(raw);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Shared strings, streamed

/** Text of one <si> (or <is>): its <t> runs, without phonetic readings (<rPh>). */
function richText(xml: string, p: string): string {
  let body = xml;
  if (body.includes(`<${p}rPh`)) body = body.replace(new RegExp(`<${p}rPh\\b[\\s\\S]*?</${p}rPh>`, 'g'), '');
  const open = `<${p}t`;
  const close = `</${p}t>`;
  let out = '';
  let i = body.indexOf(open);
  while (i >= 0) {
    const after = body.charCodeAt(i + open.length);
    const end = body.indexOf('>', i);
    if (end < 0) break;
    if (after === 0x3e /* > */ || after === 0x20 || after === 0x2f /* / */ || after === 0x09 || after === 0x0a || after === 0x0d) {
      if (body.charCodeAt(end - 1) === 0x2f) {
        i = body.indexOf(open, end);
        continue;
      }
      const stop = body.indexOf(close, end);
      if (stop < 0) break;
      out += body.slice(end + 1, stop);
      i = body.indexOf(open, stop);
    } else i = body.indexOf(open, end);
  }
  return xmlText(out);
}

/** The element prefix of a part ('' or 'x:'), from its root element. */
function prefixOf(text: string): string {
  const m = /<([\w.-]+:)?(?:worksheet|sst|workbook)[\s>]/.exec(text);
  return m?.[1] ?? '';
}

async function readSharedStrings(src: ArchiveSource, entry: ZipEntry): Promise<string[]> {
  const strings: string[] = [];
  let carry = '';
  let p: string | null = null;
  for await (const chunk of entryText(src, entry)) {
    let text = carry + chunk;
    if (p === null) {
      if (!/<([\w.-]+:)?sst[\s>]/.test(text) && text.length < 4096) {
        carry = text;
        continue;
      }
      p = prefixOf(text);
    }
    const open = `<${p}si`;
    const close = `</${p}si>`;
    let i = text.indexOf(open);
    let consumed = 0;
    while (i >= 0) {
      const after = text.charCodeAt(i + open.length);
      if (after !== 0x3e && after !== 0x20 && after !== 0x2f && after !== 0x09 && after !== 0x0a && after !== 0x0d) {
        i = text.indexOf(open, i + 1);
        continue;
      }
      const tagEnd = text.indexOf('>', i);
      if (tagEnd < 0) break;
      if (text.charCodeAt(tagEnd - 1) === 0x2f) {
        strings.push('');
        consumed = tagEnd + 1;
        i = text.indexOf(open, consumed);
        continue;
      }
      const end = text.indexOf(close, tagEnd);
      if (end < 0) break;
      // a copy, not a slice: a slice would keep the whole decoded chunk alive
      strings.push(flat(richText(text.slice(tagEnd + 1, end), p)));
      consumed = end + close.length;
      i = text.indexOf(open, consumed);
    }
    carry = text.slice(consumed);
    text = '';
  }
  return strings;
}

/** A string that holds its own characters (V8 keeps a slice of a long string as a view of it). */
function flat(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

// ---------------------------------------------------------------------------------------------
// The workbook: its sheets, styles and shared strings

interface SheetInfo {
  name: string;
  entry: ZipEntry;
  hidden: boolean;
}

interface Workbook {
  src: ArchiveSource;
  sheets: SheetInfo[];
  ctx: SheetContext;
}

function resolveTarget(base: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = base.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.' && part !== '') parts.push(part);
  }
  return parts.join('/');
}

async function relationships(src: ArchiveSource, entries: Map<string, ZipEntry>, part: string): Promise<{ id: string; type: string; target: string }[]> {
  const slash = part.lastIndexOf('/');
  const relsName = `${part.slice(0, slash + 1)}_rels/${part.slice(slash + 1)}.rels`.toLowerCase();
  const entry = entries.get(relsName);
  if (!entry) return [];
  return elements(await entryWhole(src, entry), 'Relationship').map((a) => ({
    id: a.get('Id') ?? '',
    type: a.get('Type') ?? '',
    target: a.get('TargetMode') === 'External' ? '' : resolveTarget(part, a.get('Target') ?? ''),
  }));
}

async function openWorkbook(src: ArchiveSource): Promise<Workbook> {
  const head = await src.read(0, 8);
  if (CFB_SIGNATURE.every((b, i) => head[i] === b)) {
    let names: string[] = [];
    try {
      names = await compoundFileNames(src);
    } catch {
      /* an unreadable compound file: said below as an old or damaged workbook */
    }
    if (names.includes('EncryptionInfo') || names.includes('EncryptedPackage')) throw new Protected();
    throw new OldWorkbook();
  }
  if (!(head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) && !(head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x05 && head[3] === 0x06)) {
    throw new Damaged('it is not an .xlsx workbook (an .xlsx file is a zip archive, and this one does not start like one)');
  }
  const entries = await zipEntries(src);
  const rootRels = await relationships(src, entries, '');
  const workbookPart = rootRels.find((r) => /\/officeDocument$/.test(r.type))?.target ?? 'xl/workbook.xml';
  const workbookEntry = entries.get(workbookPart.toLowerCase());
  if (!workbookEntry) {
    if (entries.has('xl/workbook.bin')) throw new Damaged('it is an Excel binary workbook (.xlsb), which qunlens does not read; save it as an Excel Workbook (.xlsx)');
    throw new Damaged('it has no workbook part (xl/workbook.xml): it is another kind of zip file, or damaged');
  }
  const workbookXml = await entryWhole(src, workbookEntry);
  const rels = await relationships(src, entries, workbookPart);
  const byId = new Map(rels.map((r) => [r.id, r]));
  const pr = elements(workbookXml, 'workbookPr')[0];
  const date1904 = pr ? /^(1|true)$/i.test(pr.get('date1904') ?? '') : false;
  const sheets: SheetInfo[] = [];
  for (const a of elements(workbookXml, 'sheet')) {
    const rel = byId.get(prefixed(a, 'id') ?? '');
    if (!rel || !/\/worksheet$/.test(rel.type)) continue; // chart sheets, dialog sheets: no cells
    const entry = entries.get(rel.target.toLowerCase());
    if (!entry) throw new Damaged(`its sheet "${a.get('name')}" is missing from the file (${rel.target})`);
    sheets.push({ name: a.get('name') ?? '', entry, hidden: /hidden/i.test(a.get('state') ?? '') });
  }
  const stylesRel = rels.find((r) => /\/styles$/.test(r.type));
  const stylesEntry = entries.get((stylesRel?.target ?? 'xl/styles.xml').toLowerCase());
  const styles = stylesEntry ? parseStyles(await entryWhole(src, stylesEntry)) : { dateFormats: [] };
  const stringsRel = rels.find((r) => /\/sharedStrings$/.test(r.type));
  const stringsEntry = entries.get((stringsRel?.target ?? 'xl/sharedStrings.xml').toLowerCase());
  const strings = stringsEntry ? await readSharedStrings(src, stringsEntry) : [];
  return { src, sheets, ctx: { strings, styles, date1904 } };
}

class Protected extends Error {}
class OldWorkbook extends Error {}

// ---------------------------------------------------------------------------------------------
// A sheet, streamed row by row

interface Row {
  /** Excel row number */
  r: number;
  /** cell texts by column (0-based), '' for gaps; trailing empty cells dropped */
  cells: string[];
}

/** Column index (0-based) of a cell reference's letters: A1 → 0, AB12 → 27. */
function columnOf(ref: string): number {
  let col = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) col = col * 26 + (c - 64);
    else if (c >= 97 && c <= 122) col = col * 26 + (c - 96);
    else break;
  }
  return col - 1;
}

const isNameEnd = (c: number) => c === 0x20 || c === 0x3e || c === 0x2f || c === 0x09 || c === 0x0a || c === 0x0d;

/** The value of attribute `name` in a start tag's text (between the name and '>'), or null. */
function attr(tag: string, name: string): string | null {
  let i = tag.indexOf(name);
  while (i >= 0) {
    const before = tag.charCodeAt(i - 1);
    let j = i + name.length;
    while (tag.charCodeAt(j) === 0x20) j++;
    if ((before === 0x20 || before === 0x09 || before === 0x0a || before === 0x0d) && tag.charCodeAt(j) === 0x3d /* = */) {
      j++;
      while (tag.charCodeAt(j) === 0x20) j++;
      const quote = tag[j];
      const end = tag.indexOf(quote, j + 1);
      return tag.slice(j + 1, end);
    }
    i = tag.indexOf(name, i + 1);
  }
  return null;
}

/**
 * The rows of a sheet, in order, as texts: `kinds` by column (0-based). Stops early when
 * `onRow` returns false.
 */
async function streamRows(wb: Workbook, sheet: SheetInfo, kinds: Kind[], onRow: (row: Row) => boolean | void | Promise<boolean | void>): Promise<void> {
  let carry = '';
  let p: string | null = null;
  let lastRow = 0;
  const ctx = wb.ctx;
  let done = false;
  const iterator = entryText(wb.src, sheet.entry)[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await iterator.next();
      let text = next.done ? carry : carry + next.value;
      if (p === null) {
        if (!next.done && !/<([\w.-]+:)?worksheet[\s>]/.test(text) && text.length < 1 << 16) {
          carry = text;
          continue;
        }
        p = prefixOf(text);
      }
      const rowOpen = `<${p}row`;
      const rowClose = `</${p}row>`;
      const cellOpen = `<${p}c`;
      const cellClose = `</${p}c>`;
      const vOpen = `<${p}v`;
      const vClose = `</${p}v>`;
      const isOpen = `<${p}is`;
      const isClose = `</${p}is>`;
      // only whole rows: up to the last row end in the text (the rest waits for the next chunk)
      const limit = next.done ? text.length : text.lastIndexOf(rowClose) + (text.lastIndexOf(rowClose) >= 0 ? rowClose.length : 0);
      let pos = 0;
      for (;;) {
        let i = text.indexOf(rowOpen, pos);
        while (i >= 0 && i < limit && !isNameEnd(text.charCodeAt(i + rowOpen.length))) i = text.indexOf(rowOpen, i + 1);
        if (i < 0 || i >= limit) break;
        const tagEnd = text.indexOf('>', i);
        const tag = text.slice(i + rowOpen.length, tagEnd);
        const rAttr = attr(tag, 'r');
        const r = rAttr === null ? lastRow + 1 : Number(rAttr);
        lastRow = r;
        const cells: string[] = [];
        if (text.charCodeAt(tagEnd - 1) === 0x2f) {
          pos = tagEnd + 1;
        } else {
          const end = text.indexOf(rowClose, tagEnd);
          if (end < 0) throw new Damaged(`its sheet "${sheet.name}" has a row that does not end (row ${r})`);
          let c = text.indexOf(cellOpen, tagEnd);
          let column = -1;
          while (c >= 0 && c < end) {
            if (!isNameEnd(text.charCodeAt(c + cellOpen.length))) {
              c = text.indexOf(cellOpen, c + 1);
              continue;
            }
            const cEnd = text.indexOf('>', c);
            const ctag = text.slice(c + cellOpen.length, cEnd);
            const ref = attr(ctag, 'r');
            column = ref === null ? column + 1 : columnOf(ref);
            const selfClosing = text.charCodeAt(cEnd - 1) === 0x2f;
            let close = cEnd + 1;
            let raw = '';
            const type = attr(ctag, 't') ?? 'n';
            if (!selfClosing) {
              close = text.indexOf(cellClose, cEnd);
              if (type === 'inlineStr') {
                const is = text.indexOf(isOpen, cEnd);
                if (is >= 0 && is < close) raw = richText(text.slice(is, text.indexOf(isClose, is)), p);
              } else {
                let v = text.indexOf(vOpen, cEnd);
                while (v >= 0 && v < close && !isNameEnd(text.charCodeAt(v + vOpen.length))) v = text.indexOf(vOpen, v + 1);
                if (v >= 0 && v < close) {
                  const vStart = text.indexOf('>', v);
                  if (text.charCodeAt(vStart - 1) !== 0x2f) raw = text.slice(vStart + 1, text.indexOf(vClose, vStart));
                }
              }
              close += cellClose.length;
            }
            if (raw !== '' || type === 'inlineStr') {
              const style = attr(ctag, 's');
              const value = type === 'inlineStr' ? raw : cellText(ctx, type, style === null ? -1 : Number(style), raw, kinds[column] ?? Kind.Other);
              if (value !== '' && column >= 0) {
                while (cells.length < column) cells.push('');
                cells[column] = value;
              }
            }
            c = text.indexOf(cellOpen, close);
          }
          pos = end + rowClose.length;
        }
        if ((await onRow({ r, cells })) === false) {
          done = true;
          return;
        }
      }
      if (next.done) return;
      carry = text.slice(limit);
      text = '';
    }
  } finally {
    if (done) await iterator.return?.();
  }
}

// ---------------------------------------------------------------------------------------------
// CSV

const NEEDS_QUOTES = /[",\r\n]/;

function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record of `width` fields (more when cells lie right of the header). */
function csvRecord(cells: string[], width: number): string {
  let line = '';
  const n = Math.max(width, cells.length);
  for (let i = 0; i < n; i++) {
    if (i > 0) line += ',';
    const cell = cells[i];
    if (cell) line += csvField(cell);
  }
  return line;
}

// ---------------------------------------------------------------------------------------------
// Choosing the sheet and its header

/** What a sheet's first rows hold, for the message when no header fits. */
function describeRows(rows: string[][]): string {
  const shown = rows
    .map((cells, i) => ({ cells: cells.filter((c) => c !== ''), row: i + 1 }))
    .filter((r) => r.cells.length > 0)
    .slice(0, 3)
    .map(({ cells, row }) => {
      const texts = cells.slice(0, 8).map((c) => `"${c.length > 20 ? `${c.slice(0, 20)}…` : c}"`.replace(/[\r\n]+/g, ' '));
      return `row ${row}: ${texts.join(', ')}${cells.length > 8 ? ', …' : ''}`;
    });
  return shown.join('; ');
}

async function firstRows(wb: Workbook, sheet: SheetInfo): Promise<{ rows: string[][]; empty: boolean }> {
  const rows: string[][] = [];
  let empty = true;
  await streamRows(wb, sheet, [], (row) => {
    if (row.r > HEADER_SEARCH_ROWS) {
      empty = false;
      return false;
    }
    while (rows.length < row.r - 1) rows.push([]);
    rows[row.r - 1] = row.cells;
    if (row.cells.length) empty = false;
  });
  return { rows, empty };
}

interface Chosen {
  sheet: SheetInfo;
  headerIndex: number;
  headers: string[];
  skipped: { sheet: string; reason: string }[];
}

async function chooseSheet(wb: Workbook, options: WorkbookSheetOptions, file: string): Promise<Chosen> {
  const skipped: { sheet: string; reason: string }[] = [];
  const needs = options.expected ? ` (one that holds ${options.expected})` : ' (one that holds every required column)';
  const noHeader = (rows: string[][]) =>
    `no header row in its first ${HEADER_SEARCH_ROWS} rows${needs}; ${describeRows(rows) ? `they hold ${describeRows(rows)}` : 'they are empty'}`;
  const names = wb.sheets.map((s) => `"${s.name}"`).join(', ') || 'none';
  if (options.sheet !== undefined) {
    const sheet = wb.sheets.find((s) => s.name === options.sheet) ?? wb.sheets.find((s) => s.name.trim().toLowerCase() === options.sheet!.trim().toLowerCase());
    if (!sheet) throw new InputError([`${file}: has no sheet named "${options.sheet}" (set by \`sheet\` in qunlens.config.json); its sheets: ${names}. Set \`sheet\` to one of them, or remove it to read the first sheet whose header fits`]);
    const { rows, empty } = await firstRows(wb, sheet);
    if (empty) throw new InputError([`${file}: sheet "${sheet.name}" is empty; export the data again, or set \`sheet\` in qunlens.config.json to the sheet that holds it (its sheets: ${names})`]);
    const index = options.findHeader(rows);
    if (index === null) throw new InputError([`${file}: sheet "${sheet.name}" has ${noHeader(rows)}. Check that this is the right export, or map its headers with \`columns\` in qunlens.config.json`]);
    return { sheet, headerIndex: index, headers: trimHeaders(rows[index]), skipped };
  }
  for (const sheet of wb.sheets) {
    if (sheet.hidden) {
      skipped.push({ sheet: sheet.name, reason: 'hidden' });
      continue;
    }
    const { rows, empty } = await firstRows(wb, sheet);
    if (empty) {
      skipped.push({ sheet: sheet.name, reason: 'empty' });
      continue;
    }
    const index = options.findHeader(rows);
    if (index === null) {
      skipped.push({ sheet: sheet.name, reason: noHeader(rows) });
      continue;
    }
    return { sheet, headerIndex: index, headers: trimHeaders(rows[index]), skipped };
  }
  if (!wb.sheets.length) throw new InputError([`${file}: the workbook has no sheet with cells; export it again`]);
  if (skipped.every((s) => s.reason === 'empty' || s.reason === 'hidden') && skipped.some((s) => s.reason === 'empty')) {
    const list = skipped.map((s) => `"${s.sheet}" is ${s.reason}`).join('; ');
    throw new InputError([`${file}: no sheet holds data (${list}); export it again`]);
  }
  const list = skipped.map((s) => `sheet "${s.sheet}": ${s.reason}`).join('; ');
  throw new InputError([
    `${file}: no sheet has a header row qunlens can use. ${list}. Check that this is the right export; map its own headers with \`columns\` in qunlens.config.json, or name the sheet to read with \`sheet\``,
  ]);
}

function trimHeaders(cells: string[] | undefined): string[] {
  const headers = [...(cells ?? [])];
  while (headers.length && headers[headers.length - 1].trim() === '') headers.pop();
  return headers;
}

// ---------------------------------------------------------------------------------------------
// The conversion

/** Grows by doubling; `take` gives the filled part. */
class RowNumbers {
  private buffer = new Int32Array(1024);
  length = 0;
  push(n: number): void {
    if (this.length === this.buffer.length) {
      const bigger = new Int32Array(this.buffer.length * 2);
      bigger.set(this.buffer);
      this.buffer = bigger;
    }
    this.buffer[this.length++] = n;
  }
  take(): Int32Array {
    return this.buffer.slice(0, this.length);
  }
}

/** Text handed to the sink in pieces of about this many characters. */
const PIECE = 1 << 20;

/**
 * The sheet as CSV text, handed to `write` piece by piece (the header line first), and its row
 * map. Every problem that makes the workbook unusable is an InputError naming `file`.
 */
export async function convertWorkbook(src: ArchiveSource, options: WorkbookSheetOptions & { file: string }, write: (text: string) => void | Promise<void>): Promise<WorkbookSheet> {
  const file = options.file;
  try {
    const wb = await openWorkbook(src);
    const chosen = await chooseSheet(wb, options, file);
    const headerRow = chosen.headerIndex + 1;
    const kinds = options.columnKinds(chosen.headers).map(kindCode);
    const width = chosen.headers.length;
    const rows = new RowNumbers();
    let piece = `${csvRecord(chosen.headers, width)}\n`;
    await streamRows(wb, chosen.sheet, kinds, async (row) => {
      if (row.r <= headerRow || row.cells.length === 0) return;
      rows.push(row.r);
      piece += `${csvRecord(row.cells, width)}\n`;
      if (piece.length >= PIECE) {
        const out = piece;
        piece = '';
        await write(out);
      }
    });
    if (piece) await write(piece);
    return { sheet: chosen.sheet.name, headerRow, headers: chosen.headers, rows: rows.take(), skipped: chosen.skipped };
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (error instanceof Protected) {
      throw new InputError([
        `${file}: the workbook is protected by a password (it is encrypted), so qunlens cannot read it. Save a copy without the password (in Excel: File → Info → Protect Workbook → Encrypt with Password, clear it; in WPS: 文件 → 文档加密 → 密码加密, clear it), or export it again without one`,
      ]);
    }
    if (error instanceof OldWorkbook) {
      throw new InputError([`${file}: this is an Excel 97–2003 workbook (.xls) or another Office file, not an .xlsx workbook; export it again as .xlsx (or save it as "Excel Workbook (.xlsx)")`]);
    }
    if (error instanceof Damaged) {
      throw new InputError([`${file}: cannot be read as an Excel workbook: ${error.message}. Export it again from the system it came from (a download cut short, or a file renamed to .xlsx, looks like this)`]);
    }
    throw error;
  }
}

/** Bytes held in memory as an archive source (the browser; tests). */
export function bytesSource(bytes: Uint8Array): ArchiveSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
    compressed: async function* (offset, length) {
      const step = 1 << 20;
      for (let i = offset; i < offset + length; i += step) yield bytes.subarray(i, Math.min(offset + length, i + step));
    },
  };
}

/** Browser (the CSV preview on the Data quality page): the same from bytes held in memory, returning the CSV bytes. */
export async function workbookBytesToCsv(bytes: Uint8Array, options: WorkbookSheetOptions): Promise<WorkbookSheet & { csv: Uint8Array }> {
  const encoder = new TextEncoder();
  const pieces: Uint8Array[] = [];
  let total = 0;
  const sheet = await convertWorkbook(bytesSource(bytes), { ...options, file: options.file ?? 'the workbook' }, (text) => {
    const piece = encoder.encode(text);
    pieces.push(piece);
    total += piece.length;
  });
  const csv = new Uint8Array(total);
  let at = 0;
  for (const piece of pieces) {
    csv.set(piece, at);
    at += piece.length;
  }
  return { ...sheet, csv };
}
