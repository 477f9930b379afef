/**
 * Input files before DuckDB reads them: which files of the contract are there, their encoding,
 * header and delimiter, which header field is which column, and the `read_csv` expression that
 * reads them. A missing required file or column, or a file that is not a CSV at all, stops the
 * build with one message naming the file, what is missing and the headers found.
 */
import { open } from 'node:fs/promises';
import { holdsRequired, mapHeader, type TableName } from '../core/contract.ts';
import type { QunlensConfig } from '../core/config.ts';
import { sqlString, type Db } from '../db/db.ts';
import { layOutCsv, needsCopy, unaccountedLines } from './csv-scan.ts';
import { scanCsvFile, sniffCsv, transcodeToUtf8, writeErasedCopy } from './csv-file.ts';
import { type CsvEncoding } from './csv-text.ts';
import { utf16WithoutBom } from './csv-text.ts';
import { discoverInputs, type InputFile } from './discover.ts';
import type { Effects } from '../core/effects.ts';
import { checkHeader, InputError, mixedEncodingNote, workbookOptions, workbookRows, type DataIssue, type SourceFile } from './source-files.ts';
import { startsLikeZip } from './workbook.ts';
import { workbookToCsv } from './workbook-file.ts';
import { ARCHIVE_HEADERS, archiveToCsv, looksLikeChatArchive } from './chat-archive.ts';


async function looksBinary(path: string): Promise<string | null> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead);
    if (head[0] === 0x50 && head[1] === 0x4b) return 'this is a zip file, but not one an Excel workbook (.xlsx) is: export the table again';
    if (head[0] === 0xd0 && head[1] === 0xcf) return 'this is an Excel 97–2003 workbook (.xls), or a password-protected one: export it as .xlsx, without a password';
    const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff) || utf16WithoutBom(head) !== null;
    if (!utf16 && head.subarray(0, 8).includes(0)) return 'the file contains binary data, not CSV text';
    return null;
  } finally {
    await handle.close();
  }
}

/** What preparing a file needs beyond the file: the work folder and the configuration's mappings. */
interface PrepareContext {
  workDir: string;
  /** config `columns`: an export's own headers → contract columns, per table */
  columns: Partial<Record<TableName, Record<string, string>>>;
  /** config `sheet`: the workbook sheet to read */
  sheet?: string;
}

/** Base of this file's copies in the work folder (several files per table). */
function workName(file: InputFile, index: number): string {
  return `${file.spec.name}-${index}`;
}

function newSource(file: InputFile, index: number, fields: Pick<SourceFile, 'format' | 'encoding' | 'delimiter' | 'headers' | 'columns' | 'issues'>): SourceFile {
  return {
    spec: file.spec,
    table: file.spec.name,
    file: file.name,
    index,
    path: file.path,
    readPath: file.path,
    serial: false,
    layout: null,
    skip: 0,
    sheet: null,
    rowNumbers: null,
    archive: null,
    firstRow: 0,
    stored: 0,
    rejects: [],
    ...fields,
  };
}

async function prepareCsv(effects: Effects, file: InputFile, index: number, context: PrepareContext): Promise<SourceFile> {
  const binary = await looksBinary(file.path);
  if (binary) throw new InputError([`${file.name}: cannot be read: ${binary}`]);
  const configured = context.columns[file.spec.name] ?? {};
  // the header: the first of the first 10 lines that holds every required column
  const sniff = await sniffCsv(file.path, (fields) => holdsRequired(file.spec, mapHeader(file.spec, fields, configured)));
  if (sniff.headers.every((h) => h === '')) throw new InputError([`${file.name}: the first line is empty; the first line must be the header row`]);
  const { columns, issues } = checkHeader(file, sniff.headers, configured, sniff.headerLine);
  const source = newSource(file, index, { format: 'csv', encoding: sniff.encoding, delimiter: sniff.delimiter, headers: sniff.headers, columns, issues });
  await layOut(effects, source, context.workDir, sniff.encodingGuessed, sniff.headerLine, workName(file, index));
  return source;
}

/**
 * Every line of a CSV accounted for before DuckDB reads it (csv-scan.ts): the file's UTF-8
 * copy when it is GB18030 or UTF-16, its layout, and, when the scan rejected records, a copy
 * without them for DuckDB to read.
 */
async function layOut(effects: Effects, source: SourceFile, workDir: string, encodingGuessed: boolean, headerAt: number, name: string): Promise<void> {
  // (a workbook's or an archive's CSV is ours: UTF-8)
  const encoding = source.format === 'csv' ? (source.encoding as CsvEncoding) : 'utf-8';
  const { layout } = await layOutCsv(encoding, encodingGuessed, {
    scan: (options) => scanCsvFile(source.readPath, { delimiter: source.delimiter, headerFields: source.headers.length, headerAt, ...options }),
    transcode: (encoding) => transcode(source, encoding, effects.path.join(workDir, `${name}.utf8.csv`)),
  });
  if (layout.headerRejected) {
    throw new InputError([`${source.file}: the header row (line ${headerAt}) cannot be read: it has a quote (") that does not close; fix the header and export again`]);
  }
  if (unaccountedLines(layout) !== 0) throw new Error(`${source.file}: the scan left ${unaccountedLines(layout)} lines unaccounted for`);
  if (needsCopy(layout)) {
    const copy = effects.path.join(workDir, `${name}.read.csv`);
    await writeErasedCopy(source.readPath, copy, layout);
    source.readPath = copy;
  }
  source.layout = layout;
  source.skip = layout.skipRecords;
  source.serial = layout.multiLine;
  const note = mixedEncodingNote(source);
  if (note) source.issues.push(note);
}

/** Read a file through a UTF-8 copy (GB18030 and UTF-16 exports); returns the lines with bytes invalid in its encoding. */
async function transcode(source: SourceFile, encoding: Exclude<CsvEncoding, 'utf-8'>, copy: string): Promise<Map<number, string>> {
  source.readPath = copy;
  source.encoding = encoding;
  return transcodeToUtf8(source.path, copy, encoding);
}

/**
 * A workbook: its sheet (the configured one, or the first whose header fits) written as a CSV
 * the CSV path reads (workbook.ts), each record mapped to the row Excel shows.
 */
async function prepareWorkbook(effects: Effects, file: InputFile, index: number, context: PrepareContext): Promise<SourceFile> {
  const configured = context.columns[file.spec.name] ?? {};
  const csv = effects.path.join(context.workDir, `${workName(file, index)}.sheet.csv`);
  const sheet = await workbookToCsv(file.path, csv, { ...workbookOptions(file.spec, configured, context.sheet), file: file.name });
  return fromConvertedCsv(effects, file, index, context, csv, { format: 'xlsx', headers: sheet.headers, headerAt: sheet.headerRow, rows: sheet.rows, sheet: sheet.sheet });
}

/**
 * A chat archive (.jsonl, .json): its group messages written as a CSV the CSV path reads
 * (chat-archive.ts), each record mapped to the line it starts on; the records that are not
 * messages counted, the unreadable ones rejected by line.
 */
async function prepareArchive(effects: Effects, file: InputFile, index: number, context: PrepareContext): Promise<SourceFile> {
  const csv = effects.path.join(context.workDir, `${workName(file, index)}.archive.csv`);
  const archive = await archiveToCsv(file.path, csv);
  const source = await fromConvertedCsv(effects, file, index, context, csv, { format: 'json', headers: [...ARCHIVE_HEADERS], headerAt: 1, rows: archive.rows, sheet: null });
  source.issues.push(...archive.rejected.map((r) => ({ file: file.name, ...r })));
  source.archive = { lines: archive.lines, blankLines: archive.blankLines, other: archive.other, rejected: archive.rejected.length };
  return source;
}

/**
 * A source read through the CSV a workbook or an archive was written as (UTF-8, our own
 * quoting): its header checked (issues named at `headerAt`, the sheet's row or the line), its
 * lines laid out as any CSV's, and each record mapped to its place in the original (`rows`).
 */
async function fromConvertedCsv(
  effects: Effects,
  file: InputFile,
  index: number,
  context: PrepareContext,
  csv: string,
  converted: { format: 'xlsx' | 'json'; headers: string[]; headerAt: number; rows: ArrayLike<number>; sheet: string | null },
): Promise<SourceFile> {
  const { columns, issues } = checkHeader(file, converted.headers, context.columns[file.spec.name] ?? {}, converted.headerAt);
  for (const issue of issues) issue.sheet = converted.sheet;
  const source = newSource(file, index, { format: converted.format, encoding: converted.format, delimiter: ',', headers: converted.headers, columns, issues });
  source.readPath = csv;
  source.sheet = converted.sheet;
  await layOut(effects, source, context.workDir, false, 1, workName(file, index));
  workbookRows(source, converted.rows);
  return source;
}

/** A file's first bytes say it is a zip (an .xlsx workbook, whatever its name says). */
async function isZip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    return startsLikeZip(head);
  } finally {
    await handle.close();
  }
}

async function prepareParquet(db: Db, file: InputFile, index: number, context: PrepareContext): Promise<SourceFile> {
  let described: { column_name: string }[];
  try {
    described = await db.rows<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file.path)})`);
  } catch (error) {
    throw new InputError([`${file.name}: cannot be read as Parquet: ${(error as Error).message.split('\n')[0]}`]);
  }
  const headers = described.map((d) => d.column_name);
  const { columns, issues } = checkHeader(file, headers, context.columns[file.spec.name] ?? {});
  return newSource(file, index, { format: 'parquet', encoding: 'parquet', delimiter: ',', headers, columns, issues });
}

export interface PreparedInputs {
  /** the files of each table, in name order */
  sources: Map<TableName, SourceFile[]>;
  issues: DataIssue[];
}

export interface PrepareOptions {
  dataDir: string;
  workDir: string;
  /** config `files`, `columns` and `sheet` */
  config?: Pick<QunlensConfig, 'files' | 'columns' | 'sheet'>;
  /**
   * Told of each table as soon as its files are prepared (members first, then messages, then
   * the rest), so DuckDB can load it while the next is prepared. All of prepareInputs' fatal
   * problems are still thrown together at its end.
   */
  onTable?: (table: TableName, sources: SourceFile[]) => void;
}

/** members first (the first load), messages next (the longest scan, done while others load). */
const PREPARE_FIRST: readonly TableName[] = ['members', 'messages'];
const prepareRank = (table: TableName) => (PREPARE_FIRST.includes(table) ? PREPARE_FIRST.indexOf(table) : PREPARE_FIRST.length);

/** Locate and prepare every input; all fatal problems are reported together. */
export async function prepareInputs(db: Db, effects: Effects, options: PrepareOptions): Promise<PreparedInputs> {
  const { files, issues } = await discoverInputs(effects, options.dataDir, options.config, looksLikeChatArchive);
  const context: PrepareContext = { workDir: options.workDir, columns: options.config?.columns ?? {}, sheet: options.config?.sheet };
  const problems: string[] = [];
  const sources = new Map<TableName, SourceFile[]>();
  for (const [table, list] of [...files].sort(([a], [b]) => prepareRank(a) - prepareRank(b))) {
    const prepared: SourceFile[] = [];
    for (const file of list) {
      if ((await effects.stat(file.path)).size === 0) {
        // an export that wrote nothing: fatal for a table the site cannot do without (unless another file has it)
        if (file.spec.required && list.length === 1) problems.push(`${file.name}: the file is empty (0 bytes); export it again: it needs at least its header row`);
        else issues.push({ file: file.name, line: null, column: null, severity: 'warning', message: `the file is empty (0 bytes) and is ignored${list.length === 1 ? `: the pages that need ${table} say it is missing` : ''}; export it again to include it` });
        continue;
      }
      try {
        const index = prepared.length;
        // an Excel workbook is read as one whatever its name says (saved as .csv, say)
        const format = file.format === 'csv' && (await isZip(file.path)) ? 'xlsx' : file.format;
        if (format === 'csv') prepared.push(await prepareCsv(effects, file, index, context));
        else if (format === 'xlsx') prepared.push(await prepareWorkbook(effects, file, index, context));
        else if (format === 'parquet') prepared.push(await prepareParquet(db, file, index, context));
        else prepared.push(await prepareArchive(effects, file, index, context));
      } catch (error) {
        if (error instanceof InputError) problems.push(...error.problems);
        else throw error;
      }
    }
    if (prepared.length) {
      sources.set(table, prepared);
      // a table with a problem is not loaded: the build stops with every problem once all are known
      if (!problems.length) options.onTable?.(table, prepared);
    }
  }
  if (problems.length) throw new InputError(problems);
  // in discovery order, as before preparing went by rank
  return { sources: new Map([...files.keys()].filter((t) => sources.has(t)).map((t) => [t, sources.get(t)!])), issues };
}
