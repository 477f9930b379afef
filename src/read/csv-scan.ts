import { likelierEncoding } from './csv-text.ts';

/**
 * The physical layout of a CSV file, read the way DuckDB's CSV reader reads it (quote and
 * escape '"', strict mode off), so every line of the file is accounted for: the header, the
 * records DuckDB will read, blank lines, the continuation lines of quoted fields that span
 * lines, and the records that cannot be read as written, which are rejected here with their
 * line and erased (line breaks kept) from the copy DuckDB reads:
 *
 *  - unclosed quote: a quote that does not close within its record (before the end of the
 *    file, within MAX_RECORD_BYTES, or before a line that is a record of its own: one with
 *    the header's number of fields), or that closes on a later line followed by text;
 *    reported at the line where it opened, and reading resumes on the next line. DuckDB
 *    would read the rest of the file as one field.
 *  - text after a closing quote (`"ab"c`): DuckDB would drop the text silently.
 *  - a record over MAX_RECORD_BYTES (DuckDB's own limit is 2 MB).
 *  - bytes that are not UTF-8 (the copy DuckDB reads is always UTF-8).
 *
 * DuckDB's rules, as measured on 1.5 (tests/read/csv-scan.test.ts holds each case): a
 * quote opens a quoted field only at the start of a field or after exactly one space;
 * elsewhere it is a plain character; spaces and tabs after a closing quote are dropped; CR LF,
 * LF and a lone CR each end a line; an empty line is skipped; a line of spaces is a record.
 *
 * Hand-written, browser-safe (the CSV preview uses it too): no CSV library reproduces DuckDB's
 * record boundaries and physical line numbers, and this one streams bytes with indexOf.
 */

export const MAX_RECORD_BYTES = 1_000_000;

export type ScanRejectKind = 'unclosed-quote' | 'text-after-quote' | 'too-long' | 'invalid-utf8' | 'invalid-encoding';

export interface ScanReject {
  /** the line the operator is pointed to (where the quote opened; else the record's first line) */
  line: number;
  /** the lines erased from the copy DuckDB reads */
  firstLine: number;
  lastLine: number;
  kind: ScanRejectKind;
  /** invalid-utf8: the bytes read as GB18030 (two exports of different encodings joined) */
  readsAsGb18030?: boolean;
  /** invalid-encoding (found while transcoding): what was wrong */
  detail?: string;
}

export interface CsvLayout {
  /** physical lines: line breaks, plus one for a last line without a break */
  lines: number;
  /** lines of the header record and of the rows above it (title and note rows, blank lines) */
  headerLines: number;
  /** rows (and blank lines) above the header: read_csv's skip */
  skipRecords: number;
  /** records DuckDB reads: every record after the header that is not rejected here */
  records: number;
  blankLines: number;
  /** lines after the first of a record that spans lines (read or rejected) */
  continuationLines: number;
  rejected: ScanReject[];
  /** Line ranges after the header where no read record starts, sorted: [from, to, from, to, …] (inclusive). */
  skips: number[];
  /** some read record spans lines (DuckDB reads such a file on one thread) */
  multiLine: boolean;
  hasQuotes: boolean;
  /** byte ranges [start, end) of rejected records with their line break, erased in the copy DuckDB reads (its line breaks kept, as LF) */
  erase: number[];
  /**
   * Offsets of the lone CRs that end the header, read records and blank lines. In a copy
   * they are written as LF: DuckDB 1.5 reads a lone CR as CR LF once it has met a CR LF, and
   * drops the byte after it; a copy with erased lines written as LF could make that CR LF.
   */
  loneCrs: number[];
  /** the file has a CR LF somewhere: DuckDB must not read its lone CRs (loneCrs) as they are */
  crLf: boolean;
  /** when the encoding was a guess: read records with non-ASCII bytes likelier UTF-8, and likelier GB18030 (the first 1,000) */
  utf8Records: number;
  gbRecords: number;
  /** the header row itself could not be read (e.g. an unclosed quote in it) */
  headerRejected?: ScanRejectKind;
}

export interface ScanOptions {
  /** the delimiter byte */
  delimiter: number;
  /** fields in the header row (a line inside quotes with this many fields is a record of its own) */
  headerFields: number;
  /** check that records are UTF-8 (the file DuckDB reads); off for a copy this program wrote */
  validateUtf8: boolean;
  isUtf8(bytes: Uint8Array): boolean;
  isAscii(bytes: Uint8Array): boolean;
  /**
   * Weigh the encoding of records with non-ASCII bytes (csv-text.ts likelierEncoding):
   * 'sample' counts the first 1,000 (the sniff could not tell the encoding); 'every' also
   * rejects each that reads likelier as GB18030 (a UTF-8 file with GB18030 rows in it, some of
   * them valid UTF-8 by chance: 群 alone is Ⱥ).
   */
  weigh?: 'sample' | 'every';
  /** true when bytes that are not UTF-8 decode as GB18030 without error */
  readsAsGb18030?(bytes: Uint8Array): boolean;
  /**
   * Makes the scan's buffer (Node: Buffer.allocUnsafe, whose indexOf is a native search many
   * times faster than a Uint8Array's)
   */
  alloc?(size: number): Uint8Array;
  /** lines a transcoder found invalid in the file's encoding, with what was wrong: their records are rejected */
  invalidLines?: ReadonlyMap<number, string>;
  maxRecordBytes?: number;
  /** the physical line the header starts on (title and note rows above it: csv-text.ts headerOf); default 1 */
  headerAt?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const SPACE = 0x20;
const TAB = 0x09;

/** A place in the file: an absolute byte offset, on this line. */
interface Position {
  start: number;
  line: number;
}

/**
 * Streams a file's bytes through `push` and `finish`. Keeps only the unfinished record (at
 * most MAX_RECORD_BYTES plus one chunk) in memory; a record is reread from its start when
 * more bytes come.
 */
export class CsvScanner {
  readonly #o: ScanOptions & { maxRecordBytes: number; headerAt: number };
  /** bytes from `#base` on: the unfinished record and what follows (the start of #store) */
  #buf: Uint8Array = new Uint8Array(0);
  #store: Uint8Array = new Uint8Array(0);
  #base = 0;
  /** where the scan resumes: a record (or the header) starts at this absolute byte offset, on this line */
  #atStart = 0;
  #atLine = 1;
  #header = true;
  #breaks = 0;
  #crLf = false;
  #lastByte = -1;
  #invalidLines: number[];
  #invalidAt = 0;
  /** an unquoted record that outgrew the limit: rejected up to the end of its line */
  #skipping: Position | null = null;
  /** #buf[.. #validTo) is known valid UTF-8; #buf[.. #checkedTo) has been checked as a region */
  #validTo = 0;
  #checkedTo = 0;
  /** #buf[.. #asciiTo) is plain ASCII */
  #asciiTo = 0;
  /** next CR / quote at or after #crFrom / #quoteFrom (-1: none), so a file without them costs one search per buffer */
  #cr = -1;
  #crFrom = Infinity;
  #quote = -1;
  #quoteFrom = Infinity;
  readonly layout: CsvLayout = {
    lines: 0,
    headerLines: 0,
    skipRecords: 0,
    records: 0,
    blankLines: 0,
    continuationLines: 0,
    rejected: [],
    skips: [],
    multiLine: false,
    hasQuotes: false,
    erase: [],
    loneCrs: [],
    crLf: false,
    utf8Records: 0,
    gbRecords: 0,
  };

  constructor(options: ScanOptions) {
    this.#o = { ...options, maxRecordBytes: options.maxRecordBytes ?? MAX_RECORD_BYTES, headerAt: options.headerAt ?? 1 };
    this.#invalidLines = [...(options.invalidLines?.keys() ?? [])].sort((a, b) => a - b);
  }

  push(chunk: Uint8Array): void {
    if (!chunk.length) return;
    this.#countBreaks(chunk);
    // the unfinished record, then the new bytes, in one buffer that is reused while it is large enough
    const keepFrom = Math.min(this.#atStart - this.#base, this.#buf.length);
    const keep = this.#buf.length - keepFrom;
    if (this.#store.length < keep + chunk.length) {
      const size = Math.max(keep + chunk.length, 2 * this.#store.length);
      const store = this.#o.alloc?.(size) ?? new Uint8Array(size);
      store.set(this.#buf.subarray(keepFrom));
      this.#store = store;
    } else this.#store.copyWithin(0, keepFrom, keepFrom + keep);
    this.#store.set(chunk, keep);
    this.#base = this.#atStart;
    this.#buf = this.#store.subarray(0, keep + chunk.length);
    this.#validTo = this.#checkedTo = this.#asciiTo = 0;
    this.#crFrom = this.#quoteFrom = Infinity;
    this.#run(false);
  }

  finish(): CsvLayout {
    this.#run(true);
    this.layout.lines = this.#breaks + (this.#lastByte >= 0 && this.#lastByte !== LF && this.#lastByte !== CR ? 1 : 0);
    this.layout.crLf = this.#crLf;
    this.#buf = this.#store = new Uint8Array(0);
    return this.layout;
  }

  /** Line breaks, counted apart from the records: the reconciliation's other side. */
  #countBreaks(chunk: Uint8Array): void {
    let n = 0;
    for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) n++;
    // a CR LF split between chunks is one break: the CR was counted at the end of the last one
    if (this.#lastByte === CR && chunk[0] === LF) n--;
    for (let i = chunk.indexOf(CR); i >= 0; i = chunk.indexOf(CR, i + 1)) {
      if (chunk[i + 1] !== LF) n++;
      else this.#crLf = true;
    }
    if (this.#lastByte === CR && chunk[0] === LF) this.#crLf = true;
    this.#breaks += n;
    this.#lastByte = chunk[chunk.length - 1];
  }

  #nextCr(from: number): number {
    if (from < this.#crFrom || (this.#cr >= 0 && this.#cr < from)) {
      this.#cr = this.#buf.indexOf(CR, from);
      this.#crFrom = from;
    }
    return this.#cr;
  }

  #nextQuote(from: number): number {
    if (from < this.#quoteFrom || (this.#quote >= 0 && this.#quote < from)) {
      this.#quote = this.#buf.indexOf(QUOTE, from);
      this.#quoteFrom = from;
    }
    return this.#quote;
  }

  /** The next line break (LF, or CR) at or after `from`; -1 if none. */
  #nextBreak(from: number): number {
    const lf = this.#buf.indexOf(LF, from);
    const cr = this.#nextCr(from);
    if (cr < 0) return lf;
    if (lf < 0) return cr;
    return cr < lf ? cr : lf;
  }

  /** Bytes of the line break at `at` (2 for CR LF); 0 when a CR ends the buffer and the file goes on. */
  #breakLength(at: number, eof: boolean): number {
    const buf = this.#buf;
    if (buf[at] !== CR) return 1;
    if (at + 1 < buf.length) return buf[at + 1] === LF ? 2 : 1;
    return eof ? 1 : 0;
  }

  #run(eof: boolean): void {
    const buf = this.#buf;
    for (;;) {
      const at = this.#atStart - this.#base;
      if (at >= buf.length) {
        // an over-long last line without a line break ends with the file
        if (eof && this.#skipping) this.#rejectSkipped(this.#base + buf.length, 0);
        return;
      }
      if (this.#skipping) {
        const end = this.#nextBreak(at);
        const length = end < 0 ? 0 : this.#breakLength(end, eof);
        if (end < 0 && eof) this.#rejectSkipped(this.#base + buf.length, 0);
        else if (end < 0 || length === 0) {
          // its line goes on in the next bytes: drop what was read (the erase range keeps the start)
          this.#atStart = this.#base + (end < 0 ? buf.length : end);
          return;
        } else this.#rejectSkipped(this.#base + end, length);
        continue;
      }
      if (this.#plainRecords(at)) continue;
      if (!this.#record(at, eof)) {
        if (buf.length - at <= this.#o.maxRecordBytes) return;
        // no end within the limit: one over-long line
        this.#skipping = { start: this.#atStart, line: this.#atLine };
      }
    }
  }

  /**
   * The common case, fast: records that are one line ending in LF, with no quote or CR up to
   * it. A run of them that is valid UTF-8, not weighed and free of blank, over-long and invalid
   * lines is counted in one go; anything else goes record by record. True when it read any
   * (the loop then goes on from the next record).
   */
  #plainRecords(at: number): boolean {
    if (this.#header) return false;
    const buf = this.#buf;
    const q = this.#nextQuote(at);
    const cr = this.#nextCr(at);
    const limit = Math.min(q < 0 ? buf.length : q, cr < 0 ? buf.length : cr);
    const max = this.#o.maxRecordBytes;
    const simple = !this.#o.weigh;
    let start = at;
    let n = 0;
    let lf = buf.indexOf(LF, start);
    for (; simple && lf >= 0 && lf < limit && lf > start && lf - start <= max; lf = buf.indexOf(LF, start)) {
      start = lf + 1;
      n++;
    }
    if (n > 0 && (!this.#o.validateUtf8 || this.#validRun(at, start)) && !this.#invalidWithin(this.#atLine, this.#atLine + n - 1)) {
      this.layout.records += n;
      this.#atStart = this.#base + start;
      this.#atLine += n;
    } else {
      start = at;
      lf = buf.indexOf(LF, start);
    }
    for (; lf >= 0 && lf < limit; lf = buf.indexOf(LF, start)) {
      const line = this.#atLine;
      this.#endRecord(start, lf, 1, line, line);
      start = lf + 1;
    }
    return start > at;
  }

  /** [at, end) is valid UTF-8 (whole lines), checked at once. */
  #validRun(at: number, end: number): boolean {
    if (end <= this.#validTo) return true;
    if (!this.#o.isUtf8(this.#buf.subarray(at, end))) return false;
    this.#validTo = end;
    return true;
  }

  /** An invalid line (named by the transcoder) among lines from…to. */
  #invalidWithin(from: number, to: number): boolean {
    const list = this.#invalidLines;
    let i = this.#invalidAt;
    while (i < list.length && list[i] < from) i++;
    return i < list.length && list[i] <= to;
  }

  #rejectSkipped(end: number, breakBytes: number): void {
    const s = this.#skipping!;
    this.#reject({ line: s.line, firstLine: s.line, lastLine: s.line, kind: 'too-long' }, s.start, end + breakBytes);
    this.#skipping = null;
    this.#atStart = end + breakBytes;
    this.#atLine = s.line + 1;
  }

  /**
   * Read one record from `at`. False when more bytes are needed (the record is reread from
   * its start with them); true when the record was handled and #at moved past it.
   */
  #record(at: number, eof: boolean): boolean {
    const buf = this.#buf;
    const delimiter = this.#o.delimiter;
    const startLine = this.#atLine;
    let line = startLine;
    let pos = at;
    for (;;) {
      // unquoted: to the next line break or quote
      const q = this.#nextQuote(pos);
      const br = this.#nextBreak(pos);
      if (br >= 0 && (q < 0 || br < q)) {
        const length = this.#breakLength(br, eof);
        if (length === 0) return false;
        return this.#endRecord(at, br, length, startLine, line);
      }
      if (q < 0) return eof ? this.#endRecord(at, buf.length, 0, startLine, line) : false;
      this.layout.hasQuotes = true;
      // a quote opens a quoted field only at the start of a field, or after one space
      let before = q - 1;
      if (before >= at && buf[before] === SPACE) before--;
      if (before >= at && buf[before] !== delimiter) {
        pos = q + 1;
        continue;
      }
      // a quoted field: to its closing quote, counting the lines it spans
      const openLine = line;
      let firstBreak = -1;
      let firstBreakEnd = -1;
      let lineStart = q + 1;
      let p = q + 1;
      for (;;) {
        const close = this.#nextQuote(p);
        const limit = close < 0 ? buf.length : close;
        for (let b = this.#nextBreak(lineStart > p ? lineStart : p); b >= 0 && b < limit; b = this.#nextBreak(b + 1)) {
          const length = this.#breakLength(b, eof);
          if (length === 0) return false;
          if (firstBreak < 0) {
            firstBreak = b;
            firstBreakEnd = b + length;
          } else if (this.#looksLikeRecord(lineStart, b)) {
            // A line inside the quotes is a record of its own: the quote never closed. (A
            // value spanning lines rarely holds a line with the header's number of fields;
            // rows swallowed silently would be worse than one such value rejected.)
            return this.#unclosed(at, startLine, openLine, firstBreak, firstBreakEnd);
          }
          line++;
          lineStart = b + length;
          b += length - 1;
        }
        if (close < 0) {
          if (buf.length - at <= this.#o.maxRecordBytes && !eof) return false;
          if (firstBreak >= 0) return this.#unclosed(at, startLine, openLine, firstBreak, firstBreakEnd);
          // the quote's own line has no end within the limit, or the file ends on it
          if (!eof) return false;
          return this.#rejectRecord(at, buf.length, 0, startLine, line, 'unclosed-quote', openLine);
        }
        if (close + 1 >= buf.length && !eof) return false;
        if (buf[close + 1] === QUOTE) {
          p = close + 2; // an escaped quote
          continue;
        }
        // after the closing quote: spaces or tabs, then a delimiter, a line break or the end
        let after = close + 1;
        while (after < buf.length && (buf[after] === SPACE || buf[after] === TAB)) after++;
        if (after >= buf.length) return eof ? this.#endRecord(at, buf.length, 0, startLine, line) : false;
        const next = buf[after];
        if (next === delimiter) {
          pos = after + 1;
          break;
        }
        if (next === LF || next === CR) {
          const length = this.#breakLength(after, eof);
          if (length === 0) return false;
          return this.#endRecord(at, after, length, startLine, line);
        }
        // text after the closing quote: on a later line, the quote was one that never closed
        if (line > openLine) return this.#unclosed(at, startLine, openLine, firstBreak, firstBreakEnd);
        const end = this.#nextBreak(after);
        if (end < 0) return eof ? this.#rejectRecord(at, buf.length, 0, startLine, line, 'text-after-quote', line) : false;
        const length = this.#breakLength(end, eof);
        if (length === 0) return false;
        return this.#rejectRecord(at, end, length, startLine, line, 'text-after-quote', line);
      }
    }
  }

  /** A line inside quotes that has the header's number of fields on its own. */
  #looksLikeRecord(from: number, to: number): boolean {
    const fields = this.#o.headerFields;
    if (fields < 3) return false; // with one or two fields, any line of prose would look like one
    if (countByte(this.#buf, this.#o.delimiter, from, to) < fields - 1) return false;
    return fieldCount(this.#buf, from, to, this.#o.delimiter) === fields;
  }

  /** Reject from the record's start to the end of the line where the quote opened; resume after it. */
  #unclosed(at: number, startLine: number, openLine: number, firstBreak: number, firstBreakEnd: number): boolean {
    this.#reject({ line: openLine, firstLine: startLine, lastLine: openLine, kind: 'unclosed-quote' }, this.#base + at, this.#base + firstBreakEnd);
    this.#atStart = this.#base + firstBreakEnd;
    this.#atLine = openLine + 1;
    return true;
  }

  #rejectRecord(at: number, end: number, breakBytes: number, startLine: number, lastLine: number, kind: ScanRejectKind, line: number): boolean {
    this.#reject({ line, firstLine: startLine, lastLine, kind }, this.#base + at, this.#base + end + breakBytes);
    this.#atStart = this.#base + end + breakBytes;
    this.#atLine = lastLine + 1;
    return true;
  }

  /** A complete record [at, end) on lines startLine…lastLine, followed by a break of breakBytes. */
  #endRecord(at: number, end: number, breakBytes: number, startLine: number, lastLine: number): boolean {
    const absStart = this.#base + at;
    const absEnd = this.#base + end;
    this.#atStart = absEnd + breakBytes;
    this.#atLine = lastLine + 1;
    if (breakBytes === 1 && this.#buf[end] === CR) this.layout.loneCrs.push(absEnd);
    if (this.#header) {
      // title and note rows (and blank lines) above the header are the header's lines too, and
      // rows read_csv skips
      this.layout.headerLines += lastLine - startLine + 1;
      if (startLine < this.#o.headerAt!) this.layout.skipRecords++;
      else this.#header = false;
      return true;
    }
    if (end === at) {
      this.layout.blankLines++;
      this.#skip(startLine, startLine);
      return true;
    }
    if (end - at > this.#o.maxRecordBytes) {
      this.#reject({ line: startLine, firstLine: startLine, lastLine, kind: 'too-long' }, absStart, absEnd + breakBytes);
      return true;
    }
    if (this.#holdsInvalidLine(startLine, lastLine)) {
      const invalid = this.#invalidLines[this.#invalidAt];
      this.#reject({ line: invalid, firstLine: startLine, lastLine, kind: 'invalid-encoding', detail: this.#o.invalidLines!.get(invalid) }, absStart, absEnd + breakBytes);
      return true;
    }
    const encoding = this.#o.validateUtf8 ? this.#encoding(at, end) : 'utf-8';
    if (encoding !== 'utf-8') {
      const readsAsGb18030 = encoding === 'gb18030' || (this.#o.readsAsGb18030?.(this.#buf.subarray(at, end)) ?? false);
      this.#reject({ line: startLine, firstLine: startLine, lastLine, kind: 'invalid-utf8', readsAsGb18030 }, absStart, absEnd + breakBytes);
      return true;
    }
    this.layout.records++;
    if (lastLine > startLine) {
      this.layout.multiLine = true;
      this.layout.continuationLines += lastLine - startLine;
      this.#skip(startLine + 1, lastLine);
    }
    return true;
  }

  /**
   * Is [at, end) UTF-8 ('utf-8'), not UTF-8 ('invalid'), or, when weighing every record, UTF-8
   * that reads likelier as GB18030 ('gb18030')? Validity is checked a region (to the buffer's
   * last line break) at a time, record by record only in a bad region.
   */
  #encoding(at: number, end: number): 'utf-8' | 'invalid' | 'gb18030' {
    if (end > this.#validTo) {
      const buf = this.#buf;
      let valid = false;
      if (end > this.#checkedTo) {
        let last = buf.length;
        while (last > end && buf[last - 1] !== LF && buf[last - 1] !== CR) last--;
        this.#checkedTo = last;
        const region = buf.subarray(at, last);
        if (this.#o.isUtf8(region)) {
          valid = true;
          this.#validTo = last;
          // a region of plain ASCII holds no evidence of an encoding
          this.#asciiTo = this.#o.weigh && this.#o.isAscii(region) ? last : 0;
        }
      }
      if (!valid && !this.#o.isUtf8(buf.subarray(at, end))) return 'invalid';
    }
    return this.#weigh(at, end);
  }

  /** Evidence of the encoding from a valid UTF-8 record with non-ASCII bytes (when weighing). */
  #weigh(at: number, end: number): 'utf-8' | 'gb18030' {
    const weigh = this.#o.weigh;
    if (!weigh || end <= this.#asciiTo) return 'utf-8';
    if (weigh === 'sample' && this.layout.utf8Records + this.layout.gbRecords >= 1000) return 'utf-8';
    const record = this.#buf.subarray(at, end);
    if (this.#o.isAscii(record)) return 'utf-8';
    const encoding = likelierEncoding(record);
    if (encoding === 'gb18030') {
      this.layout.gbRecords++;
      return weigh === 'every' ? 'gb18030' : 'utf-8';
    }
    if (encoding === 'utf-8') this.layout.utf8Records++;
    return 'utf-8';
  }

  #holdsInvalidLine(from: number, to: number): boolean {
    const list = this.#invalidLines;
    while (this.#invalidAt < list.length && list[this.#invalidAt] < from) this.#invalidAt++;
    return this.#invalidAt < list.length && list[this.#invalidAt] <= to;
  }

  #reject(reject: ScanReject, start: number, end: number): void {
    if (this.#header) {
      // the header itself cannot be read: nothing after it can be trusted
      this.#header = false;
      this.layout.headerLines = reject.lastLine - reject.firstLine + 1;
      this.layout.headerRejected = reject.kind;
      return;
    }
    this.layout.rejected.push(reject);
    this.layout.continuationLines += reject.lastLine - reject.firstLine;
    this.#skip(reject.firstLine, reject.lastLine);
    const erase = this.layout.erase;
    if (erase.length && erase[erase.length - 1] === start) erase[erase.length - 1] = end;
    else erase.push(start, end);
  }

  #skip(from: number, to: number): void {
    const skips = this.layout.skips;
    if (skips.length && skips[skips.length - 1] === from - 1) skips[skips.length - 1] = to;
    else skips.push(from, to);
  }
}

function countByte(buf: Uint8Array, byte: number, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(byte, from); i >= 0 && i < to; i = buf.indexOf(byte, i + 1)) n++;
  return n;
}

/** Fields of one line read alone, by DuckDB's rules (a quote opens a field only at its start). */
function fieldCount(buf: Uint8Array, from: number, to: number, delimiter: number): number {
  let fields = 1;
  let quoted = false;
  // bytes of the field so far (an opening quote may follow one space)
  let fieldBytes = 0;
  let spaces = 0;
  for (let i = from; i < to; i++) {
    const b = buf[i];
    if (quoted) {
      if (b === QUOTE) {
        if (i + 1 < to && buf[i + 1] === QUOTE) i++;
        else quoted = false;
      }
    } else if (b === delimiter) {
      fields++;
      fieldBytes = spaces = 0;
    } else {
      if (b === QUOTE && fieldBytes === spaces && spaces <= 1) quoted = true;
      if (b === SPACE) spaces++;
      fieldBytes++;
    }
  }
  return fields;
}

/**
 * Reconciliation: a file's lines are its header, its records (read or rejected), its blank
 * lines and its continuation lines. A difference means a line went unaccounted for.
 */
export function unaccountedLines(layout: CsvLayout): number {
  return layout.lines - (layout.headerLines + layout.records + layout.rejected.length + layout.blankLines + layout.continuationLines);
}

/** Where stored rows stop sitting right after the header: line = row + headerLines + 1 + offset. */
export interface LineBreakpoint {
  fromRow: number;
  offset: number;
}

/**
 * Breakpoints from the scan's skipped lines (plus lines of records DuckDB itself refused):
 * each skipped range moves the rows after it down by its length.
 */
export function breakpointsFromSkips(skips: readonly number[], headerLines: number, extraSkipLines: readonly number[] = []): LineBreakpoint[] {
  const ranges: [number, number][] = [];
  for (let i = 0; i < skips.length; i += 2) ranges.push([skips[i], skips[i + 1]]);
  for (const l of extraSkipLines) ranges.push([l, l]);
  ranges.sort((a, b) => a[0] - b[0]);
  const first = headerLines + 1;
  const result: LineBreakpoint[] = [];
  let offset = 0;
  for (const [from, to] of ranges) {
    const row = from - first - offset;
    offset += to - from + 1;
    const last = result[result.length - 1];
    if (last && last.fromRow === row) last.offset = offset;
    else result.push({ fromRow: Math.max(0, row), offset });
  }
  return result;
}

/** The line of a stored row, from breakpoints (the SQL version is an ASOF join in lines.ts). */
export function lineOfRow(row: number, breakpoints: readonly LineBreakpoint[], headerLines = 1): number {
  let offset = 0;
  for (const b of breakpoints) {
    if (b.fromRow <= row) offset = b.offset;
    else break;
  }
  return row + headerLines + 1 + offset;
}

/** Physical line (1-based) at each byte offset, by the scan's line breaks (CR LF, LF, lone CR). */
export async function linesAtOffsetsOf(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, offsets: readonly number[]): Promise<Map<number, number>> {
  const wanted = [...new Set(offsets)].sort((x, y) => x - y);
  const result = new Map<number, number>();
  let line = 1;
  let position = 0;
  let k = 0;
  let afterCr = false;
  for await (const chunk of chunks) {
    for (let i = 0; i < chunk.length && k < wanted.length; i++) {
      while (k < wanted.length && wanted[k] === position + i) result.set(wanted[k++], line);
      const b = chunk[i];
      if (b === LF) {
        if (!afterCr) line++;
        afterCr = false;
      } else if (b === CR) {
        line++;
        afterCr = true;
      } else afterCr = false;
    }
    position += chunk.length;
    if (k >= wanted.length) break;
  }
  while (k < wanted.length) result.set(wanted[k++], line);
  return result;
}

/**
 * The copy DuckDB reads, chunk by chunk: the ranges [start, end) of `erase` left out but for
 * their line breaks (each written as LF, so lines keep their numbers), and the lone CRs at
 * `loneCrs` written as LF.
 */
export class Eraser {
  readonly #erase: readonly number[];
  readonly #loneCrs: readonly number[];
  #k = 0;
  #c = 0;
  #position = 0;
  /** the last byte written was a CR of a break being erased (a CR LF split between chunks) */
  #crPending = false;

  constructor(erase: readonly number[], loneCrs: readonly number[] = []) {
    this.#erase = erase;
    this.#loneCrs = loneCrs;
  }

  push(chunk: Uint8Array): Uint8Array {
    const out = new Uint8Array(chunk.length);
    let n = 0;
    const position = this.#position;
    const end = position + chunk.length;
    const erase = this.#erase;
    const loneCrs = this.#loneCrs;
    let i = 0;
    while (i < chunk.length) {
      while (this.#k < erase.length && erase[this.#k + 1] <= position + i) this.#k += 2;
      const from = this.#k < erase.length ? Math.max(erase[this.#k] - position, i) : chunk.length;
      // kept bytes up to the next erased range, lone CRs as LF
      const keepTo = Math.min(from, chunk.length);
      if (i < keepTo) this.#crPending = false;
      while (i < keepTo) {
        while (this.#c < loneCrs.length && loneCrs[this.#c] < position + i) this.#c++;
        const cr = this.#c < loneCrs.length ? loneCrs[this.#c] - position : chunk.length;
        const stop = Math.min(cr, keepTo);
        out.set(chunk.subarray(i, stop), n);
        n += stop - i;
        i = stop;
        if (i === cr && i < keepTo) {
          out[n++] = LF;
          i++;
          this.#c++;
        }
      }
      if (i >= chunk.length) break;
      // an erased range: only its line breaks, as LF
      const stop = Math.min(erase[this.#k + 1], end) - position;
      for (; i < stop; i++) {
        const b = chunk[i];
        if (b === LF) {
          if (!this.#crPending) out[n++] = LF;
          this.#crPending = false;
        } else if (b === CR) {
          out[n++] = LF;
          this.#crPending = true;
        } else this.#crPending = false;
      }
    }
    this.#position = end;
    return out.subarray(0, n);
  }
}

/** How layOutCsv reaches the bytes: the build streams files, the browser's preview holds them. */
export interface LayoutSteps {
  /** scan what DuckDB would read now: the operator's UTF-8 file, or the UTF-8 copy */
  scan(options: { validateUtf8: boolean; weigh?: 'sample' | 'every'; invalidLines?: ReadonlyMap<number, string> }): Promise<CsvLayout>;
  /** make the UTF-8 copy of the operator's bytes read in this encoding; the lines with bytes invalid in it */
  transcode(encoding: 'gb18030' | 'utf-16le' | 'utf-16be'): Promise<ReadonlyMap<number, string>>;
}

/**
 * The layout of a file in the encoding it turns out to have (shared by the build and the CSV
 * preview): UTF-8 is scanned as it is; GB18030 and UTF-16 through a strict UTF-8 copy. When
 * UTF-8 was only a guess (the sniffed prefix did not tell), the scan weighs the records: when
 * more of them read as GB18030 than as UTF-8, the file is GB18030. A UTF-8 file with GB18030
 * rows is scanned again weighing every row, so none of them is read as UTF-8 by chance.
 */
export async function layOutCsv(encoding: 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be', encodingGuessed: boolean, steps: LayoutSteps): Promise<{ layout: CsvLayout; encoding: typeof encoding }> {
  if (encoding !== 'utf-8') return { layout: await steps.scan({ validateUtf8: false, invalidLines: await steps.transcode(encoding) }), encoding };
  const layout = await steps.scan({ validateUtf8: true, weigh: encodingGuessed ? 'sample' : undefined });
  const gb = layout.gbRecords + layout.rejected.filter((r) => r.kind === 'invalid-utf8' && r.readsAsGb18030).length;
  if (encodingGuessed && gb > layout.utf8Records) {
    return { layout: await steps.scan({ validateUtf8: false, invalidLines: await steps.transcode('gb18030') }), encoding: 'gb18030' };
  }
  if (gb > 0) return { layout: await steps.scan({ validateUtf8: true, weigh: 'every' }), encoding };
  return { layout, encoding };
}

/** DuckDB reads a copy of the file (records left out, or lone CRs it would misread), not the file. */
export function needsCopy(layout: CsvLayout): boolean {
  return layout.erase.length > 0 || (layout.crLf && layout.loneCrs.length > 0);
}
