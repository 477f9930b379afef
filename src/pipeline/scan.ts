/**
 * What reading a source takes that needs no file system, shared by the build and the
 * browser's CSV preview: the data-quality line, the fatal input error, a source's description,
 * the header check against the contract, and the `read_csv` expression.
 */
import { mapHeader, type TableName, type TableSpec } from '../contract.ts';
import { sqlIdent, sqlString } from '../db/db.ts';
import type { CsvEncoding } from './csv-text.ts';

export type Severity = 'error' | 'warning';

/** One line of the data-quality table (dist/data/data_quality.csv). */
export interface DataIssue {
  file: string;
  line: number | null;
  column: string | null;
  severity: Severity;
  message: string;
}

/** Input that cannot be used at all: the build stops and the previous site stays. */
export class InputError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} input problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

export interface SourceFile {
  spec: TableSpec;
  table: TableName;
  /** file name as the operator knows it, e.g. members.csv */
  file: string;
  /** the operator's file */
  path: string;
  /** what DuckDB reads: the file itself, or its UTF-8 copy in the work folder */
  readPath: string;
  format: 'csv' | 'parquet';
  encoding: CsvEncoding | 'parquet';
  /** the first megabyte was plain ASCII: the encoding was guessed, not seen */
  asciiOnlyPrefix: boolean;
  delimiter: string;
  headers: string[];
  /** canonical column → index of the header field that supplies it */
  columns: Map<string, number>;
  /** header warnings (ignored and shadowed columns) */
  issues: DataIssue[];
  /** read on one thread (DuckDB cannot pad short rows in parallel when fields hold newlines) */
  serial: boolean;
}

export function checkHeader(file: { spec: TableSpec; name: string }, headers: string[]): { columns: Map<string, number>; issues: DataIssue[] } {
  const mapping = mapHeader(file.spec, headers);
  const problems: string[] = [];
  const shown = headers.length ? headers.map((h) => `"${h}"`).join(', ') : 'none';
  for (const column of file.spec.columns) {
    if (column.required && !mapping.columns.has(column.name)) {
      const accepted = [column.name, ...column.aliases].join(' / ');
      problems.push(`${file.name}: required column ${column.name} is missing (accepted headers: ${accepted}); headers found: ${shown}`);
    }
  }
  for (const set of file.spec.oneOf ?? []) {
    if (!set.some((c) => mapping.columns.has(c))) problems.push(`${file.name}: needs one of the columns ${set.join(' or ')}; headers found: ${shown}`);
  }
  if (problems.length) throw new InputError(problems);
  const issues: DataIssue[] = [];
  for (const { header } of mapping.ignored) {
    issues.push({ file: file.name, line: 1, column: header, severity: 'warning', message: `column "${header}" is not part of the contract; ignored` });
  }
  for (const { header, column } of mapping.shadowed) {
    issues.push({ file: file.name, line: 1, column: header, severity: 'warning', message: `column "${header}" also maps to ${column}, which is read from "${headers[mapping.columns.get(column)!]}"; "${header}" is ignored` });
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
      strict_mode = false, parallel = ${!source.serial}${rejectOptions})`;
}

/** True when DuckDB refused a parallel read that only a serial read can do. */
export function needsSerialRead(error: unknown): boolean {
  return /null_padding in conjunction with quoted new lines/.test((error as Error).message);
}
