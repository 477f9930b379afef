/**
 * Input files before DuckDB reads them: which files of the contract are there, their encoding,
 * header and delimiter, which header field is which column, and the `read_csv` expression that
 * reads them. A missing required file or column, or a file that is not a CSV at all, stops the
 * build with one message naming the file, what is missing and the headers found.
 */
import { open } from 'node:fs/promises';
import { TABLES, type TableName, type TableSpec } from '../contract.ts';
import { sqlString, type Db } from '../db/db.ts';
import { layOutCsv, needsCopy, unaccountedLines } from './csv-scan.ts';
import { scanCsvFile, sniffCsv, transcodeToUtf8, writeErasedCopy, type CsvEncoding } from './csv-file.ts';
import { utf16WithoutBom } from './csv-text.ts';
import type { Effects } from './effects.ts';
import { checkHeader, InputError, mixedEncodingNote, type DataIssue, type SourceFile } from './scan.ts';

export { checkHeader, InputError, needsSerialRead, scanSql, type DataIssue, type Severity, type SourceFile } from './scan.ts';

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

async function looksBinary(path: string): Promise<string | null> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead);
    if (head[0] === 0x50 && head[1] === 0x4b) return 'this is an Excel workbook (or another zip file), not a CSV: in Excel use "Save as → CSV UTF-8"';
    if (head[0] === 0xd0 && head[1] === 0xcf) return 'this is an old Excel .xls workbook, not a CSV: in Excel use "Save as → CSV UTF-8"';
    const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff) || utf16WithoutBom(head) !== null;
    if (!utf16 && head.subarray(0, 8).includes(0)) return 'the file contains binary data, not CSV text';
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
    delimiter: sniff.delimiter,
    headers: sniff.headers,
    columns,
    issues,
    serial: false,
    layout: null,
  };
  await layOut(effects, source, workDir, sniff.encodingGuessed);
  return source;
}

/**
 * Every line of a CSV accounted for before DuckDB reads it (csv-scan.ts): the file's UTF-8
 * copy when it is GB18030 or UTF-16, its layout, and, when the scan rejected records, a copy
 * without them for DuckDB to read.
 */
async function layOut(effects: Effects, source: SourceFile, workDir: string, encodingGuessed: boolean): Promise<void> {
  const { layout } = await layOutCsv(source.encoding as CsvEncoding, encodingGuessed, {
    scan: (options) => scanCsvFile(source.readPath, { delimiter: source.delimiter, headerFields: source.headers.length, ...options }),
    transcode: (encoding) => transcode(effects, source, encoding, workDir),
  });
  if (layout.headerRejected) {
    throw new InputError([`${source.file}: the header row (line 1) cannot be read: it has a quote (") that does not close; fix the header and export again`]);
  }
  if (unaccountedLines(layout) !== 0) throw new Error(`${source.file}: the scan left ${unaccountedLines(layout)} lines unaccounted for`);
  if (needsCopy(layout)) {
    const copy = effects.path.join(workDir, `${source.table}.read.csv`);
    await writeErasedCopy(source.readPath, copy, layout);
    source.readPath = copy;
  }
  source.layout = layout;
  source.serial = layout.multiLine;
  const note = mixedEncodingNote(source);
  if (note) source.issues.push(note);
}

/** Read a file through a UTF-8 copy (GB18030 and UTF-16 exports); returns the lines it had to leave empty. */
async function transcode(effects: Effects, source: SourceFile, encoding: Exclude<CsvEncoding, 'utf-8'>, workDir: string): Promise<Map<number, string>> {
  source.readPath = effects.path.join(workDir, `${source.table}.utf8.csv`);
  source.encoding = encoding;
  return transcodeToUtf8(source.path, source.readPath, encoding);
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
    delimiter: ',',
    headers,
    columns,
    issues,
    serial: false,
    layout: null,
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
    if ((await effects.stat(file.path)).size === 0) {
      // an export that wrote nothing: fatal for a table the site cannot do without
      if (file.spec.required) problems.push(`${file.name}: the file is empty (0 bytes); export it again: it needs at least its header row`);
      else issues.push({ file: file.name, line: null, column: null, severity: 'warning', message: `the file is empty (0 bytes) and is ignored: the pages that need ${file.spec.name} say it is missing; export it again to include it` });
      continue;
    }
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

