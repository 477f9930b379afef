/**
 * CSV text rules that need no file system (the browser's CSV preview uses them too): the
 * encoding of a file's first bytes, the delimiter, the header fields.
 */

export type CsvEncoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';

export function detectEncoding(prefix: Uint8Array): { encoding: CsvEncoding; asciiOnly: boolean; text: string } {
  if (prefix[0] === 0xef && prefix[1] === 0xbb && prefix[2] === 0xbf) {
    return { encoding: 'utf-8', asciiOnly: false, text: new TextDecoder('utf-8').decode(prefix.subarray(3)) };
  }
  if (prefix[0] === 0xff && prefix[1] === 0xfe) return { encoding: 'utf-16le', asciiOnly: false, text: new TextDecoder('utf-16le').decode(prefix.subarray(2)) };
  if (prefix[0] === 0xfe && prefix[1] === 0xff) return { encoding: 'utf-16be', asciiOnly: false, text: new TextDecoder('utf-16be').decode(prefix.subarray(2)) };
  const asciiOnly = prefix.every((b) => b < 0x80);
  // stream: true so a multi-byte character cut at the end of the prefix is not an error
  const utf8 = new TextDecoder('utf-8').decode(prefix, { stream: true });
  const badUtf8 = count(utf8, (c) => c === 0xfffd);
  if (badUtf8 === 0) return { encoding: 'utf-8', asciiOnly, text: utf8 };
  // A few broken bytes in text that is otherwise Chinese in UTF-8 make a broken UTF-8 file
  // (its bad rows are rejected); GBK bytes read as UTF-8 are mostly errors, rarely CJK.
  const cjk = count(utf8, (c) => c >= 0x4e00 && c <= 0x9fff);
  const gb = new TextDecoder('gb18030').decode(prefix);
  const badGb = count(gb, (c) => c === 0xfffd);
  if (cjk >= 10 * badUtf8 || badGb >= badUtf8) return { encoding: 'utf-8', asciiOnly, text: utf8 };
  return { encoding: 'gb18030', asciiOnly: false, text: gb };
}

function count(text: string, test: (code: number) => boolean): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (test(text.charCodeAt(i))) n++;
  return n;
}

export function headerLine(text: string): string {
  const end = text.search(/\r?\n/);
  return (end < 0 ? text : text.slice(0, end)).replace(/^\uFEFF/, '');
}

export function detectDelimiter(line: string): string {
  const counts = [',', '\t', ';', '|'].map((d) => ({ d, n: parseCsvLine(line, d).length }));
  counts.sort((a, b) => b.n - a.n);
  return counts[0].n > 1 ? counts[0].d : ',';
}

/** One CSV line (no embedded newlines) → fields, RFC 4180 quoting. */
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

