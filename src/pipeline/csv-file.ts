/**
 * What DuckDB's CSV reader needs from us and cannot do itself here:
 *  - encoding: UTF-8 with or without BOM is read directly; GB18030/GBK and UTF-16 are
 *    transcoded to a UTF-8 copy in the work folder (DuckDB's own encodings extension is a
 *    download this network cannot make). The input file is never modified.
 *  - the header, so aliases can be mapped before DuckDB reads the rows;
 *  - physical line numbers: DuckDB numbers records, not lines, so records that span lines
 *    (quoted newlines), skipped blank lines and rejected records shift the count. We find those
 *    few places and turn them into breakpoints; the common file has none and costs one scan.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

import { detectDelimiter, detectEncoding, headerLine, parseCsvLine, type CsvEncoding } from './csv-text.ts';

export { detectDelimiter, detectEncoding, parseCsvLine, type CsvEncoding } from './csv-text.ts';

export interface CsvSniff {
  encoding: CsvEncoding;
  /** The prefix read was plain ASCII: the encoding was not actually observed. */
  asciiOnlyPrefix: boolean;
  delimiter: string;
  headers: string[];
}

const SNIFF_BYTES = 1 << 20;

/** Read the start of a file: encoding, delimiter, header fields. */
export async function sniffCsv(path: string): Promise<CsvSniff> {
  const handle = await open(path, 'r');
  let prefix: Buffer;
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    prefix = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const { encoding, asciiOnly, text } = detectEncoding(prefix);
  const firstLine = headerLine(text);
  const delimiter = detectDelimiter(firstLine);
  const headers = parseCsvLine(firstLine, delimiter);
  return { encoding, asciiOnlyPrefix: asciiOnly, delimiter, headers };
}

/** Copy a file as UTF-8, streaming; the original is left untouched. */
export async function transcodeToUtf8(source: string, target: string, encoding: CsvEncoding): Promise<void> {
  const decoder = new TextDecoder(encoding);
  let first = true;
  const toUtf8 = new Transform({
    transform(chunk: Buffer, _enc, done) {
      let bytes: Uint8Array = chunk;
      if (first && encoding !== 'utf-8') {
        // drop the byte-order mark: TextDecoder would keep it as U+FEFF otherwise
        if ((encoding === 'utf-16le' && bytes[0] === 0xff && bytes[1] === 0xfe) || (encoding === 'utf-16be' && bytes[0] === 0xfe && bytes[1] === 0xff)) bytes = bytes.subarray(2);
      }
      first = false;
      done(null, Buffer.from(decoder.decode(bytes, { stream: true }), 'utf8'));
    },
    flush(done) {
      done(null, Buffer.from(decoder.decode(), 'utf8'));
    },
  });
  await pipeline(createReadStream(source, { highWaterMark: 4 << 20 }), toUtf8, createWriteStream(target));
}

const NL = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

export interface LineShape {
  /** physical line numbers (1-based) of the empty lines DuckDB skips, before the last record */
  blankLines: number[];
  /** any quote character at all: without one no record can span lines */
  hasQuotes: boolean;
}

/**
 * The empty lines DuckDB skips ("\n\n", "\n\r\n") outside quoted fields, before the last
 * record, and whether the file has a quote character. A fast indexOf scan finds candidates;
 * only when there are some does a precise, quote-aware pass count lines.
 */
export async function lineShape(path: string): Promise<LineShape> {
  let pending = false; // a candidate was seen; does a record follow it?
  let needPrecise = false;
  let hasQuotes = false;
  let tail: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
    if (!hasQuotes) hasQuotes = chunk.indexOf(QUOTE) >= 0;
    const buf = tail.length ? Buffer.concat([tail, chunk]) : chunk;
    const a = buf.indexOf('\n\n');
    const b = buf.indexOf('\n\r\n');
    const firstCandidate = a < 0 ? b : b < 0 ? a : Math.min(a, b);
    const lastContent = lastNonBlankByte(buf);
    if ((pending && lastContent >= 0) || (firstCandidate >= 0 && lastContent > firstCandidate)) {
      needPrecise = true;
      break;
    }
    if (firstCandidate >= 0) pending = true;
    tail = buf.subarray(Math.max(0, buf.length - 2));
  }
  return needPrecise ? preciseLineShape(path) : { blankLines: [], hasQuotes };
}

function lastNonBlankByte(buf: Buffer): number {
  for (let i = buf.length - 1; i >= 0; i--) {
    const byte = buf[i];
    if (byte !== NL && byte !== CR && byte !== 0x20 && byte !== 0x09) return i;
  }
  return -1;
}

async function preciseLineShape(path: string): Promise<LineShape> {
  const blanks: number[] = [];
  let line = 1;
  let quoted = false;
  let hasQuotes = false;
  let lineHasContent = false;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === QUOTE) {
        quoted = !quoted;
        hasQuotes = true;
        lineHasContent = true;
      } else if (byte === NL) {
        if (!quoted && !lineHasContent && line > 1) blanks.push(line);
        line++;
        lineHasContent = false;
      } else if (byte !== CR) lineHasContent = true;
    }
  }
  // blank lines after the last record do not shift any record
  let lastContentLine = line - (lineHasContent ? 0 : 1);
  while (blanks.length && blanks[blanks.length - 1] >= lastContentLine) {
    blanks.pop();
    lastContentLine--;
  }
  return { blankLines: blanks, hasQuotes };
}

/** Physical line (1-based) at each byte offset; offsets need not be sorted. */
export async function linesAtOffsets(path: string, offsets: readonly number[]): Promise<Map<number, number>> {
  const wanted = [...new Set(offsets)].sort((x, y) => x - y);
  const result = new Map<number, number>();
  if (!wanted.length) return result;
  let line = 1;
  let position = 0;
  let k = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
    let from = 0;
    while (k < wanted.length && wanted[k] < position + chunk.length) {
      const until = wanted[k] - position;
      for (let i = chunk.indexOf(NL, from); i >= 0 && i < until; i = chunk.indexOf(NL, i + 1)) {
        line++;
        from = i + 1;
      }
      from = Math.max(from, until);
      result.set(wanted[k], line);
      k++;
    }
    if (k >= wanted.length) break;
    for (let i = chunk.indexOf(NL, from); i >= 0; i = chunk.indexOf(NL, i + 1)) line++;
    position += chunk.length;
  }
  return result;
}

export interface LineBreakpoint {
  /** first row (0-based, in the order DuckDB stored the accepted records) this applies to */
  fromRow: number;
  /** line = row + 2 + offset, for rows from here to the next breakpoint */
  offset: number;
}

/**
 * Where stored rows stop sitting on line `row + 2` (header on line 1).
 * `multiLine`: stored rows whose record spans `extra` more lines (quoted newlines).
 * `skipLines`: physical lines holding no stored row (blank lines, rejected records).
 */
export function lineBreakpoints(
  multiLine: readonly { row: number; extra: number }[],
  skipLines: readonly number[],
): LineBreakpoint[] {
  const multi = [...multiLine].filter((m) => m.extra > 0).sort((a, b) => a.row - b.row);
  const skips = [...skipLines].sort((a, b) => a - b);
  const result: LineBreakpoint[] = [];
  let offset = 0;
  let i = 0;
  let j = 0;
  while (i < skips.length || j < multi.length) {
    // the row that would otherwise sit on the next skipped line moves down one line
    const rowAtSkip = i < skips.length ? skips[i] - 2 - offset : Infinity;
    // rows after a multi-line record move down by its extra lines
    const rowAfterMulti = j < multi.length ? multi[j].row + 1 : Infinity;
    let at: number;
    if (rowAtSkip <= rowAfterMulti) {
      offset += 1;
      at = Math.max(0, rowAtSkip);
      i++;
    } else {
      offset += multi[j].extra;
      at = rowAfterMulti;
      j++;
    }
    const last = result[result.length - 1];
    if (last && last.fromRow === at) last.offset = offset;
    else result.push({ fromRow: at, offset });
  }
  return result;
}

/** Apply breakpoints to one row (the SQL version is in read.ts; this one is for tests and rejects). */
export function lineOfRow(row: number, breakpoints: readonly LineBreakpoint[]): number {
  let offset = 0;
  for (const b of breakpoints) {
    if (b.fromRow <= row) offset = b.offset;
    else break;
  }
  return row + 2 + offset;
}
