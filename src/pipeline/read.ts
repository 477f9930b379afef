/**
 * Step 1, read: every input file of the contract → a raw DuckDB table of text columns named by
 * their canonical names, with the physical line each row came from.
 *
 * DuckDB does the reading (parallel, columnar); this module decides how to call it: which file,
 * which encoding, which header field is which column, and how to recover line numbers.
 * A missing required file or column, or a file that is not a CSV at all, stops the build with
 * one message that names the file, what is missing, and the headers found.
 */
import { open } from 'node:fs/promises';
import { mapHeader, TABLES, type TableName, type TableSpec } from '../contract.ts';
import { sqlIdent, sqlString, type Db } from '../db/db.ts';
import {
  findBlankLines,
  lineBreakpoints,
  linesAtOffsets,
  sniffCsv,
  transcodeToUtf8,
  type CsvEncoding,
  type LineBreakpoint,
} from './csv-file.ts';
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

export interface RawTable {
  table: TableName;
  /** File name as the operator knows it, e.g. members.csv */
  file: string;
  path: string;
  format: 'csv' | 'parquet';
  encoding: CsvEncoding | 'parquet';
  headers: string[];
  /** Canonical columns present in the file. */
  columns: string[];
  /** Records DuckDB stored (rows read minus rows it could not read at all). */
  rows: number;
  /**
   * A FROM-able SQL source with `__line` (physical line; for Parquet the row number), the
   * canonical columns as VARCHAR, and `__short`/`__long` (record had fewer/more fields than the header).
   */
  source: string;
  issues: DataIssue[];
}

export interface ReadResult {
  tables: Map<TableName, RawTable>;
  issues: DataIssue[];
}

/** Input that cannot be used at all: the build stops and the previous site stays. */
export class InputError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} input problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

export interface ReadOptions {
  dataDir: string;
  /** Scratch folder for UTF-8 copies of GB18030/UTF-16 files. */
  workDir: string;
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

export async function readInputs(db: Db, effects: Effects, options: ReadOptions): Promise<ReadResult> {
  const { found, issues } = await locateInputs(effects, options.dataDir);
  const problems: string[] = [];
  const tables = new Map<TableName, RawTable>();
  for (const file of found) {
    try {
      const raw = file.format === 'csv' ? await readCsv(db, effects, file, options) : await readParquet(db, file);
      tables.set(file.spec.name, raw);
    } catch (error) {
      if (error instanceof InputError) problems.push(...error.problems);
      else throw error;
    }
  }
  if (problems.length) throw new InputError(problems);
  return { tables, issues };
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
    if (!set.some((c) => mapping.columns.has(c))) {
      problems.push(`${file.name}: needs one of the columns ${set.join(' or ')}; headers found: ${shown}`);
    }
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

async function readCsv(db: Db, effects: Effects, file: FoundFile, options: ReadOptions): Promise<RawTable> {
  const binary = await looksBinary(file.path);
  if (binary) throw new InputError([`${file.name}: cannot be read: ${binary}`]);
  const sniff = await sniffCsv(file.path);
  if (sniff.headers.every((h) => h === '')) throw new InputError([`${file.name}: the first line is empty; the first line must be the header row`]);
  const { columns, issues } = checkHeader(file, sniff.headers);

  let encoding = sniff.encoding;
  let readPath = file.path;
  if (encoding !== 'utf-8') {
    readPath = effects.path.join(options.workDir, `${file.spec.name}.utf8.csv`);
    await transcodeToUtf8(file.path, readPath, encoding);
  }
  let loaded = await loadCsv(db, file, readPath, sniff.delimiter, sniff.headers.length, columns);
  if (loaded.rejects.some((r) => r.error_type === 'INVALID ENCODING') && sniff.asciiOnlyPrefix && encoding === 'utf-8') {
    // The first megabyte was plain ASCII, so the encoding was a guess; the bytes DuckDB
    // refused say it was GB18030 after all.
    encoding = 'gb18030';
    readPath = effects.path.join(options.workDir, `${file.spec.name}.utf8.csv`);
    await transcodeToUtf8(file.path, readPath, encoding);
    loaded = await loadCsv(db, file, readPath, sniff.delimiter, sniff.headers.length, columns);
  }

  // Physical lines: blank lines and unreadable records hold no stored row; quoted newlines
  // make a record longer than one line.
  const [blankLines, multiLine] = await Promise.all([
    findBlankLines(readPath),
    db.rows<{ row: number; extra: number }>(`SELECT rowid AS row, __nl AS extra FROM ${loaded.table} WHERE __nl > 0 ORDER BY rowid`),
  ]);
  const rejectLines = await linesAtOffsets(readPath, loaded.rejects.map((r) => r.byte_position));
  const breakpoints = lineBreakpoints(multiLine, [...blankLines, ...rejectLines.values()]);
  const source = await lineSource(db, loaded.table, breakpoints);

  for (const reject of loaded.rejects) {
    const header = reject.column_name?.startsWith('f') ? sniff.headers[Number(reject.column_name.slice(1))] : null;
    const canonical = header ? [...columns.entries()].find(([, i]) => sniff.headers[i] === header)?.[0] : null;
    issues.push({
      file: file.name,
      line: rejectLines.get(reject.byte_position) ?? null,
      column: canonical ?? header ?? null,
      severity: 'error',
      message:
        reject.error_type === 'INVALID ENCODING'
          ? `the row has bytes that are not valid ${encoding === 'utf-8' ? 'UTF-8' : encoding.toUpperCase()}; save the file as UTF-8 (or GB18030) and check this row`
          : `the row could not be read as CSV (${reject.error_message.split('\n')[0]}); check quotes and delimiters on this line`,
    });
  }
  return {
    table: file.spec.name,
    file: file.name,
    path: file.path,
    format: 'csv',
    encoding,
    headers: sniff.headers,
    columns: [...columns.keys()],
    rows: loaded.rows,
    source,
    issues,
  };
}

interface RejectRow {
  byte_position: number;
  column_name: string | null;
  error_type: string;
  error_message: string;
}

async function loadCsv(
  db: Db,
  file: FoundFile,
  path: string,
  delimiter: string,
  fieldCount: number,
  columns: Map<string, number>,
): Promise<{ table: string; rows: number; rejects: RejectRow[] }> {
  const table = `raw_${file.spec.name}`;
  const rejects = `rejects_${file.spec.name}`;
  // Every header field is read as text (f0…), plus one overflow field. null_padding turns a
  // short record into NULLs and a sentinel null string keeps empty fields as '', so "fewer
  // fields than the header" and "more fields" are visible per row instead of aborting the read.
  const fields = Array.from({ length: fieldCount }, (_, i) => `f${i}`);
  const columnTypes = [...fields, '__overflow'].map((f) => `${sqlString(f)}: 'VARCHAR'`).join(', ');
  const newlineCount = fields.map((f) => `coalesce(length(${f}) - length(replace(${f}, chr(10), '')), 0)`).join(' + ');
  const anyNewline = fields.map((f) => `contains(${f}, chr(10))`).join(' OR ');
  const select = [
    ...[...columns.entries()].map(([name, index]) => `f${index} AS ${sqlIdent(name)}`),
    `f${fieldCount - 1} IS NULL AS __short`,
    `__overflow IS NOT NULL AS __long`,
    `CASE WHEN ${anyNewline} THEN ${newlineCount} ELSE 0 END AS __nl`,
  ].join(', ');
  const read = (parallel: boolean) => `
    CREATE OR REPLACE TABLE ${table} AS SELECT ${select}
    FROM read_csv(${sqlString(path)}, header = true, auto_detect = false, columns = {${columnTypes}},
      delim = ${sqlString(delimiter)}, quote = '"', escape = '"', null_padding = true, nullstr = chr(1),
      strict_mode = false, store_rejects = true, rejects_table = ${sqlString(rejects)},
      rejects_scan = ${sqlString(`${rejects}_scan`)}, parallel = ${parallel})`;
  try {
    await db.exec(read(true));
  } catch (error) {
    // DuckDB's parallel reader cannot pad short rows when a quoted field holds a newline;
    // that file is read on one thread instead.
    if (!/null_padding in conjunction with quoted new lines/.test((error as Error).message)) {
      throw new InputError([`${file.name}: DuckDB could not read the file: ${(error as Error).message.split('\n')[0]}`]);
    }
    await db.exec(read(false));
  }
  const [{ rows }] = await db.rows<{ rows: number }>(`SELECT count(*)::BIGINT AS rows FROM ${table}`);
  const rejectRows = await db.rows<RejectRow>(
    `SELECT byte_position::BIGINT AS byte_position, column_name, error_type::VARCHAR AS error_type, error_message FROM ${rejects} ORDER BY byte_position`,
  );
  return { table, rows, rejects: rejectRows };
}

/** SQL source that adds `__line` to a raw table, from the breakpoints. */
async function lineSource(db: Db, table: string, breakpoints: readonly LineBreakpoint[]): Promise<string> {
  if (breakpoints.length === 0) return `(SELECT rowid + 2 AS __line, * FROM ${table})`;
  if (breakpoints.length <= 64) {
    const cases = [...breakpoints].reverse().map((b) => `WHEN rowid >= ${b.fromRow} THEN ${b.offset}`).join(' ');
    return `(SELECT rowid + 2 + CASE ${cases} ELSE 0 END AS __line, * FROM ${table})`;
  }
  const lines = `${table}_lines`;
  await db.exec(`CREATE OR REPLACE TABLE ${lines} (from_row BIGINT, line_offset BIGINT)`);
  for (let i = 0; i < breakpoints.length; i += 1000) {
    const values = breakpoints.slice(i, i + 1000).map((b) => `(${b.fromRow}, ${b.offset})`).join(', ');
    await db.exec(`INSERT INTO ${lines} VALUES ${values}`);
  }
  return `(SELECT r.__row + 2 + coalesce(b.line_offset, 0) AS __line, r.* EXCLUDE (__row)
    FROM (SELECT rowid AS __row, * FROM ${table}) r ASOF LEFT JOIN ${lines} b ON r.__row >= b.from_row)`;
}

async function readParquet(db: Db, file: FoundFile): Promise<RawTable> {
  let described: { column_name: string }[];
  try {
    described = await db.rows<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file.path)})`);
  } catch (error) {
    throw new InputError([`${file.name}: cannot be read as Parquet: ${(error as Error).message.split('\n')[0]}`]);
  }
  const headers = described.map((d) => d.column_name);
  const { columns, issues } = checkHeader(file, headers);
  const table = `raw_${file.spec.name}`;
  const select = [...columns.entries()].map(([name, index]) => `CAST(${sqlIdent(headers[index])} AS VARCHAR) AS ${sqlIdent(name)}`);
  await db.exec(`CREATE OR REPLACE TABLE ${table} AS
    SELECT file_row_number + 1 AS __line, ${select.join(', ')}, false AS __short, false AS __long
    FROM read_parquet(${sqlString(file.path)}, file_row_number = true)`);
  const [{ rows }] = await db.rows<{ rows: number }>(`SELECT count(*)::BIGINT AS rows FROM ${table}`);
  return {
    table: file.spec.name,
    file: file.name,
    path: file.path,
    format: 'parquet',
    encoding: 'parquet',
    headers,
    columns: [...columns.keys()],
    rows,
    source: table,
    issues,
  };
}
