/**
 * CSV text rules that need no file system (the browser's CSV preview uses them too): the
 * encoding of a file's first bytes, the delimiter, the header fields.
 */

export type CsvEncoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';

/**
 * The encoding of a file from its first bytes. `guessed`: those bytes did not tell (plain
 * ASCII, or no whole line in another encoding): the scan then reads the rest of the file for
 * evidence (csv-scan.ts, layOutCsv).
 */
export function detectEncoding(prefix: Uint8Array, options: { wholeFile?: boolean } = {}): { encoding: CsvEncoding; guessed: boolean; text: string } {
  if (prefix[0] === 0xef && prefix[1] === 0xbb && prefix[2] === 0xbf) {
    return { encoding: 'utf-8', guessed: false, text: new TextDecoder('utf-8').decode(prefix.subarray(3)) };
  }
  if (prefix[0] === 0xff && prefix[1] === 0xfe) return { encoding: 'utf-16le', guessed: false, text: new TextDecoder('utf-16le').decode(prefix.subarray(2)) };
  if (prefix[0] === 0xfe && prefix[1] === 0xff) return { encoding: 'utf-16be', guessed: false, text: new TextDecoder('utf-16be').decode(prefix.subarray(2)) };
  const utf16 = utf16WithoutBom(prefix);
  if (utf16) return { encoding: utf16, guessed: false, text: new TextDecoder(utf16).decode(prefix) };
  const asciiOnly = prefix.every((b) => b < 0x80);
  // stream: true so a multi-byte character cut at the end of the prefix is not an error
  const utf8 = new TextDecoder('utf-8').decode(prefix, { stream: true });
  if (asciiOnly) return { encoding: 'utf-8', guessed: true, text: utf8 };
  // The encoding most lines with non-ASCII bytes are likelier in: a line invalid in both counts
  // for neither (a broken UTF-8 file stays UTF-8, its bad rows rejected), and a line valid in
  // both (a short export whose only Chinese is 群 reads as Ⱥ in UTF-8) counts for the one that
  // reads it as common Chinese. Lines of both kinds (two exports of different encodings joined):
  // the file is read in the encoding of most, the others rejected, and the scan weighs every row.
  const { utf8Lines, gbLines } = linesByEncoding(prefix, options.wholeFile ?? false);
  if (gbLines > utf8Lines) return { encoding: 'gb18030', guessed: false, text: new TextDecoder('gb18030').decode(prefix) };
  return { encoding: 'utf-8', guessed: utf8Lines === 0 || gbLines > 0, text: utf8 };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const strictGb18030 = new TextDecoder('gb18030', { fatal: true });

function decodeOrNull(decoder: TextDecoder, bytes: Uint8Array): string | null {
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * The encoding a line of non-ASCII bytes is in: UTF-8 or GB18030, whichever reads it without
 * error, and when both do (群 alone is Ⱥ in UTF-8), the one that reads it as common Chinese;
 * null when neither can.
 */
export function likelierEncoding(line: Uint8Array): 'utf-8' | 'gb18030' | null {
  const asUtf8 = decodeOrNull(strictUtf8, line);
  const asGb = decodeOrNull(strictGb18030, line);
  if (asUtf8 !== null && (asGb === null || commonChineseShare(asUtf8) >= commonChineseShare(asGb))) return 'utf-8';
  return asGb !== null ? 'gb18030' : null;
}

/** Lines of the prefix with non-ASCII bytes, by the encoding they are likelier in (the last line only when the prefix is the whole file: otherwise it may be cut). */
function linesByEncoding(prefix: Uint8Array, wholeFile: boolean): { utf8Lines: number; gbLines: number } {
  let utf8Lines = 0;
  let gbLines = 0;
  let start = 0;
  for (let i = 0; i <= prefix.length; i++) {
    if (i < prefix.length ? prefix[i] !== 0x0a && prefix[i] !== 0x0d : !wholeFile || start >= i) continue;
    const line = prefix.subarray(start, i);
    start = i + 1;
    if (line.every((b) => b < 0x80)) continue;
    const encoding = likelierEncoding(line);
    if (encoding === 'utf-8') utf8Lines++;
    else if (encoding === 'gb18030') gbLines++;
  }
  return { utf8Lines, gbLines };
}

let common: Set<number> | null = null;

/**
 * The share of a text's non-ASCII characters that are among the 3,755 most common Chinese
 * characters (GB2312 level 1, B0A1–D7F9), GB2312's punctuation, or the symbols an export
 * writes in UTF-8 beside them (¥ £ · × ° …, general and CJK punctuation, full-width forms):
 * near 1 for text read in its own encoding, low for UTF-8 bytes read as GB18030 or the other
 * way round. (¥100 in UTF-8 is also 楼100 in GB18030: symbols count, so a tie reads UTF-8.)
 */
export function commonChineseShare(text: string): number {
  if (!common) {
    common = new Set();
    const decoder = new TextDecoder('gb18030');
    for (const [from, to] of [[0xa1, 0xa3], [0xb0, 0xd7]]) {
      for (let hi = from; hi <= to; hi++) for (let lo = 0xa1; lo <= 0xfe; lo++) common.add(decoder.decode(new Uint8Array([hi, lo])).charCodeAt(0));
    }
    for (const [from, to] of [[0xa0, 0xbf], [0xd7, 0xd7], [0xf7, 0xf7], [0x2010, 0x2027], [0x2030, 0x203b], [0x3000, 0x303f], [0xff01, 0xff5e], [0xffe0, 0xffe6]]) {
      for (let c = from; c <= to; c++) common.add(c);
    }
  }
  let other = 0;
  let hits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    other++;
    if (common.has(c)) hits++;
  }
  return other ? hits / other : 0;
}

/**
 * UTF-16 written without a byte-order mark: the high byte of every ASCII character (digits,
 * commas, dates, IDs: most of an export) is zero, on odd bytes in little-endian, even bytes in
 * big-endian; text in UTF-8 or GB18030 has no zero bytes at all.
 */
export function utf16WithoutBom(prefix: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const n = Math.min(prefix.length, 4096) & ~1;
  if (n < 4) return null;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (prefix[i] === 0) even++;
    if (prefix[i + 1] === 0) odd++;
  }
  const pairs = n / 2;
  // (a few zeros on the other side: a damaged character, not another encoding)
  if (odd >= pairs * 0.2 && even * 4 <= odd) return 'utf-16le';
  if (even >= pairs * 0.2 && odd * 4 <= even) return 'utf-16be';
  return null;
}


/**
 * The header of a CSV: the first of its first 10 lines whose fields hold every required column
 * (`fits`), each line split by the delimiter it has most of. Title and note lines above it
 * (an export's "客户群列表", "导出时间：…") are skipped. Without one that fits, the first line
 * that is not empty, for the error naming what is missing.
 */
export function headerOf(text: string, fits: (fields: string[]) => boolean): { line: number; delimiter: string; headers: string[]; fits: boolean } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/, 11).slice(0, 10);
  const parsed = lines.map((line, i) => {
    const delimiter = detectDelimiter(line);
    return { line: i + 1, delimiter, headers: parseCsvLine(line, delimiter) };
  });
  const found = parsed.find((p) => p.headers.some((h) => h !== '') && fits(p.headers));
  if (found) return { ...found, fits: true };
  const first = parsed.find((p) => p.headers.some((h) => h !== '')) ?? parsed[0] ?? { line: 1, delimiter: ',', headers: [] };
  return { ...first, fits: false };
}

export function headerLine(text: string): string {
  // CR LF, LF, or a lone CR (Excel for Mac's CSV): each ends a line, as in the scan
  const end = text.search(/[\r\n]/);
  return (end < 0 ? text : text.slice(0, end)).replace(/^\uFEFF/, '');
}

export function detectDelimiter(line: string): string {
  const counts = [',', '\t', ';', '|'].map((d) => ({ d, n: parseCsvLine(line, d).length }));
  counts.sort((a, b) => b.n - a.n);
  return counts[0].n > 1 ? counts[0].d : ',';
}

/**
 * One CSV line (no embedded newlines) → fields, RFC 4180 quoting, a quote opening a field only
 * at its start (spaces before it allowed), as DuckDB splits the header: hand-written because
 * papaparse opens quotes elsewhere too and would name some headers differently from DuckDB.
 */
export function parseCsvLine(line: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === delimiter) {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields.map((f) => f.trim());
}

