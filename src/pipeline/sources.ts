/**
 * Input files before DuckDB reads them: which files of the contract are there, their encoding,
 * header and delimiter, which header field is which column, and the `read_csv` expression that
 * reads them. A missing required file or column, or a file that is not a CSV at all, stops the
 * build with one message naming the file, what is missing and the headers found.
 */
import { open } from 'node:fs/promises';
import { mapHeader, TABLES, type TableName, type TableSpec } from '../contract.ts';
import { sqlIdent, sqlString, type Db } from '../db/db.ts';
import { sniffCsv, transcodeToUtf8, type CsvEncoding } from './csv-file.ts';
import type { Effects } from './effects.ts';

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

interface FoundFile {
  spec: TableSpec;
  name: string;
  path: string;
  format: 'csv' | 'parquet';
}

/** Which contract files are in the folder; anything else is named as ignored. */
export async function locateInputs(effects: Effects, dataDir: string): Promise<{ found: FoundFile[]; issues: DataIssue[] }> {
  if (!(await effects.exists(dataDir))) throw new InputError([`data folder ${dataDir} does not exist`]);
  const names = (await effects.readdir(dataDir)).sort();
  const found: FoundFile[] = [];
  const issues: DataIssue[] = [];
  const claimed = new Set<string>();
  for (const spec of TABLES) {
    for (const format of ['csv', 'parquet'] as const) {
      const name = names.find((n) => n.toLowerCase() === `${spec.name}.${format}`);
      if (!name) continue;
      if (found.some((f) => f.spec.name === spec.name)) {
        issues.push({ file: name, line: null, column: null, severity: 'warning', message: `both ${spec.name}.csv and ${name} exist; ${spec.name}.csv is used and ${name} is ignored` });
        claimed.add(name);
        continue;
      }
      found.push({ spec, name, path: effects.path.join(dataDir, name), format });
      claimed.add(name);
    }
  }
  const messages = found.find((f) => f.spec.name === 'messages');
  const activity = found.find((f) => f.spec.name === 'activity');
  if (messages && activity) {
    issues.push({ file: activity.name, line: null, column: null, severity: 'warning', message: `both messages and activity were given; activity metrics use ${messages.name} and ${activity.name} is ignored` });
    found.splice(found.indexOf(activity), 1);
  }
  for (const name of names) {
    if (claimed.has(name) || name.startsWith('.') || /^readme/i.test(name) || name === 'qunlens.config.json') continue;
    if (/\.(csv|parquet|xlsx?|tsv|txt)$/i.test(name)) {
      issues.push({ file: name, line: null, column: null, severity: 'warning', message: `${name} is not one of the contract's files (${TABLES.map((t) => `${t.name}.csv`).join(', ')}); ignored` });
    }
  }
  const missing = TABLES.filter((t) => t.required && !found.some((f) => f.spec.name === t.name));
  if (missing.length) {
    throw new InputError(
      missing.map((t) => `${t.name}.csv is required but is not in ${dataDir} (found: ${names.filter((n) => !n.startsWith('.')).join(', ') || 'nothing'})`),
    );
  }
  return { found, issues };
}

function checkHeader(file: FoundFile, headers: string[]): { columns: Map<string, number>; issues: DataIssue[] } {
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

async function looksBinary(path: string): Promise<string | null> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(8);
    const { bytesRead } = await handle.read(buffer, 0, 8, 0);
    if (bytesRead === 0) return 'the file is empty (no header row)';
    if (buffer[0] === 0x50 && buffer[1] === 0x4b) return 'this is an Excel workbook (or another zip file), not a CSV: in Excel use "Save as → CSV UTF-8"';
    if (buffer[0] === 0xd0 && buffer[1] === 0xcf) return 'this is an old Excel .xls workbook, not a CSV: in Excel use "Save as → CSV UTF-8"';
    if (buffer.subarray(0, bytesRead).includes(0) && !(buffer[0] === 0xff && buffer[1] === 0xfe) && !(buffer[0] === 0xfe && buffer[1] === 0xff)) {
      return 'the file contains binary data, not CSV text';
    }
    return null;
  } finally {
    await handle.close();
  }
}

async function prepareCsv(effects: Effects, file: FoundFile, workDir: string): Promise<SourceFile> {
  const binary = await looksBinary(file.path);
  if (binary) throw new InputError([`${file.name}: cannot be read: ${binary}`]);
  const sniff = await sniffCsv(file.path);
  if (sniff.headers.every((h) => h === '')) throw new InputError([`${file.name}: the first line is empty; the first line must be the header row`]);
  const { columns, issues } = checkHeader(file, sniff.headers);
  const source: SourceFile = {
    spec: file.spec,
    table: file.spec.name,
    file: file.name,
    path: file.path,
    readPath: file.path,
    format: 'csv',
    encoding: sniff.encoding,
    asciiOnlyPrefix: sniff.asciiOnlyPrefix,
    delimiter: sniff.delimiter,
    headers: sniff.headers,
    columns,
    issues,
    serial: false,
  };
  if (sniff.encoding !== 'utf-8') await transcode(effects, source, sniff.encoding, workDir);
  return source;
}

/** Read a file through a UTF-8 copy (GB18030 and UTF-16 exports). */
export async function transcode(effects: Effects, source: SourceFile, encoding: CsvEncoding, workDir: string): Promise<void> {
  source.readPath = effects.path.join(workDir, `${source.table}.utf8.csv`);
  source.encoding = encoding;
  await transcodeToUtf8(source.path, source.readPath, encoding);
}

async function prepareParquet(db: Db, file: FoundFile): Promise<SourceFile> {
  let described: { column_name: string }[];
  try {
    described = await db.rows<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file.path)})`);
  } catch (error) {
    throw new InputError([`${file.name}: cannot be read as Parquet: ${(error as Error).message.split('\n')[0]}`]);
  }
  const headers = described.map((d) => d.column_name);
  const { columns, issues } = checkHeader(file, headers);
  return {
    spec: file.spec,
    table: file.spec.name,
    file: file.name,
    path: file.path,
    readPath: file.path,
    format: 'parquet',
    encoding: 'parquet',
    asciiOnlyPrefix: false,
    delimiter: ',',
    headers,
    columns,
    issues,
    serial: false,
  };
}

export interface PreparedInputs {
  sources: Map<TableName, SourceFile>;
  issues: DataIssue[];
}

/** Locate and prepare every input; all fatal problems are reported together. */
export async function prepareInputs(db: Db, effects: Effects, options: { dataDir: string; workDir: string }): Promise<PreparedInputs> {
  const { found, issues } = await locateInputs(effects, options.dataDir);
  const problems: string[] = [];
  const sources = new Map<TableName, SourceFile>();
  for (const file of found) {
    try {
      sources.set(file.spec.name, file.format === 'csv' ? await prepareCsv(effects, file, options.workDir) : await prepareParquet(db, file));
    } catch (error) {
      if (error instanceof InputError) problems.push(...error.problems);
      else throw error;
    }
  }
  if (problems.length) throw new InputError(problems);
  return { sources, issues };
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
