/**
 * GB18030 and UTF-16 exports turned into the UTF-8 DuckDB reads, strictly: a line holding
 * bytes that are not valid in the file's encoding is written empty (its line break kept) and
 * named with what was wrong, so the scan (csv-scan.ts) rejects it at its line instead of a
 * page showing replacement characters. In a GB18030 file, a line that is valid UTF-8 with
 * non-ASCII bytes that reads as more common Chinese in UTF-8 than in GB18030 is a UTF-8 line
 * (two exports joined): GB18030 would read it without error, as garbage. Browser-safe: the byte checks are passed in (Node's are native).
 */

import { likelierEncoding } from './csv-text.ts';

export interface ByteTests {
  isUtf8(bytes: Uint8Array): boolean;
  isAscii(bytes: Uint8Array): boolean;
}

/** What a transcoder found wrong with a line it left empty. */
export type ErasedLine = 'invalid-gb18030' | 'utf8-in-gb18030' | 'invalid-utf-16le' | 'invalid-utf-16be';

export interface LineTranscoder {
  /** bytes in, UTF-8 out (whole lines; the rest waits for the next bytes) */
  push(chunk: Uint8Array): Uint8Array;
  finish(): Uint8Array;
  readonly erased: Map<number, ErasedLine>;
}

export function lineTranscoder(encoding: 'gb18030' | 'utf-16le' | 'utf-16be', tests: ByteTests): LineTranscoder {
  return encoding === 'gb18030' ? new Gb18030Lines(tests) : new Utf16Lines(encoding);
}

/** The checks in plain JavaScript (the browser's CSV preview). */
export const PORTABLE_BYTES: ByteTests = {
  isUtf8(bytes) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      return true;
    } catch {
      return false;
    }
  },
  isAscii(bytes) {
    for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) return false;
    return true;
  },
};

const strictGb18030 = new TextDecoder('gb18030', { fatal: true });

/** Bytes that decode as GB18030 without error (said of a row that is not UTF-8). */
export function readsAsGb18030(bytes: Uint8Array): boolean {
  try {
    strictGb18030.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const LF = 0x0a;
const CR = 0x0d;
const encoder = new TextEncoder();

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Index just past the last line break (0 if none); a CR at the very end waits: it may be half of CR LF. */
function completeLines(bytes: Uint8Array): number {
  let i = bytes.length - 1;
  if (i >= 0 && bytes[i] === CR) i--;
  for (; i >= 0; i--) if (bytes[i] === LF || bytes[i] === CR) return i + 1;
  return 0;
}

const CR_BYTE = new Uint8Array([CR]);
const LF_BYTE = new Uint8Array([LF]);

/**
 * The line break written for a line left empty: one byte, LF, or CR right after a CR (a lone
 * CR then LF would read as one CR LF, and a line would be lost).
 */
function erasedBreak(breakBytes: number, afterCr: boolean): Uint8Array {
  if (!breakBytes) return new Uint8Array(0);
  return afterCr ? CR_BYTE : LF_BYTE;
}

function endsWithCr(parts: readonly Uint8Array[], before: boolean): boolean {
  for (let i = parts.length - 1; i >= 0; i--) if (parts[i].length) return parts[i][parts[i].length - 1] === CR;
  return before;
}

/** [content end, break end) of the line starting at `from`. */
function lineEnd(bytes: Uint8Array, from: number): [number, number] {
  let end = from;
  while (end < bytes.length && bytes[end] !== LF && bytes[end] !== CR) end++;
  if (end >= bytes.length) return [end, end];
  return [end, bytes[end] === CR && bytes[end + 1] === LF ? end + 2 : end + 1];
}

/**
 * GB18030 a region of whole lines at a time: ASCII lines pass as they are; a run of other
 * lines is decoded in one call and, only when the result holds U+FFFD, line by line to find
 * the invalid ones.
 */
class Gb18030Lines implements LineTranscoder {
  readonly erased = new Map<number, ErasedLine>();
  readonly #tests: ByteTests;
  #carry: Uint8Array = new Uint8Array(0);
  #line = 1;
  #decoder = new TextDecoder('gb18030');
  /** the last byte written was a CR */
  #afterCr = false;

  constructor(tests: ByteTests) {
    this.#tests = tests;
  }

  push(chunk: Uint8Array): Uint8Array {
    const bytes = this.#carry.length ? concatBytes([this.#carry, chunk]) : chunk;
    const end = completeLines(bytes);
    this.#carry = bytes.slice(end);
    return this.#lines(bytes.subarray(0, end));
  }

  finish(): Uint8Array {
    const rest = this.#carry;
    this.#carry = new Uint8Array(0);
    return this.#lines(rest);
  }

  #lines(bytes: Uint8Array): Uint8Array {
    const parts: Uint8Array[] = [];
    let run = -1;
    let runLine = this.#line;
    for (let i = 0; i < bytes.length; ) {
      const [end, breakEnd] = lineEnd(bytes, i);
      const line = bytes.subarray(i, end);
      if (!this.#tests.isAscii(line) && this.#tests.isUtf8(line) && likelierEncoding(line) === 'utf-8') {
        if (run >= 0) parts.push(this.#decode(bytes.subarray(run, i), runLine));
        run = -1;
        this.erased.set(this.#line, 'utf8-in-gb18030');
        parts.push(erasedBreak(breakEnd - end, endsWithCr(parts, this.#afterCr)));
      } else if (run < 0) {
        run = i;
        runLine = this.#line;
      }
      this.#line++;
      i = breakEnd;
    }
    if (run >= 0) parts.push(this.#decode(bytes.subarray(run), runLine));
    this.#afterCr = endsWithCr(parts, this.#afterCr);
    return concatBytes(parts);
  }

  /** Whole lines of GB18030 from `firstLine` on, as UTF-8; invalid lines written empty. */
  #decode(bytes: Uint8Array, firstLine: number): Uint8Array {
    const text = this.#decoder.decode(bytes);
    if (!text.includes('\uFFFD')) return encoder.encode(text);
    const parts: Uint8Array[] = [];
    let line = firstLine;
    for (let i = 0; i < bytes.length; ) {
      const [end, breakEnd] = lineEnd(bytes, i);
      const content = bytes.subarray(i, end);
      if (readsAsGb18030(content)) {
        parts.push(encoder.encode(this.#decoder.decode(content)));
        parts.push(bytes.subarray(end, breakEnd));
      } else {
        this.erased.set(line, 'invalid-gb18030');
        parts.push(erasedBreak(breakEnd - end, endsWithCr(parts, this.#afterCr)));
      }
      line++;
      i = breakEnd;
    }
    return concatBytes(parts);
  }
}

/** UTF-16: decoded as a stream; a line holding U+FFFD (an unpaired surrogate, an odd byte) is written empty. */
class Utf16Lines implements LineTranscoder {
  readonly erased = new Map<number, ErasedLine>();
  readonly #decoder: TextDecoder;
  readonly #encoding: 'utf-16le' | 'utf-16be';
  #carry = '';
  #line = 1;
  /** the last character written was a CR */
  #afterCr = false;

  constructor(encoding: 'utf-16le' | 'utf-16be') {
    this.#encoding = encoding;
    // (a byte-order mark is dropped by the decoder)
    this.#decoder = new TextDecoder(encoding);
  }

  push(chunk: Uint8Array): Uint8Array {
    return this.#text(this.#decoder.decode(chunk, { stream: true }), false);
  }

  finish(): Uint8Array {
    return this.#text(this.#decoder.decode(), true);
  }

  #text(decoded: string, eof: boolean): Uint8Array {
    const text = this.#carry + decoded;
    // whole lines only; a CR at the end may be the first half of CR LF
    let end = eof ? text.length : Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1;
    if (!eof && end === text.length && text.endsWith('\r')) end = Math.max(text.lastIndexOf('\n', end - 2), text.lastIndexOf('\r', end - 2)) + 1;
    this.#carry = text.slice(end);
    const whole = text.slice(0, end);
    if (!whole.includes('\uFFFD')) {
      this.#line += countBreaks(whole);
      if (whole) this.#afterCr = whole.endsWith('\r');
      return encoder.encode(whole);
    }
    let out = '';
    for (const match of whole.matchAll(/([^\r\n]*)(\r\n|\n|\r|$)/g)) {
      if (match[0] === '') break;
      const afterCr = out ? out.endsWith('\r') : this.#afterCr;
      if (match[1].includes('\uFFFD')) {
        this.erased.set(this.#line, `invalid-${this.#encoding}`);
        // (one break for the empty line: a CR right after a CR, else LF; see erasedBreak)
        if (match[2]) out += afterCr ? '\r' : '\n';
      } else out += match[1] + match[2];
      if (match[2]) this.#line++;
    }
    if (out) this.#afterCr = out.endsWith('\r');
    return encoder.encode(out);
  }
}

function countBreaks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) n++;
    else if (c === CR && text.charCodeAt(i + 1) !== LF) n++;
  }
  return n;
}
