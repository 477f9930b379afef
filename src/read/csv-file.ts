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

import { isAscii, isUtf8 } from 'node:buffer';
import { lineTranscoder, readsAsGb18030, type ByteTests } from './csv-decode.ts';
import { CsvScanner, Eraser, linesAtOffsetsOf, type CsvLayout } from './csv-scan.ts';
import { detectEncoding, headerOf, type CsvEncoding } from './csv-text.ts';

/** Bytes read at a time from an input file (streams and the scan alike). */
const READ_CHUNK = 4 << 20;


export interface CsvSniff {
  encoding: CsvEncoding;
  /** the first bytes did not tell the encoding (csv-text.ts detectEncoding) */
  encodingGuessed: boolean;
  delimiter: string;
  headers: string[];
  /** the physical line of the header (title and note lines above it are skipped) */
  headerLine: number;
  /** the header holds every required column (`fits`); false: the first line that is not empty */
  fits: boolean;
}

const SNIFF_BYTES = 1 << 20;

/** Read the start of a file: encoding, and the header (the first of 10 lines that `fits`), its delimiter and fields. */
export async function sniffCsv(path: string, fits: (fields: string[]) => boolean = () => true): Promise<CsvSniff> {
  const handle = await open(path, 'r');
  let prefix: Buffer;
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    prefix = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const { encoding, guessed, text } = detectEncoding(prefix, { wholeFile: prefix.length < SNIFF_BYTES });
  const header = headerOf(text, fits);
  return { encoding, encodingGuessed: guessed, delimiter: header.delimiter, headers: header.headers, headerLine: header.line, fits: header.fits };
}

/**
 * Copy a GB18030 or UTF-16 file as UTF-8, streaming; the original is left untouched. Decoding
 * is strict (csv-decode.ts): the lines with bytes invalid in the encoding are returned with what was wrong.
 */
export async function transcodeToUtf8(source: string, target: string, encoding: Exclude<CsvEncoding, 'utf-8'>): Promise<Map<number, string>> {
  const transcoder = lineTranscoder(encoding, NODE_BYTES);
  await pipeline(
    createReadStream(source, { highWaterMark: READ_CHUNK }),
    new Transform({
      transform: (chunk: Buffer, _enc, done) => done(null, transcoder.push(chunk)),
      flush: (done) => done(null, transcoder.finish()),
    }),
    createWriteStream(target),
  );
  return transcoder.invalid;
}

/** Node's native byte checks (the browser uses csv-decode.ts's). */
export const NODE_BYTES: ByteTests = { isUtf8, isAscii };

export interface FileScanOptions {
  delimiter: string;
  headerFields: number;
  /** the physical line the header starts on */
  headerAt?: number;
  /** the file is the operator's UTF-8 (not a copy this program wrote): check every record */
  validateUtf8: boolean;
  /** weigh the records' encoding (csv-scan.ts ScanOptions.weigh) */
  weigh?: 'sample' | 'every';
  invalidLines?: ReadonlyMap<number, string>;
}

/** The layout of a file as DuckDB will read it (csv-scan.ts), streamed. */
export async function scanCsvFile(path: string, options: FileScanOptions): Promise<CsvLayout> {
  const scanner = new CsvScanner({
    delimiter: options.delimiter.charCodeAt(0),
    headerFields: options.headerFields,
    headerAt: options.headerAt,
    validateUtf8: options.validateUtf8,
    isUtf8,
    isAscii,
    alloc: (size) => Buffer.allocUnsafe(size),
    weigh: options.weigh,
    readsAsGb18030,
    invalidLines: options.invalidLines,
  });
  // one buffer, reused (push copies what it keeps): a read stream's new 4 MiB buffer per chunk
  // faulted its pages in again, 1.3-2.0 s against 0.7-0.8 s for the benchmark's messages.csv
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafeSlow(READ_CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, null);
      if (bytesRead === 0) break;
      scanner.push(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return scanner.finish();
}

/** The copy of a file DuckDB reads: rejected records left out but for their line breaks, lone CRs as LF where needed (csv-scan.ts Eraser). */
export async function writeErasedCopy(source: string, target: string, layout: Pick<CsvLayout, 'erase' | 'loneCrs'>): Promise<void> {
  const eraser = new Eraser(layout.erase, layout.loneCrs);
  await pipeline(
    createReadStream(source, { highWaterMark: READ_CHUNK }),
    new Transform({ transform: (chunk: Buffer, _enc, done) => done(null, eraser.push(chunk)) }),
    createWriteStream(target),
  );
}

/** Physical line (1-based) at each byte offset of a file, by the scan's line breaks (CR LF, LF, lone CR). */
export async function linesAtOffsets(path: string, offsets: readonly number[]): Promise<Map<number, number>> {
  if (!offsets.length) return new Map();
  return linesAtOffsetsOf(createReadStream(path, { highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>, offsets);
}
