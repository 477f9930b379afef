/**
 * Excel workbooks (.xlsx): ONE sheet turned into a UTF-8 CSV that the CSV path then reads
 * (sources.ts, csv-scan.ts), with the Excel row number of every CSV record, so a rejected row
 * is named by the row Excel shows.
 *
 * The reader is our own, on SpreadsheetML's few elements a sheet's values need, over the zip
 * library fflate (which streams, and runs in the browser too); in Node, workbook-file.ts
 * inflates with node:zlib instead. Why not a spreadsheet library: `xlsx` 0.18.5 on the registry
 * carries published advisories and reads whole workbooks into memory; exceljs's streaming
 * WorkbookReader took 47 s to iterate a 1 M-row members sheet that DuckDB reads as CSV in
 * 1.1–1.9 s; this reader converts it in 2.5–2.9 s at about 210 MiB peak, memory that does not
 * grow with the rows (README, "Excel workbooks").
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
import type { ColumnKind } from '../core/contract.ts';
import { InputError } from './source-files.ts';

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

/** A zip's first local header (PK\x03\x04): how an .xlsx workbook starts, whatever its name says. */
export function startsLikeZip(head: Uint8Array): boolean {
  return head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

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

/** A small part's whole text (workbook, relationships, styles). */
async function entryWhole(src: ArchiveSource, entry: ZipEntry): Promise<string> {
  const bytes = new Bytes(Math.max(1024, Math.min(entry.size, 1 << 24)));
  for await (const chunk of entryBytes(src, entry)) bytes.copy(chunk, 0, chunk.length);
  const head = bytes.buf;
  if (bytes.pos >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) {
    return new TextDecoder(head[0] === 0xff ? 'utf-16le' : 'utf-16be').decode(head.subarray(0, bytes.pos));
  }
  return utf8.decode(head.subarray(0, bytes.pos));
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

/** Day texts by epoch day (most sheets hold a few hundred distinct days). */
const dayTexts = new Map<number, string>();
const PAD2 = Array.from({ length: 60 }, (_, i) => pad2(i));

/** Serial days → the wall clock Excel stores: YYYY-MM-DD[ HH:MM:SS[.mmm]] (to the millisecond). */
export function serialToText(serial: number, date1904: boolean, withTime: boolean): string {
  if (!date1904 && serial < 61) {
    // before 1900-03-01 Excel counts the day 1900-02-29 that never was (Lotus 1-2-3's leap year)
    if (Math.floor(serial) === 60) return withTime ? `1900-02-29 ${clock(serial)}` : '1900-02-29';
    serial += 1;
  }
  const ms = Math.round(serial * MS_PER_DAY) + (date1904 ? EPOCH_1904 : EPOCH_1900);
  const epochDay = Math.floor(ms / MS_PER_DAY);
  let day = dayTexts.get(epochDay);
  if (day === undefined) {
    const d = new Date(epochDay * MS_PER_DAY);
    const year = d.getUTCFullYear();
    day = `${String(year).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
    if (dayTexts.size > 100_000) dayTexts.clear();
    dayTexts.set(epochDay, day);
  }
  if (!withTime) return day;
  const inDay = ms - epochDay * MS_PER_DAY;
  const seconds = Math.floor(inDay / 1000);
  const millis = inDay - seconds * 1000;
  const time = `${PAD2[Math.floor(seconds / 3600)]}:${PAD2[Math.floor(seconds / 60) % 60]}:${PAD2[seconds % 60]}`;
  return millis ? `${day} ${time}.${String(millis).padStart(3, '0')}` : `${day} ${time}`;
}

/** The civil date of the last epoch day written (consecutive rows often share a day). */
let civilDay = NaN;
let civilYear = 0;
let civilMonth = 0;
let civilDate = 0;

/** Days since 1970-01-01 → year, month, day (proleptic Gregorian; H. Hinnant's days_from_civil inverse). */
function setCivil(epochDay: number): void {
  const z = epochDay + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  civilDate = doy - Math.floor((153 * mp + 2) / 5) + 1;
  civilMonth = mp < 10 ? mp + 3 : mp - 9;
  civilYear = yoe + era * 400 + (civilMonth <= 2 ? 1 : 0);
  civilDay = epochDay;
}

/** serialToText's text, written as bytes (serials from 61 on in the 1900 system: no 1900-02-29). */
function writeSerial(out: Bytes, serial: number, date1904: boolean, withTime: boolean): void {
  const ms = Math.round(serial * MS_PER_DAY) + (date1904 ? EPOCH_1904 : EPOCH_1900);
  const epochDay = Math.floor(ms / MS_PER_DAY);
  if (epochDay !== civilDay) setCivil(epochDay);
  out.ensure(23);
  const b = out.buf;
  let p = out.pos;
  const y = civilYear;
  b[p++] = 48 + (Math.floor(y / 1000) % 10);
  b[p++] = 48 + (Math.floor(y / 100) % 10);
  b[p++] = 48 + (Math.floor(y / 10) % 10);
  b[p++] = 48 + (y % 10);
  b[p++] = MINUS;
  b[p++] = 48 + Math.floor(civilMonth / 10);
  b[p++] = 48 + (civilMonth % 10);
  b[p++] = MINUS;
  b[p++] = 48 + Math.floor(civilDate / 10);
  b[p++] = 48 + (civilDate % 10);
  if (withTime) {
    const inDay = ms - epochDay * MS_PER_DAY;
    const seconds = Math.floor(inDay / 1000);
    const millis = inDay - seconds * 1000;
    const h = Math.floor(seconds / 3600);
    const m = Math.floor(seconds / 60) % 60;
    const s = seconds % 60;
    b[p++] = 0x20;
    b[p++] = 48 + Math.floor(h / 10);
    b[p++] = 48 + (h % 10);
    b[p++] = 0x3a;
    b[p++] = 48 + Math.floor(m / 10);
    b[p++] = 48 + (m % 10);
    b[p++] = 0x3a;
    b[p++] = 48 + Math.floor(s / 10);
    b[p++] = 48 + (s % 10);
    if (millis) {
      b[p++] = DOT;
      b[p++] = 48 + Math.floor(millis / 100);
      b[p++] = 48 + (Math.floor(millis / 10) % 10);
      b[p++] = 48 + (millis % 10);
    }
  }
  out.pos = p;
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
  strings: SharedStrings;
  styles: Styles;
  date1904: boolean;
  /** the element prefix of the sheet being read ('' or 'x:') */
  prefix: string;
}

/** One cell's text (but shared and inline strings), as described in the module's comment. */
function cellText(ctx: SheetContext, type: number, style: number, raw: string, kind: Kind): string {
  switch (type) {
    case T.str:
    case T.e:
      return xmlText(raw);
    case T.b:
      return raw === '1' || raw === 'true' ? 'true' : raw === '0' || raw === 'false' ? 'false' : raw;
    case T.d: {
      // an ISO 8601 date written as text (Strict workbooks, some libraries)
      const text = xmlText(raw);
      const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2}(?:\.\d+)?))?/.exec(text);
      if (!m) return text;
      if (kind === Kind.Date) return m[1];
      return `${m[1]} ${m[2] ?? '00:00:00'}`;
    }
    default: {
      if (kind === Kind.Id) return idNumberText(raw);
      const format = style >= 0 ? ctx.styles.dateFormats[style] : null;
      const value = Number(raw);
      if (format && value >= 0 && value < MAX_SERIAL) {
        if (kind === Kind.Date) return serialToText(value, ctx.date1904, false);
        if (kind === Kind.Datetime) return serialToText(value, ctx.date1904, true);
        return serialToText(value, ctx.date1904, format === 'datetime' || value !== Math.floor(value));
      }
      if ((kind === Kind.Datetime || kind === Kind.Date) && value >= 10_000 && value < MAX_SERIAL) {
        return serialToText(value, ctx.date1904, kind === Kind.Datetime);
      }
      return numberText(raw);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Bytes. The sheet and its shared strings are read as UTF-8 bytes and never decoded whole: most
// cells are numbers or shared-string numbers, copied to the CSV as they are. (Decoding the XML
// to strings and building the CSV as strings took 4–5 times as long, much of it in the garbage
// collector.)

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isNameEnd = (c: number) => c === 0x20 || c === 0x3e || c === 0x2f || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

const utf8 = new TextDecoder('utf-8');
const encoder = new TextEncoder();
const asciiBytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** True when `buf` holds the tag name `name` at `at` (followed by the end of a name). */
function nameAt(buf: Uint8Array, at: number, name: Uint8Array): boolean {
  for (let i = 0; i < name.length; i++) if (buf[at + i] !== name[i]) return false;
  return isNameEnd(buf[at + name.length]);
}

/** Index of the next '<' from `i` before `end` (or `end`). */
function nextTag(buf: Uint8Array, i: number, end: number): number {
  while (i < end && buf[i] !== LT) i++;
  return i;
}

/** Start of the last `</name>` in buf[0, end), or -1. */
function lastClose(buf: Uint8Array, end: number, name: Uint8Array): number {
  for (let i = end - name.length - 3; i >= 0; i--) {
    if (buf[i] === LT && buf[i + 1] === SLASH && buf[i + 2 + name.length] === GT) {
      let same = true;
      for (let j = 0; j < name.length; j++) if (buf[i + 2 + j] !== name[j]) (same = false), (j = name.length);
      if (same) return i;
    }
  }
  return -1;
}

/** An ASCII range of bytes as a string (numbers, attribute values). */
function latin1(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]);
  return s;
}

/** A non-negative integer written from `start` (digits until anything else); -1 if none. */
function integerAt(buf: Uint8Array, start: number): number {
  let n = -1;
  for (let i = start; ; i++) {
    const c = buf[i];
    if (!(c >= 0x30 && c <= 0x39)) return n;
    n = (n < 0 ? 0 : n * 10) + (c - 48);
  }
}

/** Column index (0-based) of a cell reference's letters from `start`: A1 → 0, AB12 → 27. */
function columnAt(buf: Uint8Array, start: number): number {
  let col = 0;
  for (let i = start; ; i++) {
    const c = buf[i];
    if (c >= 65 && c <= 90) col = col * 26 + (c - 64);
    else if (c >= 97 && c <= 122) col = col * 26 + (c - 96);
    else break;
  }
  return col - 1;
}

/** A growable byte buffer. */
class Bytes {
  buf: Uint8Array;
  pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }
  ensure(more: number): void {
    if (this.pos + more <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + more) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }
  copy(from: Uint8Array, start: number, end: number): void {
    this.ensure(end - start);
    const buf = this.buf;
    let pos = this.pos;
    // short ranges are copied faster by hand than by set()
    if (end - start < 32) for (let i = start; i < end; i++) buf[pos++] = from[i];
    else {
      buf.set(from.subarray(start, end), pos);
      pos += end - start;
    }
    this.pos = pos;
  }
  text(s: string): void {
    this.ensure(s.length * 3);
    this.pos += encoder.encodeInto(s, this.buf.subarray(this.pos)).written;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }
  repeat(b: number, n: number): void {
    this.ensure(n);
    this.buf.fill(b, this.pos, this.pos + n);
    this.pos += n;
  }
}

/**
 * An entry's bytes in pieces that end after the last `</name>` in them (whole elements); the
 * rest is carried into the next piece. `name` is found from the part's root element (`root`),
 * whose prefix (x: in some exports) every element of the part shares.
 */
async function* wholeElements(src: ArchiveSource, entry: ZipEntry, root: string, name: string): AsyncIterable<{ buf: Uint8Array; limit: number; prefix: string; last: boolean }> {
  let carry = new Bytes(1 << 21);
  let prefix: string | null = null;
  let close: Uint8Array | null = null;
  const iterator = entryBytes(src, entry)[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await iterator.next();
      if (!next.done) carry.copy(next.value, 0, next.value.length);
      if (prefix === null) {
        const head = latin1(carry.buf, 0, Math.min(carry.pos, 1 << 16));
        const m = new RegExp(`<([\\w.-]+:)?${root}[\\s>/]`).exec(head);
        if (!m && !next.done && carry.pos < 1 << 16) continue;
        if (head.charCodeAt(0) === 0xfe || head.charCodeAt(0) === 0xff) throw new Damaged(`its part ${entry.name} is UTF-16 XML, which qunlens does not read`);
        prefix = m?.[1] ?? '';
        close = asciiBytes(`${prefix}${name}`);
      }
      const at = next.done ? -1 : lastClose(carry.buf, carry.pos, close!);
      const limit = next.done ? carry.pos : at < 0 ? 0 : at + close!.length + 3;
      if (limit > 0 || next.done) yield { buf: carry.buf, limit, prefix, last: Boolean(next.done) };
      if (next.done) return;
      // the rest moves to the front (the consumer is done with the piece once it asks for the next)
      const rest = carry.pos - limit;
      if (rest > carry.buf.length / 2) {
        const fresh = new Bytes(Math.max(1 << 21, rest * 2));
        fresh.copy(carry.buf, limit, carry.pos);
        carry = fresh;
      } else {
        carry.buf.copyWithin(0, limit, carry.pos);
        carry.pos = rest;
      }
    }
  } finally {
    await iterator.return?.();
  }
}

// ---------------------------------------------------------------------------------------------
// Shared strings, streamed

/** Text of one <si> (or <is>) element's inside: its <t> runs, without phonetic readings (<rPh>). */
function richText(xml: string, p: string): string {
  let body = xml;
  if (body.includes(`<${p}rPh`)) body = body.replace(new RegExp(`<${p}rPh\\b[\\s\\S]*?</${p}rPh>`, 'g'), '');
  return xmlText(
    [...body.matchAll(new RegExp(`<${p}t(?:\\s[^>]*)?(?:/>|>([^<]*)</${p}t>)`, 'g'))].map((m) => m[1] ?? '').join(''),
  );
}

/** The workbook's shared strings, as UTF-8 bytes end to end (no string objects for a million IDs). */
class SharedStrings {
  bytes: Uint8Array;
  /** string i is bytes[offsets[i], offsets[i + 1]) */
  offsets: Int32Array;
  /** 1 where the string needs quotes in a CSV (a quote, comma or line break) */
  quote: Uint8Array;
  count: number;
  constructor(bytes: Uint8Array, offsets: Int32Array, quote: Uint8Array, count: number) {
    this.bytes = bytes;
    this.offsets = offsets;
    this.quote = quote;
    this.count = count;
  }
  text(i: number): string {
    return utf8.decode(this.bytes.subarray(this.offsets[i], this.offsets[i + 1]));
  }
  /** String i as a CSV field. */
  writeCsv(out: Bytes, i: number): void {
    if (this.quote[i]) out.text(csvField(this.text(i)));
    else out.copy(this.bytes, this.offsets[i], this.offsets[i + 1]);
  }
}

/** Grows an Int32Array or Uint8Array by doubling. */
function grown<A extends Int32Array | Uint8Array>(array: A, needed: number): A {
  if (needed <= array.length) return array;
  const bigger = new (array.constructor as new (n: number) => A)(Math.max(needed, array.length * 2));
  bigger.set(array);
  return bigger;
}

async function readSharedStrings(src: ArchiveSource, entry: ZipEntry): Promise<SharedStrings> {
  const out = new Bytes(1 << 20);
  let offsets = new Int32Array(1 << 12);
  let quote = new Uint8Array(1 << 12);
  let count = 0;
  let names: { si: Uint8Array; t: Uint8Array; rPh: Uint8Array } | null = null;
  for await (const { buf, limit, prefix } of wholeElements(src, entry, 'sst', 'si')) {
    names ??= { si: asciiBytes(`${prefix}si`), t: asciiBytes(`${prefix}t`), rPh: asciiBytes(`${prefix}rPh`) };
    const { si, t, rPh } = names;
    let inSi = false;
    let inRPh = false;
    let escaped = false;
    let start = 0;
    let i = nextTag(buf, 0, limit);
    while (i < limit) {
      const n = i + 1;
      if (buf[n] === SLASH) {
        if (nameAt(buf, n + 1, si)) {
          // the end of a string: unescape it if it needs it, note whether it needs CSV quotes
          if (escaped) {
            const text = xmlText(utf8.decode(out.buf.subarray(start, out.pos)));
            out.pos = start;
            out.text(text);
          }
          let needsQuotes = 0;
          for (let k = start; k < out.pos; k++) {
            const c = out.buf[k];
            if (c === 0x22 || c === COMMA || c === NEWLINE || c === 0x0d) {
              needsQuotes = 1;
              break;
            }
          }
          offsets = grown(offsets, count + 2);
          quote = grown(quote, count + 1);
          offsets[count] = start;
          quote[count] = needsQuotes;
          count++;
          inSi = false;
        } else if (nameAt(buf, n + 1, rPh)) inRPh = false;
        i = nextTag(buf, n, limit);
        continue;
      }
      let gt = n;
      while (gt < limit && buf[gt] !== GT) gt++;
      if (gt >= limit) throw new Damaged('its shared strings are damaged');
      const selfClosing = buf[gt - 1] === SLASH;
      if (nameAt(buf, n, si)) {
        start = out.pos;
        escaped = false;
        inRPh = false;
        if (selfClosing) {
          offsets = grown(offsets, count + 2);
          quote = grown(quote, count + 1);
          offsets[count] = start;
          quote[count] = 0;
          count++;
        } else inSi = true;
      } else if (inSi && nameAt(buf, n, rPh)) {
        inRPh = !selfClosing;
      } else if (inSi && !inRPh && !selfClosing && nameAt(buf, n, t)) {
        // the run's text, to the next tag (text holds no '<')
        const end = nextTag(buf, gt + 1, limit);
        for (let k = gt + 1; k < end; k++) {
          const c = buf[k];
          if (c === 0x26 || (c === 0x5f && buf[k + 1] === 0x78)) {
            escaped = true;
            break;
          }
        }
        out.copy(buf, gt + 1, end);
        i = end;
        continue;
      }
      i = nextTag(buf, gt + 1, limit);
    }
  }
  offsets = grown(offsets, count + 1);
  offsets[count] = out.pos;
  return new SharedStrings(out.buf.subarray(0, out.pos), offsets, quote, count);
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
  if (!startsLikeZip(head) && !(head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x05 && head[3] === 0x06)) {
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
  const strings = stringsEntry ? await readSharedStrings(src, stringsEntry) : new SharedStrings(new Uint8Array(0), new Int32Array(1), new Uint8Array(0), 0);
  return { src, sheets, ctx: { strings, styles, date1904, prefix: '' } };
}

class Protected extends Error {}
class OldWorkbook extends Error {}

// ---------------------------------------------------------------------------------------------
// A sheet, streamed row by row

/** Cell types (the `t` attribute) as numbers. */
const T = { n: 0, s: 1, str: 2, inlineStr: 3, b: 4, e: 5, d: 6 } as const;

/** The `t` attribute's code, from its bytes [start, end). */
function typeCode(buf: Uint8Array, start: number, end: number): number {
  const length = end - start;
  const c = buf[start];
  if (length === 1) return c === 115 ? T.s : c === 98 ? T.b : c === 101 ? T.e : c === 100 ? T.d : T.n;
  if (length === 3 && c === 115) return T.str;
  if (length === 9 && c === 105) return T.inlineStr;
  return T.n;
}

/** Where a sheet's cells go, row by row. `cell` gets the value's bytes [start, end) (for an inline string: the inside of <is>). */
interface CellSink {
  startRow(r: number): void;
  cell(buf: Uint8Array, column: number, type: number, style: number, start: number, end: number): void;
  /** false: stop reading */
  endRow(r: number): boolean;
}

/** The rows of a sheet's XML, piece by piece (each ends between two rows), into a sink. */
class SheetParser {
  private readonly row: Uint8Array;
  private readonly c: Uint8Array;
  private readonly v: Uint8Array;
  private readonly is: Uint8Array;
  private readonly sheetData: Uint8Array;
  private readonly sheet: string;
  private readonly sink: CellSink;
  lastRow = 0;

  constructor(prefix: string, sheet: string, sink: CellSink) {
    this.row = asciiBytes(`${prefix}row`);
    this.c = asciiBytes(`${prefix}c`);
    this.v = asciiBytes(`${prefix}v`);
    this.is = asciiBytes(`${prefix}is`);
    this.sheetData = asciiBytes(`${prefix}sheetData`);
    this.sheet = sheet;
    this.sink = sink;
  }

  private damaged(what: string): Damaged {
    return new Damaged(`its sheet "${this.sheet}" is damaged (${what})`);
  }

  /** The rows in buf[0, limit); false when the sink asked to stop or the sheet's data ended. */
  parse(buf: Uint8Array, limit: number): boolean {
    const { row, c, v, is, sink } = this;
    let inRow = false;
    let r = 0;
    // the cell being read
    let column = -1;
    let type = 0;
    let style = -1;
    let start = -1;
    let end = -1;
    let inCell = false;
    let i = nextTag(buf, 0, limit);
    while (i < limit) {
      const n = i + 1;
      if (buf[n] === SLASH) {
        if (inCell && nameAt(buf, n + 1, c)) {
          if (start >= 0) sink.cell(buf, column, type, style, start, end);
          inCell = false;
        } else if (inCell && start >= 0 && end < 0 && (nameAt(buf, n + 1, v) || nameAt(buf, n + 1, is))) {
          end = i;
        } else if (nameAt(buf, n + 1, row)) {
          inRow = false;
          if (!sink.endRow(r)) return false;
        } else if (!inRow && nameAt(buf, n + 1, this.sheetData)) {
          return false;
        }
        i = nextTag(buf, n, limit);
        continue;
      }
      if (inRow && nameAt(buf, n, c)) {
        // <c r="B2" s="3" t="s">: reference, style, type
        let k = n + c.length;
        let ref = -1;
        type = T.n;
        style = -1;
        let selfClosing = false;
        for (;;) {
          let ch = buf[k];
          while (isSpace(ch)) ch = buf[++k];
          if (ch === GT) {
            k++;
            break;
          }
          if (ch === SLASH) {
            selfClosing = true;
            k += 2;
            break;
          }
          const nameStart = k;
          while (k < limit && buf[k] !== 0x3d /* = */) k++;
          let nameEnd = k;
          while (isSpace(buf[nameEnd - 1])) nameEnd--;
          k++;
          while (isSpace(buf[k])) k++;
          const quote = buf[k];
          let valueEnd = k + 1;
          while (valueEnd < limit && buf[valueEnd] !== quote) valueEnd++;
          if (valueEnd >= limit || (quote !== 0x22 && quote !== 0x27)) throw this.damaged(`a cell's attributes in row ${r}`);
          if (nameEnd - nameStart === 1) {
            const name = buf[nameStart];
            if (name === 114 /* r */) ref = k + 1;
            else if (name === 116 /* t */) type = typeCode(buf, k + 1, valueEnd);
            else if (name === 115 /* s */) style = integerAt(buf, k + 1);
          }
          k = valueEnd + 1;
        }
        column = ref >= 0 ? columnAt(buf, ref) : column + 1;
        start = -1;
        end = -1;
        inCell = !selfClosing;
        i = nextTag(buf, k, limit);
        continue;
      }
      if (inCell && start < 0 && (nameAt(buf, n, v) || (type === T.inlineStr && nameAt(buf, n, is)))) {
        let gt = n;
        while (gt < limit && buf[gt] !== GT) gt++;
        if (buf[gt - 1] !== SLASH) start = gt + 1;
        i = nextTag(buf, gt, limit);
        continue;
      }
      if (!inRow && nameAt(buf, n, row)) {
        let gt = n;
        while (gt < limit && buf[gt] !== GT) gt++;
        const at = attributeAt(buf, n + row.length, gt, 114 /* r */);
        const next = at >= 0 ? integerAt(buf, at) : this.lastRow + 1;
        if (!(next > this.lastRow)) throw this.damaged(`row ${next} comes after row ${this.lastRow}`);
        r = this.lastRow = next;
        column = -1;
        sink.startRow(r);
        if (buf[gt - 1] === SLASH) {
          if (!sink.endRow(r)) return false;
        } else inRow = true;
        i = nextTag(buf, gt, limit);
        continue;
      }
      i = nextTag(buf, n, limit);
    }
    return true;
  }
}

/** Where the value of the one-letter attribute `name` starts in a start tag's bytes [from, to), or -1. */
function attributeAt(buf: Uint8Array, from: number, to: number, name: number): number {
  for (let k = from; k < to; k++) {
    const ch = buf[k];
    if (ch === 0x22 || ch === 0x27) {
      // a value: a letter inside it is no attribute
      k++;
      while (k < to && buf[k] !== ch) k++;
      continue;
    }
    if (ch === name && isSpace(buf[k - 1])) {
      let j = k + 1;
      while (isSpace(buf[j])) j++;
      if (buf[j] !== 0x3d) continue;
      j++;
      while (isSpace(buf[j])) j++;
      return j + 1;
    }
  }
  return -1;
}

/** Reads a sheet into a sink; stops when the sink says so. */
async function streamRows(wb: Workbook, sheet: SheetInfo, sink: CellSink, afterPiece?: () => void | Promise<void>): Promise<void> {
  let parser: SheetParser | null = null;
  for await (const { buf, limit, prefix } of wholeElements(wb.src, sheet.entry, 'worksheet', 'row')) {
    if (!parser) {
      parser = new SheetParser(prefix, sheet.name, sink);
      wb.ctx.prefix = prefix;
    }
    if (!parser.parse(buf, limit)) return;
    if (afterPiece) await afterPiece();
  }
}

/** A cell's bytes as the text the rules give (the slow path: strings, and numbers that are not plain). */
function cellString(ctx: SheetContext, buf: Uint8Array, type: number, style: number, start: number, end: number, kind: Kind): string {
  if (type === T.s) {
    const index = integerAt(buf, start);
    if (!(index >= 0 && index < ctx.strings.count)) throw new Damaged(`a cell refers to shared string ${latin1(buf, start, end)}, which the workbook does not have`);
    return ctx.strings.text(index);
  }
  if (type === T.inlineStr) return richText(utf8.decode(buf.subarray(start, end)), ctx.prefix);
  return cellText(ctx, type, style, type === T.n ? latin1(buf, start, end) : utf8.decode(buf.subarray(start, end)), kind);
}

/** The header search's sink: cell texts by column ('' for gaps), up to row HEADER_SEARCH_ROWS. */
class CellCollector implements CellSink {
  rows: string[][] = [];
  empty = true;
  private cells: string[] = [];
  private readonly ctx: SheetContext;
  constructor(ctx: SheetContext) {
    this.ctx = ctx;
  }
  startRow(): void {
    this.cells = [];
  }
  cell(buf: Uint8Array, column: number, type: number, style: number, start: number, end: number): void {
    const text = cellString(this.ctx, buf, type, style, start, end, Kind.Other);
    if (text === '' || column < this.cells.length) return;
    while (this.cells.length < column) this.cells.push('');
    this.cells.push(text);
  }
  endRow(r: number): boolean {
    if (r > HEADER_SEARCH_ROWS) {
      this.empty = false;
      return false;
    }
    while (this.rows.length < r - 1) this.rows.push([]);
    this.rows[r - 1] = this.cells;
    if (this.cells.length) this.empty = false;
    return true;
  }
}

/** Is buf[start, end) a number written as its shortest round-trip text (so it can be copied as it is)? */
function plainNumber(buf: Uint8Array, start: number, end: number): boolean {
  let i = start;
  if (buf[i] === MINUS) i++;
  const intStart = i;
  if (i >= end) return false;
  let significant: number;
  if (buf[i] === ZERO) {
    i++;
    significant = 0;
  } else {
    while (i < end && isDigit(buf[i])) i++;
    if (i === intStart) return false;
    significant = i - intStart;
  }
  if (i < end) {
    if (buf[i] !== DOT) return false;
    const fracStart = ++i;
    while (i < end && isDigit(buf[i])) i++;
    if (i !== end || i === fracStart || buf[end - 1] === ZERO) return false;
    if (significant === 0) {
      let z = fracStart;
      while (buf[z] === ZERO) z++;
      if (z - fracStart >= 6) return false; // 0.0000001 reads back as 1e-7
      significant = end - z;
    } else significant += end - fracStart;
  }
  if (significant > 15) return false;
  return !(significant === 0 && buf[start] === MINUS);
}

/** A plain decimal's value ([-]digits[.digits]); NaN for anything else (an exponent). */
function decimalAt(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  const negative = buf[i] === MINUS;
  if (negative) i++;
  let value = 0;
  let digits = 0;
  while (i < end && isDigit(buf[i])) (value = value * 10 + (buf[i] - 48)), i++, digits++;
  if (i < end && buf[i] === DOT) {
    i++;
    let scale = 1;
    let fraction = 0;
    while (i < end && isDigit(buf[i])) (fraction = fraction * 10 + (buf[i] - 48)), (scale *= 10), i++, digits++;
    value += fraction / scale;
  }
  if (i !== end || digits === 0) return NaN;
  return negative ? -value : value;
}

/** The CSV's sink: each row with a value as one record of `width` fields (more when values lie right of the header). */
class CsvWriter implements CellSink {
  readonly out = new Bytes(1 << 21);
  readonly rows = new RowNumbers();
  private at = 0;
  private rowStart = 0;
  private readonly ctx: SheetContext;
  private readonly kinds: Kind[];
  private readonly width: number;
  private readonly headerRow: number;
  constructor(ctx: SheetContext, kinds: Kind[], width: number, headerRow: number) {
    this.ctx = ctx;
    this.kinds = kinds;
    this.width = width;
    this.headerRow = headerRow;
  }
  startRow(): void {
    this.at = 0;
    this.rowStart = this.out.pos;
  }
  cell(buf: Uint8Array, column: number, type: number, style: number, start: number, end: number): void {
    if (start === end && type !== T.inlineStr) return;
    if (column < this.at) return; // two cells with one reference: the first is kept
    const out = this.out;
    const mark = out.pos;
    const separators = column - this.at + (this.at > 0 ? 1 : 0);
    if (separators) out.repeat(COMMA, separators);
    const valueStart = out.pos;
    const kind = this.kinds[column] ?? Kind.Other;
    if (type === T.s) {
      const index = integerAt(buf, start);
      if (!(index >= 0 && index < this.ctx.strings.count)) throw new Damaged(`a cell refers to shared string ${latin1(buf, start, end)}, which the workbook does not have`);
      this.ctx.strings.writeCsv(out, index);
    } else if (type !== T.n || !this.number(buf, style, start, end, kind)) {
      out.text(csvField(cellString(this.ctx, buf, type, style, start, end, kind)));
    }
    if (out.pos === valueStart) {
      out.pos = mark; // an empty value: no field
      return;
    }
    this.at = column + 1;
  }
  /** A number cell the fast way (copied, or a date written digit by digit); false for the slow path. */
  private number(buf: Uint8Array, style: number, start: number, end: number, kind: Kind): boolean {
    const out = this.out;
    if (kind === Kind.Id) {
      // an integer of at most 15 digits is its own integer text
      let i = start;
      if (buf[i] === MINUS) i++;
      const digits = end - i;
      if (digits < 1 || digits > 15 || (buf[i] === ZERO && digits > 1)) return false;
      for (let k = i; k < end; k++) if (!isDigit(buf[k])) return false;
      out.copy(buf, start, end);
      return true;
    }
    const format = style >= 0 ? this.ctx.styles.dateFormats[style] : null;
    if (format || kind === Kind.Datetime || kind === Kind.Date) {
      const value = decimalAt(buf, start, end);
      if (!(value === value)) return false;
      const date1904 = this.ctx.date1904;
      if (!date1904 && value < 61) return false;
      if (format && value >= 0 && value < MAX_SERIAL) {
        writeSerial(out, value, date1904, kind === Kind.Date ? false : kind === Kind.Datetime ? true : format === 'datetime' || value !== Math.floor(value));
        return true;
      }
      if (!format && value >= 10_000 && value < MAX_SERIAL) {
        writeSerial(out, value, date1904, kind === Kind.Datetime);
        return true;
      }
    }
    if (!plainNumber(buf, start, end)) return false;
    out.copy(buf, start, end);
    return true;
  }
  endRow(r: number): boolean {
    const out = this.out;
    if (this.at === 0 || r <= this.headerRow) {
      out.pos = this.rowStart;
      return true;
    }
    if (this.at < this.width) out.repeat(COMMA, this.width - this.at);
    out.byte(NEWLINE);
    this.rows.push(r);
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// CSV

const NEEDS_QUOTES = /[",\r\n]/;

function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
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

/**
 * A cell of the first rows as a header: a line break typed into a header cell (Alt+Enter) joins
 * its parts, without a space between Chinese ("入群\n时间" → 入群时间), with one between Latin
 * words ("join\ntime" → "join time"). The CSV path reads its header from one line.
 */
export function headerText(cell: string): string {
  if (!/[\r\n]/.test(cell)) return cell;
  return cell.replace(/[ \t]*[\r\n]+[ \t]*/g, (_, at: number, whole: string) => {
    const before = whole.slice(0, at).slice(-1);
    const after = whole.slice(at).replace(/^\s+/, '').charAt(0);
    return /[\x00-\x7f]/.test(before) && /[\x00-\x7f]/.test(after) ? ' ' : '';
  }).trim();
}

async function firstRows(wb: Workbook, sheet: SheetInfo): Promise<{ rows: string[][]; empty: boolean }> {
  const collector = new CellCollector(wb.ctx);
  await streamRows(wb, sheet, collector);
  return { rows: collector.rows.map((row) => row.map(headerText)), empty: collector.empty };
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

/** The CSV is handed on in pieces of about this many bytes. */
const PIECE = 1 << 20;

/**
 * The sheet as CSV bytes (UTF-8, LF), handed to `write` piece by piece (the header line first),
 * and its row map. Every problem that makes the workbook unusable is an InputError naming `file`.
 */
export async function convertWorkbook(src: ArchiveSource, options: WorkbookSheetOptions & { file: string }, write: (bytes: Uint8Array) => void | Promise<void>): Promise<WorkbookSheet> {
  const file = options.file;
  try {
    const wb = await openWorkbook(src);
    const chosen = await chooseSheet(wb, options, file);
    const headerRow = chosen.headerIndex + 1;
    const kinds = options.columnKinds(chosen.headers).map(kindCode);
    const writer = new CsvWriter(wb.ctx, kinds, chosen.headers.length, headerRow);
    writer.out.text(`${chosen.headers.map(csvField).join(',')}\n`);
    const flush = async (all: boolean) => {
      const out = writer.out;
      if (out.pos === 0 || (!all && out.pos < PIECE)) return;
      const piece = out.buf.slice(0, out.pos);
      out.pos = 0;
      await write(piece);
    };
    await streamRows(wb, chosen.sheet, writer, () => flush(false));
    await flush(true);
    return { sheet: chosen.sheet.name, headerRow, headers: chosen.headers, rows: writer.rows.take(), skipped: chosen.skipped };
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
  const pieces: Uint8Array[] = [];
  let total = 0;
  const sheet = await convertWorkbook(bytesSource(bytes), { ...options, file: options.file ?? 'the workbook' }, (piece) => {
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
