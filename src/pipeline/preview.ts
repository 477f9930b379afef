/**
 * CSV preview: one export checked before it goes into data/, in the browser (duckdb-wasm) or
 * anywhere a `Db` runs, with the build's own rules, not a copy of them: the same encoding
 * detection, header check, `read_csv` expression, per-row checks (checks.ts) and within-file
 * checks (row-checks.ts), and the same messages. papaparse finds where each record starts, so
 * every rejected row is named by its physical line, as in the build's data-quality table.
 *
 * What one file cannot show: checks against the other files (a group ID missing from
 * groups.csv). The result says so; the build runs them.
 */
import Papa from 'papaparse';
import { mapHeader, TABLES, type TableSpec } from '../contract.ts';
import type { Db } from '../db/db.ts';
import { failedChecksSql, parsePlan } from './checks.ts';
import { detectDelimiter, detectEncoding, headerLine, parseCsvLine } from './csv-text.ts';
import { crossChecks, readRejects, rejectMessage } from './row-checks.ts';
import { checkHeader, InputError, needsSerialRead, scanSql, type DataIssue, type SourceFile } from './scan.ts';
import { publicTextMacros, publicTexts, valueMacros, zoneOffsetMinutes } from './values.ts';

export interface PreviewInput {
  /** the file's name, e.g. members.csv (it says which table it is) */
  name: string;
  bytes: Uint8Array;
}

export interface PreviewResult {
  file: string;
  table: string;
  encoding: string;
  /** records (rows after the header) */
  records: number;
  rejected: number;
  /** every issue, by line: errors (rows the build would reject) and warnings */
  issues: DataIssue[];
}

/** Which table a file is: by its name, else the one table whose required columns its header has. */
export function tableOf(name: string, headers: string[]): TableSpec {
  const byName = TABLES.find((t) => name.toLowerCase().replace(/\s*\(\d+\)(?=\.csv$)/, '') === `${t.name}.csv`);
  if (byName) return byName;
  const fits = TABLES.filter((t) => {
    const mapping = mapHeader(t, headers);
    return t.columns.every((c) => !c.required || mapping.columns.has(c.name)) && (t.oneOf ?? []).every((set) => set.some((c) => mapping.columns.has(c)));
  });
  if (fits.length === 1) return fits[0];
  throw new InputError([
    `${name}: cannot tell which export this is; name it after its table (${TABLES.map((t) => `${t.name}.csv`).join(', ')})`,
  ]);
}

/** 1-based line of each character offset's line start (a sorted list of offsets). */
function lineAt(text: string): (offset: number) => number {
  const breaks: number[] = [];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) breaks.push(i);
  return (offset) => {
    let lo = 0;
    let hi = breaks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (breaks[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
}

interface PreviewOptions {
  timeZone: string;
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
  await db.exec(valueMacros(options.timeZone, options.withoutIcu ? { fixedOffsetMinutes: zoneOffsetMinutes(options.timeZone) } : {}) + publicTextMacros());
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

async function check(db: Db, input: PreviewInput, options: PreviewOptions): Promise<PreviewResult> {
  const detected = detectEncoding(input.bytes);
  if (detected.text.trim() === '') throw new InputError([`${input.name}: the file is empty (no header row)`]);
  const text = detected.text.replace(/^\uFEFF/, '');
  const first = headerLine(text);
  const delimiter = detectDelimiter(first);
  const headers = parseCsvLine(first, delimiter);
  const spec = tableOf(input.name, headers);
  const { columns, issues: headerIssues } = checkHeader({ spec, name: input.name }, headers);
  // DuckDB reads UTF-8 files as they are (bad bytes become rejects, as in the build); other
  // encodings through a UTF-8 copy, as the build's transcode
  const bytes = detected.encoding === 'utf-8' ? input.bytes : new TextEncoder().encode(text);
  const readPath = await options.register(`preview-${spec.name}.csv`, bytes);
  const source: SourceFile = {
    spec,
    table: spec.name,
    file: input.name,
    path: readPath,
    readPath,
    format: 'csv',
    encoding: detected.encoding,
    asciiOnlyPrefix: detected.asciiOnly,
    delimiter,
    headers,
    columns,
    issues: headerIssues,
    serial: false,
  };

  const plan = parsePlan(spec, columns, headers.length);
  const p = `p_${spec.name}`;
  const rejectsTable = `rejects_${spec.name}`;
  const load = () => db.exec(`CREATE OR REPLACE TABLE ${p} AS ${plan.select(scanSql(source, rejectsTable))}`);
  try {
    await load();
  } catch (error) {
    if (!needsSerialRead(error)) throw new InputError([`${input.name}: DuckDB could not read the file: ${(error as Error).message.split('\n')[0]}`]);
    source.serial = true;
    await load();
  }
  const rejects = await readRejects(db, rejectsTable);

  // where each record starts, as papaparse reads the text (blank lines are not records, as in DuckDB)
  const line = lineAt(text);
  const starts: number[] = [];
  let cursor = 0;
  let header = true;
  Papa.parse<string[]>(text, {
    delimiter,
    skipEmptyLines: true,
    step: (row) => {
      const start = cursor;
      cursor = row.meta.cursor;
      if (header) header = false;
      else starts.push(line(text.slice(start, cursor).search(/\S|$/) + start));
    },
  });
  // DuckDB's rowid counts the records it could read: the k-th is the k-th record not rejected
  const byteLine = (position: number) => {
    let n = 1;
    for (let i = 0; i < position && i < bytes.length; i++) if (bytes[i] === 0x0a) n++;
    return n;
  };
  const rejectLines = new Set(rejects.map((r) => byteLine(r.byte_position)));
  const readLines = starts.filter((l) => !rejectLines.has(l));
  const lineOfRow = (row: number | null) => (row === null ? null : (readLines[row] ?? null));

  const failed = await db.rows<{ row: number; column: string | null; message: string; ref_row: number | null }>(`
    SELECT row, "column", message, NULL::BIGINT AS ref_row FROM (${failedChecksSql(p, plan.checks)})
    ${crossChecks(spec.name, { otherFiles: false }).map((sql) => `UNION ALL SELECT row, "column", message, ref_row FROM (${sql}) AS c(row, "column", message, ref_table, ref_row)`).join('\n')}`);
  const issues: DataIssue[] = [
    ...headerIssues,
    ...rejects.map((r) => ({ file: input.name, line: byteLine(r.byte_position), column: null, severity: 'error' as const, message: rejectMessage(r, detected.encoding) })),
    ...failed.map((f) => ({ file: input.name, line: lineOfRow(f.row), column: f.column, severity: 'error' as const, message: f.message.replace('{line}', String(lineOfRow(f.ref_row) ?? '?')) })),
  ].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? '').localeCompare(b.column ?? '') || a.message.localeCompare(b.message));
  const rejectedRows = new Set(failed.map((f) => f.row)).size + rejects.length;
  return { file: input.name, table: spec.name, encoding: detected.encoding, records: starts.length, rejected: rejectedRows, issues };
}
