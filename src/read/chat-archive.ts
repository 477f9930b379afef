/**
 * Messages from the WeCom chat archive (会话存档) as operators receive it: JSON lines (`.jsonl`,
 * one record per line) or a JSON array (`.json`), of records like
 *
 *   {"msgid":"…","action":"send","from":"wm…","tolist":["…"],"roomid":"wr…","msgtime":1760000000123,"msgtype":"text"}
 *
 * written as a CSV the CSV path reads (msgid, msgtime, roomid, from, msgtype: the messages
 * table's message_id, sent_at, group_id, member_id and msgtype), each record mapped to the line
 * it starts on, as a workbook's records are mapped to their Excel rows. So a message is checked,
 * rejected and reported exactly as a CSV row is (msgtime as epoch milliseconds or seconds: values.ts).
 *
 * Only `action` "send" records with a non-empty `roomid` are messages. Recalls, switches,
 * one-to-one chats (no roomid) and other actions are counted per file, not listed. A line that is
 * not JSON, not an object, or without msgid or action is rejected with its line. Every line of a
 * JSON-lines file is accounted for: lines = blank lines + messages + other records + rejected.
 * A msgid read twice (a re-pull) counts once: validate.ts, over the stored rows.
 *
 * Hand-written because no JSON reader here says which line a record it could not read was on;
 * JSON.parse does the parsing, record by record, so memory is one record, not the file.
 */
import { isUtf8 } from 'node:buffer';
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { MAX_RECORD_BYTES } from './csv-scan.ts';
import type { ArchiveOtherRecords, DataIssue } from './source-files.ts';

/** The archive's keys written to the CSV, in order: message_id, sent_at, group_id, member_id, msgtype by their aliases. */
export const ARCHIVE_HEADERS = ['msgid', 'msgtime', 'roomid', 'from', 'msgtype'] as const;

export interface ArchiveCsv {
  /** 'jsonl': one record per line; 'json': one JSON array */
  shape: 'jsonl' | 'json';
  /** physical lines of the file */
  lines: number;
  /** JSON lines: lines of only whitespace; for an array, null (its records span lines) */
  blankLines: number | null;
  /** the line each CSV record starts on, in order */
  rows: Int32Array;
  other: ArchiveOtherRecords;
  /** records rejected before the CSV (not JSON, not a record, no msgid or action), by line */
  rejected: Omit<DataIssue, 'file'>[];
}

const NL = 10;
const CR = 13;
const CHUNK = 1 << 20;

const isSpace = (b: number) => b === 32 || b === 9 || b === CR || b === NL;

function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  return `"${text.replaceAll('"', '""')}"`;
}

const reject = (line: number, column: string | null, message: string): Omit<DataIssue, 'file'> => ({ line, column, severity: 'error', message });

/** Reads records, writes the messages' CSV lines, counts the rest. */
class RecordSink {
  rows = new Int32Array(1 << 12);
  count = 0;
  other: ArchiveOtherRecords = { recall: 0, switch: 0, oneToOne: 0, other: 0 };
  rejected: Omit<DataIssue, 'file'>[] = [];
  text = '';

  record(line: number, bytes: Uint8Array): void {
    if (!isUtf8(bytes)) {
      this.rejected.push(reject(line, null, 'the record has bytes that are not valid UTF-8 (JSON is always UTF-8): it was damaged or saved in another encoding; export the archive again as UTF-8'));
      return;
    }
    if (bytes.length > MAX_RECORD_BYTES) {
      this.rejected.push(reject(line, null, `the record is longer than ${MAX_RECORD_BYTES / 1e6} MB, far more than any chat-archive record; check the file`));
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
    } catch {
      this.rejected.push(reject(line, null, 'the record is not valid JSON (an edited or damaged line?), so it cannot be read; fix it, or export the archive again'));
      return;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      this.rejected.push(reject(line, null, 'the record is JSON but not a chat-archive record (an object {…} with msgid, action and msgtime); remove it, or export the archive again'));
      return;
    }
    const r = value as Record<string, unknown>;
    if (r.msgid === undefined || r.msgid === null || r.msgid === '') {
      this.rejected.push(reject(line, 'message_id', 'the record has no msgid, so a copy of it in another pull could not be told apart; export the archive again with msgid'));
      return;
    }
    if (typeof r.action !== 'string' || r.action === '') {
      this.rejected.push(reject(line, null, 'the record has no action (send, recall or switch), so whether it is a message cannot be told; export the archive again'));
      return;
    }
    if (r.action !== 'send') {
      if (r.action === 'recall') this.other.recall++;
      else if (r.action === 'switch') this.other.switch++;
      else this.other.other++;
      return;
    }
    if (r.roomid === undefined || r.roomid === null || r.roomid === '') {
      this.other.oneToOne++;
      return;
    }
    if (this.count === this.rows.length) {
      const grown = new Int32Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    this.rows[this.count++] = line;
    this.text += `${csvField(r.msgid)},${csvField(r.msgtime)},${csvField(r.roomid)},${csvField(r.from)},${csvField(r.msgtype)}\n`;
  }
}

/**
 * The top-level elements of a JSON array, found byte by byte (strings and nesting tracked):
 * each is handed over with the line it starts on.
 */
class ArraySplitter {
  line = 1;
  private state: 'before' | 'between' | 'in' | 'after' = 'before';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = 0;
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  private readonly sink: RecordSink;
  private readonly outside: (line: number) => void;
  constructor(sink: RecordSink, outside: (line: number) => void) {
    this.sink = sink;
    this.outside = outside;
  }

  private flush(buf: Uint8Array, from: number, to: number): void {
    if (to > from && this.partBytes <= MAX_RECORD_BYTES) {
      this.parts.push(Buffer.from(buf.subarray(from, to))); // a copy: the read buffer is reused
      this.partBytes += to - from;
    }
  }

  private finish(buf: Uint8Array, from: number, to: number): void {
    this.flush(buf, from, to);
    const bytes = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    this.parts = [];
    this.partBytes = 0;
    this.state = 'between';
    this.sink.record(this.start, bytes);
  }

  push(buf: Uint8Array): void {
    let from = 0;
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i];
      if (this.state === 'in') {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (b === 0x5c) this.escaped = true;
          else if (b === 0x22) this.inString = false;
        } else if (b === 0x22) this.inString = true;
        else if (b === 0x7b || b === 0x5b) this.depth++;
        else if (b === 0x7d || b === 0x5d) {
          if (this.depth === 0) {
            // a bare value ends at the array's close
            this.finish(buf, from, i);
            this.state = 'after';
          } else if (--this.depth === 0) this.finish(buf, from, i + 1);
        } else if (b === 0x2c && this.depth === 0) this.finish(buf, from, i);
        if (b === NL) this.line++;
        continue;
      }
      if (b === NL) this.line++;
      if (isSpace(b)) continue;
      if (this.state === 'before' && b === 0x5b) this.state = 'between';
      else if (this.state === 'between' && b === 0x2c) continue;
      else if (this.state === 'between' && b === 0x5d) this.state = 'after';
      else if (this.state === 'between') {
        this.state = 'in';
        this.start = this.line;
        this.depth = b === 0x7b || b === 0x5b ? 1 : 0;
        this.inString = b === 0x22;
        this.escaped = false;
        from = i;
      } else this.outside(this.line);
    }
    if (this.state === 'in') this.flush(buf, from, buf.length);
  }

  /** At the end of the file: a record still open was cut off. */
  end(): void {
    if (this.state === 'in') {
      this.parts = [];
      this.sink.rejected.push(reject(this.start, null, 'the file ends in the middle of this record: it was cut off (an interrupted download or copy?); copy or export the file again'));
    }
  }
}

/** Node: read the archive file, write its messages as CSV (UTF-8, LF, a header line) to `target`. */
export async function archiveToCsv(path: string, target: string): Promise<ArchiveCsv> {
  const handle = await open(path, 'r');
  const out = createWriteStream(target);
  const failed = once(out, 'error').then(([error]) => {
    throw error;
  });
  failed.catch(() => {});
  const sink = new RecordSink();
  const drain = async () => {
    if (sink.text && !out.write(sink.text)) await Promise.race([once(out, 'drain'), failed]);
    sink.text = '';
  };
  try {
    out.write(`${ARCHIVE_HEADERS.join(',')}\n`);
    const buf = Buffer.allocUnsafe(CHUNK);
    let first = true;
    let shape: 'jsonl' | 'json' | null = null;
    let lines = 0;
    let blankLines = 0;
    let lastByte = -1;
    // JSON lines: the bytes of the line being read (it may cross reads)
    let held: Buffer[] = [];
    let heldBytes = 0;
    let splitter: ArraySplitter | null = null;
    const outsideLines = new Set<number>();
    const line = (bytes: Buffer) => {
      lines++;
      let end = bytes.length;
      while (end > 0 && isSpace(bytes[end - 1])) end--;
      let start = 0;
      while (start < end && isSpace(bytes[start])) start++;
      if (start === end) blankLines++;
      else sink.record(lines, bytes.subarray(start, end));
    };
    const tooLong = () => {
      lines++;
      sink.rejected.push(reject(lines, null, `the line is longer than ${MAX_RECORD_BYTES / 1e6} MB, far more than any chat-archive record (a file that is not one record per line?); check the file`));
    };
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      let chunk = buf.subarray(0, bytesRead);
      lastByte = chunk[chunk.length - 1];
      if (first) {
        first = false;
        if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
        let i = 0;
        while (i < chunk.length && isSpace(chunk[i])) i++;
        shape = chunk[i] === 0x5b ? 'json' : 'jsonl';
        if (shape === 'json') splitter = new ArraySplitter(sink, (l) => outsideLines.add(l));
      }
      if (splitter) splitter.push(chunk);
      else {
        let p = 0;
        for (let nl = chunk.indexOf(NL); nl >= 0; nl = chunk.indexOf(NL, p)) {
          const piece = chunk.subarray(p, nl);
          if (heldBytes > 0) {
            if (heldBytes + piece.length > MAX_RECORD_BYTES) tooLong();
            else line(Buffer.concat([...held, piece]));
            held = [];
            heldBytes = 0;
          } else line(piece);
          p = nl + 1;
        }
        if (p < chunk.length) {
          // a line too long to be a record is still counted as one line, not held whole
          if (heldBytes <= MAX_RECORD_BYTES) held.push(Buffer.from(chunk.subarray(p)));
          heldBytes += chunk.length - p;
        }
      }
      await drain();
    }
    if (splitter) {
      splitter.end();
      for (const l of outsideLines) sink.rejected.push(reject(l, null, "text outside the file's JSON array [ … ]; remove it, or export the archive again"));
      lines = splitter.line - (lastByte === NL ? 1 : 0);
    } else {
      if (heldBytes > MAX_RECORD_BYTES) tooLong();
      else if (heldBytes > 0) line(Buffer.concat(held));
    }
    await drain();
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
    sink.rejected.sort((a, b) => a.line! - b.line!);
    return {
      shape: shape ?? 'jsonl',
      lines,
      blankLines: splitter ? null : blankLines,
      rows: sink.rows.subarray(0, sink.count),
      other: sink.other,
      rejected: sink.rejected,
    };
  } catch (error) {
    out.destroy();
    throw error;
  } finally {
    await handle.close();
  }
}

/** The file's first records are the chat archive's (msgid, action and msgtime keys), by its first 64 KB. */
export async function looksLikeChatArchive(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(1 << 16);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const text = head.subarray(0, bytesRead).toString('utf8');
    return ['msgid', 'action', 'msgtime'].every((key) => new RegExp(`"${key}"\\s*:`).test(text));
  } finally {
    await handle.close();
  }
}
