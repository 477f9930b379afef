/**
 * Input files before DuckDB reads them: which files of the contract are there, their encoding,
 * header and delimiter, which header field is which column, and the `read_csv` expression that
 * reads them. A missing required file or column, or a file that is not a CSV at all, stops the
 * build with one message naming the file, what is missing and the headers found.
 */
import { open } from 'node:fs/promises';
import { TABLES, type TableName, type TableSpec } from '../contract.ts';
import { sqlString, type Db } from '../db/db.ts';
import { sniffCsv, transcodeToUtf8, type CsvEncoding } from './csv-file.ts';
import type { Effects } from './effects.ts';
import { checkHeader, InputError, type DataIssue, type SourceFile } from './scan.ts';

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

