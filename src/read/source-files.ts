/**
 * What reading a source takes that needs no file system, shared by the build and the
 * browser's CSV preview: the data-quality line, the fatal input error, a source's description,
 * the header check against the contract, and the `read_csv` expression.
 */
import { findHeaderRow, mapHeader, normaliseHeader, type ColumnKind, type ColumnSpec, type TableName, type TableSpec } from '../core/contract.ts';
import { OutOfMemoryError, sqlIdent, sqlString, type Db } from '../db/db.ts';
import type { CsvLayout, ScanReject } from './csv-scan.ts';
import type { CsvEncoding } from './csv-text.ts';
import type { RejectRow } from './rejects.ts';

export type Severity = 'error' | 'warning';

/** One line of the data-quality table (dist/data/data_quality.csv). */
export interface DataIssue {
  file: string;
  /** the physical line, or a workbook's Excel row */
  line: number | null;
  column: string | null;
  severity: Severity;
  message: string;
  /** a workbook's sheet */
  sheet?: string | null;
}

/** Input that cannot be used at all: the build stops and the previous site stays. */
export class InputError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} input problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Records that are not group messages, by kind: counted, not read. */
export interface ArchiveOtherRecords {
  recall: number;
  switch: number;
  /** action send without a roomid */
  oneToOne: number;
  /** any other action */
  other: number;
}

/**
 * SQL naming a row's file by its __src: a table's file names in __src order (a file's index is
 * its place among its table's files), as a CASE when there are several.
 */
export function fileOfSrcSql(names: readonly string[], src = '__src'): string {
  return names.length <= 1 ? sqlString(names[0] ?? '') : `CASE ${src} ${names.map((n, i) => `WHEN ${i} THEN ${sqlString(n)}`).join(' ')} END`;
}

/** Records that are not messages, in all. */
export function otherRecordsOf(other: ArchiveOtherRecords): number {
  return other.recall + other.switch + other.oneToOne + other.other;
}

export interface SourceFile {
  spec: TableSpec;
  table: TableName;
  /** file name as the operator knows it, e.g. members.csv (its path in the data folder) */
  file: string;
  /** index among its table's files, in name order: the rows of p_<table> carry it as __src */
  index: number;
  /** the operator's file */
  path: string;
  /** what DuckDB reads: the file itself, or its UTF-8 copy in the work folder */
  readPath: string;
  format: 'csv' | 'parquet' | 'xlsx' | 'json';
  encoding: CsvEncoding | 'parquet' | 'xlsx' | 'json';
  delimiter: string;
  headers: string[];
  /** canonical column → index of the header field that supplies it */
  columns: Map<string, number>;
  /** header warnings (ignored and shadowed columns) */
  issues: DataIssue[];
  /** read on one thread (DuckDB cannot pad short rows in parallel when fields hold newlines) */
  serial: boolean;
  /** every line of the file accounted for, as DuckDB reads it (csv-scan.ts); null for Parquet */
  layout: CsvLayout | null;
  /** rows before the header that the read skips (title and note rows, blank lines: read_csv's skip) */
  skip: number;
  /** a workbook's sheet; null for other files */
  sheet: string | null;
  /** a workbook's Excel row of each data record (what a message names instead of a line); null for other files */
  rowNumbers: ArrayLike<number> | null;
  /** a chat archive's lines and the records it did not hand to the CSV (chat-archive.ts); null for other files */
  archive: { lines: number; blankLines: number | null; other: ArchiveOtherRecords; rejected: number } | null;
  /** once read: rowid of its first row in p_<table>, rows stored, and the records DuckDB could not read */
  firstRow: number;
  stored: number;
  rejects: RejectRow[];
}

/**
 * The file's lines and what DuckDB read do not add up: a line would be lost or invented. The
 * build stops rather than publish a count it cannot vouch for.
 */
export class UnaccountedLinesError extends InputError {}

/** Stored and unreadable records against the scan's count of the records DuckDB should read. */
export function reconcile(source: SourceFile, readByDuckDb: number): void {
  const layout = source.layout;
  if (!layout || readByDuckDb === layout.records) return;
  throw new UnaccountedLinesError([
    `${source.file}: its ${layout.lines.toLocaleString('en-US')} lines hold ${layout.records.toLocaleString('en-US')} rows to read ` +
      `(after ${layout.headerLines} header, ${layout.rejected.length} rejected, ${layout.blankLines} blank and ${layout.continuationLines} continuation lines), ` +
      `but DuckDB read ${readByDuckDb.toLocaleString('en-US')}: qunlens cannot say which lines went where, so nothing was published. ` +
      `Please report this (with the file, if you can share it); saving the file again as UTF-8 CSV from the system that exported it may avoid it.`,
  ]);
}

/** Records the scan rejected before DuckDB read the file. */
export function scanRejected(source: SourceFile): number {
  return source.layout?.rejected.length ?? 0;
}

/** What an operator reads for a record the scan rejected (csv-scan.ts). */
export function scanRejectMessage(reject: ScanReject, encoding: string): string {
  switch (reject.kind) {
    case 'unclosed-quote':
      return 'a quote (") opens a field on this line and does not close within its row (the lines after it would have been read as one field); the row is rejected and reading goes on with the next line: close the quote, or double a quote inside a quoted field ("")';
    case 'text-after-quote':
      return 'text follows the closing quote of a quoted field (as in "ab"c), which would be dropped; quote the whole field, or double a quote inside it ("")';
    case 'too-long':
      return 'the row is longer than 1 MB (a quote that never closes, or a field holding a whole document); check its quotes or shorten it';
    case 'invalid-utf8':
      return reject.readsAsGb18030
        ? 'the row reads as GB18030 in a file that is UTF-8: the file mixes two encodings (two exports joined?); save the whole file as UTF-8 and build again'
        : 'the row has bytes that are not valid UTF-8; save the file as UTF-8 (or GB18030) and check this row';
    case 'invalid-encoding':
      return reject.detail === 'utf8-in-gb18030'
        ? 'the row is UTF-8 in a file that is GB18030: the file mixes two encodings (two exports joined?); save the whole file as UTF-8 and build again'
        : `the row has bytes that are not valid ${String(encoding).toUpperCase()}; save the file as UTF-8 and check this row`;
  }
}

/** Lines in another encoding than the file's, as one plain sentence (null when there are none). */
export function mixedEncodingNote(source: SourceFile): DataIssue | null {
  const mixed = (source.layout?.rejected ?? []).filter((r) => (r.kind === 'invalid-utf8' && r.readsAsGb18030) || (r.kind === 'invalid-encoding' && r.detail === 'utf8-in-gb18030'));
  if (!mixed.length) return null;
  const [other, own] = source.encoding === 'utf-8' ? ['GB18030', 'UTF-8'] : ['UTF-8', String(source.encoding).toUpperCase()];
  return {
    file: source.file,
    line: null,
    column: null,
    severity: 'warning',
    message: `the file mixes two encodings: ${mixed.length} ${mixed.length === 1 ? 'line is' : 'lines are'} ${other} (the first on line ${mixed[0].line}) in a file that is ${own}, as when two exports are joined; those rows are rejected: save the whole file as UTF-8 and build again`,
  };
}

/** How close a header is to a column's names: the share of characters they have in common (0–1). */
function likeness(header: string, names: readonly string[]): number {
  const h = new Set(normaliseHeader(header));
  let best = 0;
  for (const name of names) {
    const n = new Set(normaliseHeader(name));
    let common = 0;
    for (const c of h) if (n.has(c)) common++;
    best = Math.max(best, common / Math.max(h.size, n.size, 1));
  }
  return best;
}

/** The headers of a file closest to a missing column's names (at most 3), for the error's suggestion. */
export function closestHeaders(column: ColumnSpec, headers: readonly string[]): string[] {
  return headers
    .map((header) => ({ header, score: likeness(header, [column.name, ...column.aliases]) }))
    .filter((h) => h.header.trim() && h.score >= 0.34)
    .sort((a, b) => b.score - a.score)
    .slice(0, 3)
    .map((h) => h.header);
}

export function checkHeader(
  file: { spec: TableSpec; name: string },
  headers: string[],
  configured: Readonly<Record<string, string>> = {},
  /** the header's line (title and note lines may stand above it) */
  headerLine = 1,
): { columns: Map<string, number>; issues: DataIssue[] } {
  const mapping = mapHeader(file.spec, headers, configured);
  const problems: string[] = [];
  const shown = headers.length ? headers.map((h) => `"${h}"`).join(', ') : 'none';
  const unmapped = mapping.ignored.map((i) => i.header);
  for (const column of file.spec.columns) {
    if (column.required && !mapping.columns.has(column.name)) {
      const accepted = [column.name, ...column.aliases].join(' / ');
      const closest = closestHeaders(column, unmapped);
      const hint = closest.length
        ? `; closest: ${closest.map((h) => `"${h}"`).join(', ')}: if ${closest.length === 1 ? 'it is' : 'one is'} the ${column.name}, map it in qunlens.config.json: {"columns": {"${file.spec.name}": {"${closest[0]}": "${column.name}"}}}`
        : `; if the file names it otherwise, map that header in qunlens.config.json: {"columns": {"${file.spec.name}": {"<header>": "${column.name}"}}}`;
      problems.push(`${file.name}: required column ${column.name} is missing (accepted headers: ${accepted}); headers found: ${shown}${hint}`);
    }
  }
  for (const set of file.spec.oneOf ?? []) {
    if (!set.some((c) => mapping.columns.has(c))) problems.push(`${file.name}: needs one of the columns ${set.join(' or ')}; headers found: ${shown}`);
  }
  if (problems.length) throw new InputError(problems);
  const issues: DataIssue[] = [];
  for (const { header } of mapping.ignored) {
    issues.push({ file: file.name, line: headerLine, column: header, severity: 'warning', message: `column "${header}" is not part of the contract; ignored` });
  }
  for (const { header, column } of mapping.shadowed) {
    issues.push({ file: file.name, line: headerLine, column: header, severity: 'warning', message: `column "${header}" also maps to ${column}, which is read from "${headers[mapping.columns.get(column)!]}"; "${header}" is ignored` });
  }
  return { columns: mapping.columns, issues };
}

/**
 * FROM-able SQL reading a source: fields f0…f(n-1) as text in header order, plus `__overflow`
 * (non-NULL when a record has more fields than the header). null_padding turns a short record
 * into NULLs and a sentinel null string keeps empty fields as '', so "fewer fields" (the last
 * field is NULL) and "more fields" are visible per row instead of aborting the read.
 * With `rejects`, rows DuckDB cannot read at all (invalid encoding) go to that table.
 */
export function scanSql(source: SourceFile, rejects?: string): string {
  const fields = source.headers.map((_, i) => `f${i}`);
  if (source.format === 'parquet') {
    // NULL in Parquet is an empty field, as '' in a CSV (never "fewer fields than the header")
    const cols = source.headers.map((h, i) => `coalesce(CAST(${sqlIdent(h)} AS VARCHAR), '') AS f${i}`);
    return `(SELECT ${cols.join(', ')}, NULL::VARCHAR AS __overflow FROM read_parquet(${sqlString(source.readPath)}))`;
  }
  const columnTypes = [...fields, '__overflow'].map((f) => `${sqlString(f)}: 'VARCHAR'`).join(', ');
  const rejectOptions = rejects ? `, store_rejects = true, rejects_table = ${sqlString(rejects)}, rejects_scan = ${sqlString(`${rejects}_scan`)}` : '';
  return `read_csv(${sqlString(source.readPath)}, header = true, auto_detect = false, columns = {${columnTypes}},
      delim = ${sqlString(source.delimiter)}, quote = '"', escape = '"', null_padding = true, nullstr = chr(1),
      strict_mode = false, parallel = ${!source.serial}${source.skip ? `, skip = ${source.skip}` : ''}${rejectOptions})`;
}

/** True when DuckDB refused a parallel read that only a serial read can do. */
export function needsSerialRead(error: unknown): boolean {
  return /null_padding in conjunction with quoted new lines/.test((error as Error).message);
}

/** Run a scan, switching to a serial read when DuckDB asks for it. */
export async function withScan(db: Db, source: SourceFile, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof OutOfMemoryError) throw error;
    if (!needsSerialRead(error)) throw new InputError([`${source.file}: DuckDB could not read the file: ${(error as Error).message.split('\n')[0]}`]);
    source.serial = true;
    await run();
  }
}

/** Records of a table's files: read by DuckDB (stored or refused) and rejected by the scan. */
export function recordsOf(sources: readonly SourceFile[]): number {
  return sources.reduce((n, s) => n + s.stored + s.rejects.length + scanRejected(s), 0);
}

/**
 * How a workbook's sheet is read for a table (workbook.ts): its header is the first of its first
 * 10 rows that holds every required column (by name, alias or the configuration's `columns`),
 * and each column's kind says how a typed cell is written.
 */
export function workbookOptions(spec: TableSpec, configured: Readonly<Record<string, string>> = {}, sheet?: string) {
  return {
    sheet,
    findHeader: (rows: string[][]) => findHeaderRow(spec, rows, configured),
    columnKinds: (headers: string[]) => {
      const mapping = mapHeader(spec, headers, configured);
      const kinds: (ColumnKind | null)[] = headers.map(() => null);
      for (const [name, index] of mapping.columns) kinds[index] = spec.columns.find((c) => c.name === name)!.kind;
      return kinds;
    },
    expected: spec.columns.filter((c) => c.required).map((c) => c.name).join(', '),
  };
}

/**
 * A workbook's rows once the scan has read its CSV: the Excel row of each record DuckDB reads
 * (the scan's rejected records left out), and each rejected record named by its Excel row.
 */
export function workbookRows(source: SourceFile, rows: ArrayLike<number>): void {
  const layout = source.layout;
  if (!layout || !layout.rejected.length) {
    source.rowNumbers = rows;
    return;
  }
  // a record's place among all records: its line, less the lines that start none before it
  const skips = layout.skips;
  const ordinal = (line: number) => {
    let skipped = 0;
    for (let i = 0; i < skips.length; i += 2) if (skips[i] < line) skipped += Math.min(skips[i + 1], line - 1) - skips[i] + 1;
    const rejectedBefore = layout.rejected.filter((r) => r.firstLine < line).length;
    return line - layout.headerLines - 1 - skipped + rejectedBefore;
  };
  const rejected = new Set<number>();
  for (const r of layout.rejected) {
    const k = ordinal(r.firstLine);
    rejected.add(k);
    r.line = rows[k] ?? r.line;
  }
  source.rowNumbers = Array.from(rows).filter((_, k) => !rejected.has(k));
}
