/**
 * CSV preview: one export (a CSV or an Excel workbook) checked before it goes into data/, in the browser (duckdb-wasm) or
 * anywhere a `Db` runs, with the build's own rules, not a copy of them: the same encoding
 * detection, header check, `read_csv` expression, per-row checks (checks.ts) and within-file
 * checks (row-checks.ts), and the same messages; the same scan (csv-scan.ts) accounts for every
 * line, so every rejected row is named by its physical line, as in the build's data-quality table.
 *
 * What one file cannot show: checks against the other files (a group ID missing from
 * groups.csv). The result says so; the build runs them.
 */
import { holdsRequired, mapHeader, TABLES, type TableSpec } from '../core/contract.ts';
import type { Db } from '../db/db.ts';
import { failedChecksSql, parsePlan, rowWarnings, warningsSql } from '../read/row-checks.ts';
import { concatBytes, lineTranscoder, PORTABLE_BYTES, readsAsGb18030 } from '../read/csv-decode.ts';
import { breakpointsFromSkips, CsvScanner, Eraser, layOutCsv, lineOfRow as lineOfStoredRow, linesAtOffsetsOf, needsCopy } from '../read/csv-scan.ts';
import { detectEncoding, headerOf } from '../read/csv-text.ts';
import { tableNames, tablesOfFile } from '../read/discover.ts';
import { readRejects, rejectMessage } from '../read/rejects.ts';
import { crossChecks } from '../validate/cross-checks.ts';
import { checkHeader, InputError, mixedEncodingNote, needsSerialRead, reconcile, scanRejectMessage, scanSql, workbookOptions, workbookRows, type DataIssue, type SourceFile } from '../read/source-files.ts';
import { startsLikeZip, workbookBytesToCsv, type WorkbookSheet } from '../read/workbook.ts';
import { dateBounds, publicTextMacros, publicTexts, valueMacros, zoneOffsetMinutes } from '../read/values.ts';

export interface PreviewInput {
  /** the file's name, e.g. members.csv (it says which table it is) */
  name: string;
  bytes: Uint8Array;
}

export interface PreviewResult {
  file: string;
  table: string;
  /** the text's encoding, or xlsx for a workbook */
  encoding: string;
  /** a workbook's sheet read; null for a CSV */
  sheet: string | null;
  /** records (rows after the header) */
  records: number;
  rejected: number;
  /** every issue, by line: errors (rows the build would reject) and warnings */
  issues: DataIssue[];
}

/** The tables a file's name says it is, as the build reads names ("members (1).csv" too). */
const tablesNamed = (name: string) => tablesOfFile(name.replace(/\s*\(\d+\)(?=\.[^.]*$)/, ''), tableNames());

/**
 * Of the tables a header fits, the one it gives the most columns (a members export also holds
 * a channels export's two columns); null when none or a tie.
 */
function mostColumns<T extends { spec: TableSpec }>(fitting: T[], headers: (f: T) => string[]): T | null {
  const scored = fitting.map((f) => ({ f, n: mapHeader(f.spec, headers(f)).columns.size })).sort((a, b) => b.n - a.n);
  return scored.length === 1 || (scored.length > 1 && scored[0].n > scored[1].n) ? scored[0].f : null;
}

/**
 * Which table a file is, and its header: by the file's name (the build's rules, discover.ts),
 * else the one table one of whose first 10 lines holds every required column.
 */
export function tableAndHeader(name: string, text: string): { spec: TableSpec; header: ReturnType<typeof headerOf> } {
  const byName = tablesNamed(name);
  const candidates = byName.length === 1 ? TABLES.filter((t) => t.name === byName[0]) : TABLES;
  const fitting = candidates
    .map((spec) => ({ spec, header: headerOf(text, (fields) => holdsRequired(spec, mapHeader(spec, fields))) }))
    .filter((c) => c.header.fits);
  const best = mostColumns(fitting, (f) => f.header.headers);
  if (best) return best;
  if (candidates.length === 1) return { spec: candidates[0], header: headerOf(text, () => false) };
  throw new InputError([
    `${name}: cannot tell which export this is; name it after its table (${TABLES.map((t) => `${t.name}.csv`).join(', ')}, or a Chinese name such as ${TABLES.map((t) => t.fileNames[0]).join(', ')})`,
  ]);
}

interface PreviewOptions {
  timeZone: string;
  /** config.earliestDate: a date before it is rejected, as in the build */
  earliestDate: string;
  /** config.orderAmountCeiling: an amount above it is kept with a warning, as in the build */
  orderAmountCeiling: number;
  /** the wall clock (default: now, the browser's): the day after its day is the latest date accepted */
  now?: Date;
  register: (name: string, bytes: Uint8Array) => Promise<string>;
  /** no ICU (duckdb-wasm): the zone's offset is fixed */
  withoutIcu?: boolean;
}

/**
 * Check one file. `register` makes bytes readable by the database under a name and returns
 * the name to read (duckdb-wasm: registerFileBuffer; native: a temporary file).
 *
 * What it says (the file's name, header names, messages quoting values, a fatal problem) is
 * shown as the build publishes it in data_quality.csv: through qz_public (values.ts), by the
 * same macro on this database.
 */
export async function previewCsv(db: Db, input: PreviewInput, options: PreviewOptions): Promise<PreviewResult> {
  const dates = dateBounds(options.earliestDate, options.now ?? new Date(), options.timeZone);
  await db.exec(valueMacros(options.timeZone, { dates, ...(options.withoutIcu ? { fixedOffsetMinutes: zoneOffsetMinutes(options.timeZone) } : {}) }) + publicTextMacros());
  let result: PreviewResult;
  try {
    result = await check(db, input, options);
  } catch (error) {
    if (error instanceof InputError) throw new InputError(await publicTexts(db, error.problems));
    throw error;
  }
  const { issues } = result;
  const shown = await publicTexts(db, [result.file, ...issues.flatMap((i) => [i.file, i.column, i.message])]);
  return {
    ...result,
    file: shown[0]!,
    issues: issues.map((issue, k) => ({ ...issue, file: shown[1 + 3 * k]!, column: shown[2 + 3 * k], message: shown[3 + 3 * k]! })),
  };
}

/**
 * A workbook's sheet as the CSV the build reads (workbook.ts), for the table its name says, or
 * else the one table a sheet's header fits.
 */
async function workbookTable(input: PreviewInput): Promise<{ spec: TableSpec; sheet: WorkbookSheet & { csv: Uint8Array } }> {
  const byName = tablesNamed(input.name);
  if (byName.length === 1) {
    const spec = TABLES.find((t) => t.name === byName[0])!;
    return { spec, sheet: await workbookBytesToCsv(input.bytes, { ...workbookOptions(spec), file: input.name }) };
  }
  const fitting: { spec: TableSpec; sheet: WorkbookSheet & { csv: Uint8Array } }[] = [];
  const failures = new Set<string>();
  for (const spec of TABLES) {
    try {
      fitting.push({ spec, sheet: await workbookBytesToCsv(input.bytes, { ...workbookOptions(spec), file: input.name }) });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      failures.add(error.message);
    }
  }
  const best = mostColumns(fitting, (f) => f.sheet.headers);
  if (best) return best;
  // a damaged, protected or empty workbook says so whichever table it was meant to be
  if (!fitting.length && failures.size === 1) throw new InputError([...failures]);
  throw new InputError([
    `${input.name}: cannot tell which export this is; name it after its table (${TABLES.map((t) => `${t.name}.xlsx`).join(', ')}, or a Chinese name such as ${TABLES.map((t) => t.fileNames[0]).join(', ')})`,
  ]);
}

async function check(db: Db, input: PreviewInput, options: PreviewOptions): Promise<PreviewResult> {
  if (!input.bytes.length) throw new InputError([`${input.name}: the file is empty (0 bytes); export it again: it needs at least its header row`]);
  // a workbook: its sheet's CSV goes through the same steps as a CSV, each record named by its Excel row
  const workbook = startsLikeZip(input.bytes) ? await workbookTable(input) : null;
  const detected = workbook ? { encoding: 'utf-8' as const, guessed: false, text: '' } : detectEncoding(input.bytes, { wholeFile: true });
  if (!workbook && detected.text.trim() === '') throw new InputError([`${input.name}: the file is empty (no header row)`]);
  const { spec, header } = workbook
    ? { spec: workbook.spec, header: { delimiter: ',', headers: workbook.sheet.headers, line: 1 } }
    : tableAndHeader(input.name, detected.text);
  const { delimiter, headers } = header;
  const { columns, issues: headerIssues } = checkHeader({ spec, name: input.name }, headers, {}, workbook ? workbook.sheet.headerRow : header.line);
  const source: SourceFile = {
    spec,
    table: spec.name,
    file: input.name,
    index: 0,
    path: input.name,
    readPath: input.name,
    format: 'csv',
    archive: null,
    encoding: detected.encoding,
    delimiter,
    headers,
    columns,
    issues: headerIssues,
    serial: false,
    layout: null,
    skip: 0,
    sheet: null,
    rowNumbers: null,
    firstRow: 0,
    stored: 0,
    rejects: [],
  };
  // the build's layout of the file (csv-scan.ts), on bytes held in memory
  let bytes = workbook ? workbook.sheet.csv : input.bytes;
  const { layout, encoding } = await layOutCsv(detected.encoding, detected.guessed, {
    scan: async (scanOptions) => {
      const scanner = new CsvScanner({
        delimiter: delimiter.charCodeAt(0),
        headerFields: headers.length,
        headerAt: header.line,
        validateUtf8: scanOptions.validateUtf8,
        invalidLines: scanOptions.invalidLines,
        ...PORTABLE_BYTES,
        readsAsGb18030,
        weigh: scanOptions.weigh,
      });
      scanner.push(bytes);
      return scanner.finish();
    },
    transcode: async (to) => {
      const transcoder = lineTranscoder(to, PORTABLE_BYTES);
      bytes = concatBytes([transcoder.push(bytes), transcoder.finish()]);
      return transcoder.invalid;
    },
  });
  if (layout.headerRejected) throw new InputError([`${input.name}: the header row (line ${header.line}) cannot be read: it has a quote (") that does not close; fix the header and export again`]);
  source.encoding = workbook ? 'xlsx' : encoding;
  source.layout = layout;
  if (workbook) {
    source.format = 'xlsx';
    source.sheet = workbook.sheet.sheet;
    workbookRows(source, workbook.sheet.rows);
  }
  source.skip = layout.skipRecords;
  source.serial = layout.multiLine;
  if (needsCopy(layout)) bytes = new Eraser(layout.erase, layout.loneCrs).push(bytes);
  const note = mixedEncodingNote(source);
  if (note) headerIssues.push(note);
  source.readPath = source.path = await options.register(`preview-${spec.name}.csv`, bytes);

  const plan = parsePlan(spec, [source]);
  const p = `p_${spec.name}`;
  const rejectsTable = `rejects_${spec.name}`;
  const load = () => db.exec(`CREATE OR REPLACE TABLE ${p} AS ${plan.select(scanSql(source, rejectsTable), source)}`);
  try {
    await load();
  } catch (error) {
    if (!needsSerialRead(error)) throw new InputError([`${input.name}: DuckDB could not read the file: ${(error as Error).message.split('\n')[0]}`]);
    source.serial = true;
    await load();
  }
  const rejects = await readRejects(db, rejectsTable);
  const [{ n }] = await db.rows<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM ${p}`);
  reconcile(source, n + rejects.length);

  // lines: the scan's skipped lines, plus records DuckDB itself refused (by their byte offsets)
  const refused = await linesAtOffsetsOf([bytes], rejects.map((r) => r.byte_position));
  const breakpoints = breakpointsFromSkips(layout.skips, layout.headerLines, [...refused.values()]);
  const rowNumbers = source.rowNumbers;
  const lineOfRow = (row: number | null) => (row === null ? null : rowNumbers ? (rowNumbers[row] ?? null) : lineOfStoredRow(row, breakpoints, layout.headerLines));

  const failed = await db.rows<{ row: number; column: string | null; message: string; ref_row: number | null }>(`
    SELECT row, "column", message, NULL::BIGINT AS ref_row FROM (${failedChecksSql(p, plan.checks)})
    ${crossChecks(spec.name, { otherFiles: false }).map((sql) => `UNION ALL SELECT row, "column", message, ref_row FROM (${sql}) AS c(row, "column", message, ref_table, ref_row)`).join('\n')}`);
  // warnings of the rows the build would accept (the cross checks above reject some with __mask 0)
  const rejectedRows = new Set(failed.map((f) => f.row));
  const warningSql = warningsSql(p, rowWarnings(plan, { orderAmountCeiling: options.orderAmountCeiling }));
  const warned = warningSql ? (await db.rows<{ row: number; column: string; message: string }>(warningSql)).filter((w) => !rejectedRows.has(w.row)) : [];
  const issues: DataIssue[] = [
    ...headerIssues,
    ...layout.rejected.map((r) => ({ file: input.name, line: r.line, column: null, severity: 'error' as const, message: scanRejectMessage(r, encoding) })),
    // (a workbook's CSV is ours: DuckDB refuses none of its records)
    ...rejects.map((r) => ({ file: input.name, line: workbook ? null : (refused.get(r.byte_position) ?? null), column: null, severity: 'error' as const, message: rejectMessage(r, encoding) })),
    ...failed.map((f) => ({ file: input.name, line: lineOfRow(f.row), column: f.column, severity: 'error' as const, message: f.message.replace('{line}', workbook ? `row ${lineOfRow(f.ref_row) ?? '?'} of sheet ${workbook.sheet.sheet}` : `line ${lineOfRow(f.ref_row) ?? '?'}`) })),
    ...warned.map((w) => ({ file: input.name, line: lineOfRow(w.row), column: w.column, severity: 'warning' as const, message: w.message })),
  ].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? '').localeCompare(b.column ?? '') || a.message.localeCompare(b.message));
  if (workbook) for (const issue of issues) issue.sheet = workbook.sheet.sheet;
  return { file: input.name, table: spec.name, encoding: source.encoding, sheet: source.sheet, records: n + rejects.length + layout.rejected.length, rejected: rejectedRows.size + rejects.length + layout.rejected.length, issues };
}
