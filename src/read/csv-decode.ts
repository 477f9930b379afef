/**
 * GB18030 and UTF-16 exports turned into the UTF-8 DuckDB reads, strictly: a line holding
 * bytes that are not valid in the file's encoding is named with what was wrong, and the scan
 * (csv-scan.ts) rejects its record at its line and leaves it out of what DuckDB reads, instead
 * of a page showing replacement characters. In a GB18030 file, a line that is valid UTF-8 with
 * non-ASCII bytes that reads as more common Chinese in UTF-8 than in GB18030 is a UTF-8 line
 * (two exports joined): GB18030 would read it without error, as garbage. Line breaks are
 * written as they are, so the copy has the original's lines. Browser-safe: the byte checks are
 * passed in (Node's are native).
 */
import { likelierEncoding } from './csv-text.ts';

export interface ByteTests {
  isUtf8(bytes: Uint8Array): boolean;
  isAscii(bytes: Uint8Array): boolean;
}

/** What a transcoder found wrong with a line. */
export type InvalidLine = 'invalid-gb18030' | 'utf8-in-gb18030' | 'invalid-utf-16le' | 'invalid-utf-16be';

export interface LineTranscoder {
  /** bytes in, UTF-8 out (whole lines; the rest waits for the next bytes) */
  push(chunk: Uint8Array): Uint8Array;
  finish(): Uint8Array;
  /** line → what was wrong with it */
  readonly invalid: Map<number, InvalidLine>;
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

/** [content end, break end) of the line starting at `from`. */
function lineEnd(bytes: Uint8Array, from: number): [number, number] {
  let end = from;
  while (end < bytes.length && bytes[end] !== LF && bytes[end] !== CR) end++;
  if (end >= bytes.length) return [end, end];
  return [end, bytes[end] === CR && bytes[end + 1] === LF ? end + 2 : end + 1];
}

/**
 * GB18030 a region of whole lines at a time: a line that is UTF-8 is copied as it is (and
 * named); a run of other lines is decoded in one call and, only when the result holds U+FFFD,
 * line by line to name the invalid ones.
 */
class Gb18030Lines implements LineTranscoder {
  readonly invalid = new Map<number, InvalidLine>();
  readonly #tests: ByteTests;
  #carry: Uint8Array = new Uint8Array(0);
  #line = 1;
  #decoder = new TextDecoder('gb18030');

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
        this.invalid.set(this.#line, 'utf8-in-gb18030');
        parts.push(bytes.subarray(i, breakEnd));
      } else if (run < 0) {
        run = i;
        runLine = this.#line;
      }
      this.#line++;
      i = breakEnd;
    }
    if (run >= 0) parts.push(this.#decode(bytes.subarray(run), runLine));
    return concatBytes(parts);
  }

  /** Whole lines of GB18030 from `firstLine` on, as UTF-8, the invalid ones named. */
  #decode(bytes: Uint8Array, firstLine: number): Uint8Array {
    const text = this.#decoder.decode(bytes);
    if (text.includes('\uFFFD')) {
      let line = firstLine;
      for (let i = 0; i < bytes.length; line++) {
        const [end, breakEnd] = lineEnd(bytes, i);
        if (!readsAsGb18030(bytes.subarray(i, end))) this.invalid.set(line, 'invalid-gb18030');
        i = breakEnd;
      }
    }
    return encoder.encode(text);
  }
}

/** UTF-16: decoded as a stream; a line holding U+FFFD (an unpaired surrogate, an odd byte) is named. */
class Utf16Lines implements LineTranscoder {
  readonly invalid = new Map<number, InvalidLine>();
  readonly #decoder: TextDecoder;
  readonly #encoding: 'utf-16le' | 'utf-16be';
  #carry = '';
  #line = 1;

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
    if (!whole.includes('\uFFFD')) this.#line += countBreaks(whole);
    else {
      for (const match of whole.matchAll(/([^\r\n]*)(\r\n|\n|\r|$)/g)) {
        if (match[0] === '') break;
        if (match[1].includes('\uFFFD')) this.invalid.set(this.#line, `invalid-${this.#encoding}`);
        if (match[2]) this.#line++;
      }
    }
    return encoder.encode(whole);
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
