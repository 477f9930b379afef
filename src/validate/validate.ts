/**
 * Step 2, validate: cross-table rules, then every rejected row into the data-quality table
 * (`dq`) with its file, physical line, column and a reason an operator can act on, and views
 * `v_<table>` of the accepted rows.
 *
 * Per-row rules were checked while reading (checks.ts); here come the rules that need other
 * rows: a member or message in an unknown (or rejected) group, duplicate IDs, leave before
 * join, dissolution before creation. A row is never dropped silently or guessed.
 */
import type { TableName } from '../core/contract.ts';
import { sqlIdent, sqlString, type Db } from '../db/db.ts';
import { CROSS_BIT, failedChecksSql, OVERLAP_BIT, rowWarnings, warningsSql, type WarningLimits } from '../read/row-checks.ts';
import { rejectMessage } from '../read/rejects.ts';
import { crossChecks } from './cross-checks.ts';
import type { Effects } from '../core/effects.ts';
import { aggregateFromRows, DAILY_SET, messagesClean, subtractRejected } from '../read/events.ts';
import { createLines, LINES_TABLE, placeSql, rejectLines } from '../read/lines.ts';
import type { LoadedTable } from '../read/loaded-table.ts';
import { loadRows, type ReadResult } from '../read/read.ts';
import { fileOfSrcSql, otherRecordsOf, recordsOf, scanRejected, scanRejectMessage, UnaccountedLinesError, type DataIssue, type SourceFile } from '../read/source-files.ts';

export interface FileQuality {
  file: string;
  table: TableName;
  /** how it was read: csv, xlsx, parquet, json (the chat archive) */
  format: string;
  /** a workbook's sheet */
  sheet: string | null;
  encoding: string;
  /**
   * The file's physical lines and how they add up (null for Parquet, workbooks and JSON arrays):
   * lines = headerLines + rowsRead + blankLines + continuationLines (+ otherRecords for JSON
   * lines), where rowsRead counts rejected rows too.
   */
  lines: number | null;
  headerLines: number | null;
  blankLines: number | null;
  continuationLines: number | null;
  /** a chat archive's records that are not group messages (recalls, switches, one-to-one chats); null for other files */
  otherRecords: number | null;
  rowsRead: number;
  rowsRejected: number;
  warnings: number;
}

export interface ValidationResult {
  present: Set<TableName>;
  files: FileQuality[];
}

const DQ_TABLE = `CREATE OR REPLACE TABLE dq (file VARCHAR, line BIGINT, "column" VARCHAR, severity VARCHAR, message VARCHAR, sheet VARCHAR)`;
const CROSS = `${1n << BigInt(CROSS_BIT)}::BIGINT`;
const OVERLAP = `${1n << BigInt(OVERLAP_BIT)}::BIGINT`;

/** Add issues found outside SQL (sources, config) to the dq table. */
export async function insertIssues(db: Db, issues: readonly DataIssue[]): Promise<void> {
  for (let i = 0; i < issues.length; i += 500) {
    const values = issues
      .slice(i, i + 500)
      .map((d) => `(${sqlString(d.file)}, ${d.line ?? 'NULL'}, ${d.column === null ? 'NULL' : sqlString(d.column)}, ${sqlString(d.severity)}, ${sqlString(d.message)}, ${d.sheet ? sqlString(d.sheet) : 'NULL'})`)
      .join(', ');
    await db.exec(`INSERT INTO dq VALUES ${values}`);
  }
}

const ORDER: readonly TableName[] = ['groups', 'channels', 'members', 'messages', 'activity', 'orders', 'checkins'];

/** The column that dates a row: with an explicit report date, a row dated after it is left out of every figure. */
const DATED_BY: Partial<Record<TableName, string>> = { groups: 'created_at', members: 'joined_at', messages: 'sent_at', activity: 'date', orders: 'ordered_at', checkins: 'date' };

/** Runs of consecutive late rows listed per file, at most (one more line says how many rows the rest hold). */
const LATE_RUNS = 10_000;

/** A file's name for SQL by the __src of a row (sources are in index order). */
const fileOfSrc = (sources: readonly SourceFile[], src = '__src') => fileOfSrcSql(sources.map((s) => s.file), src);

/**
 * Rows that are in an earlier file of the table too, identical in every contract column
 * (overlapping exports: a month's file and the next overlap by a day): counted once, with one
 * warning per pair of files. A row repeated within one file is a row of its own, as ever; so
 * across files a row counts as often as the file that has it most often has it. A message with
 * a message ID (the chat archive's msgid) counts once even within a file: it was pulled twice.
 */
async function markOverlaps(db: Db, loaded: LoadedTable): Promise<void> {
  const { sources, plan } = loaded;
  // a row with a message ID (the chat archive's msgid) is one message, however often it was pulled
  const identified = plan.spec.columns.some((c) => c.name === 'message_id') && sources.some((s) => s.columns.has('message_id'));
  if (sources.length < 2 && !identified) return;
  const p = `p_${loaded.table}`;
  const key = plan.spec.columns.map((c) => sqlIdent(c.name)).join(', ');
  const overlap = identified ? `CASE WHEN message_id IS NULL THEN occ <= before ELSE occ > 1 OR before IS NOT NULL END` : `occ <= before`;
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE overlap_${loaded.table} AS
    SELECT row, src, coalesce(first_src, src) AS first_src FROM (
      SELECT row, src, occ, ${identified ? 'message_id,' : ''}
        max(n) OVER (PARTITION BY ${key} ORDER BY src RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before,
        min(src) OVER (PARTITION BY ${key} ORDER BY src RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS first_src
      FROM (SELECT rowid AS row, __src AS src, ${key},
              row_number() OVER (PARTITION BY ${key}, __src ORDER BY rowid) AS occ,
              count(*) OVER (PARTITION BY ${key}, __src) AS n
            FROM ${p} WHERE __mask = 0))
    WHERE ${overlap}`);
  await db.exec(`UPDATE ${p} SET __mask = __mask | ${OVERLAP} WHERE rowid IN (SELECT row FROM overlap_${loaded.table})`);
  await db.exec(`
    INSERT INTO dq
    SELECT ${fileOfSrc(sources, 'src')}, NULL, NULL, 'warning',
      CASE WHEN src = first_src
        THEN n || CASE WHEN n = 1 THEN ' message of ' ELSE ' messages of ' END || ${fileOfSrc(sources, 'src')} || CASE WHEN n = 1 THEN ' is' ELSE ' are' END || ' there more than once (the same msgid, pulled again): counted once'
        ELSE n || CASE WHEN n = 1 THEN ' row of ' ELSE ' rows of ' END || ${fileOfSrc(sources, 'src')} || CASE WHEN n = 1 THEN ' is' ELSE ' are' END || ' also in ' ||
          ${fileOfSrc(sources, 'first_src')} || ': overlapping exports, counted once' END, NULL
    FROM (SELECT src, first_src, count(*) AS n FROM overlap_${loaded.table} GROUP BY ALL) ORDER BY src, first_src`);
  await db.exec(`DROP TABLE overlap_${loaded.table}`);
}

/** Cross checks, rejected rows and warnings into dq (with lines), the view of accepted rows; rows rejected per file. */
async function validateRows(db: Db, loaded: LoadedTable, limits: WarningLimits, asOf: string | undefined, groupsFiles: string): Promise<Map<number, number>> {
  const { sources, plan, table } = loaded;
  const p = `p_${table}`;
  await markOverlaps(db, loaded);
  await db.exec(`CREATE OR REPLACE TEMP TABLE x_${table} (row BIGINT, "column" VARCHAR, message VARCHAR, ref_table VARCHAR, ref_row BIGINT)`);
  for (const check of crossChecks(table, { otherFiles: true, groupsFiles })) await db.exec(`INSERT INTO x_${table} ${check}`);
  await db.exec(`UPDATE ${p} SET __mask = __mask | ${CROSS} WHERE rowid IN (SELECT row FROM x_${table})`);
  // rows kept with a warning (an order above the ceiling): accepted rows, so after the cross checks
  const warnings = warningsSql(p, rowWarnings(plan, limits));
  await db.exec(`CREATE OR REPLACE TEMP TABLE w_${table} AS ${warnings ?? `SELECT NULL::BIGINT AS row, NULL::VARCHAR AS "column", NULL::VARCHAR AS message WHERE false`}`);

  // accepted rows dated after an explicit report date: kept out of the figures, listed by line
  const dated = DATED_BY[table];
  const late = asOf && dated ? `SELECT rowid AS row, __src AS src, CAST(${sqlIdent(dated)} AS DATE) AS d FROM ${p} WHERE __mask = 0 AND CAST(${sqlIdent(dated)} AS DATE) > DATE ${sqlString(asOf)}` : `SELECT NULL::BIGINT AS row, NULL::SMALLINT AS src, NULL::DATE AS d WHERE false`;
  await db.exec(`CREATE OR REPLACE TEMP TABLE late_${table} AS ${late}`);

  // rejected: a row's own checks or a cross check (an overlap alone is no rejection)
  const rejectedRows = `SELECT rowid AS row FROM ${p} WHERE __mask & ~${OVERLAP} <> 0`;
  const byFile = await db.rows<{ src: number; n: number }>(`SELECT __src AS src, count(*)::BIGINT AS n FROM ${p} WHERE __mask & ~${OVERLAP} <> 0 GROUP BY ALL`);
  const [{ warned }] = await db.rows<{ warned: number }>(`SELECT (SELECT count(*) FROM w_${table}) + (SELECT count(*) FROM late_${table})::BIGINT AS warned`);
  if (byFile.length > 0 || warned > 0) {
    // Lines only for the rows a message names: failed rows, the rows they refer to, warned rows.
    const rows = `${rejectedRows} UNION ALL SELECT ref_row FROM x_${table} WHERE ref_table = ${sqlString(table)} UNION ALL SELECT row FROM w_${table} UNION ALL SELECT row FROM late_${table}`;
    const lines = await createLines(db, table, sources, rows);
    const there = placeSql('rl.line', 'rl.sheet');
    await db.exec(`
      INSERT INTO dq
      SELECT l.file, l.line, f."column", 'error',
        replace(replace(f.message,
          '{line}', coalesce(CASE WHEN rl.file = l.file THEN ${there} ELSE ${there} || ' of ' || rl.file END, '?')),
          '{where}', coalesce(rl.file || ' ' || ${there}, '?')),
        l.sheet
      FROM (SELECT row, "column", message, NULL AS ref_table, NULL::BIGINT AS ref_row FROM (${failedChecksSql(p, plan.checks)})
            UNION ALL SELECT row, "column", message, ref_table, ref_row FROM x_${table}) f
      JOIN ${lines} l ON l.row = f.row
      LEFT JOIN (SELECT 'groups' AS t, * FROM ${table === 'groups' ? lines : 'lines_groups'}
                 ${table === 'groups' ? '' : `UNION ALL SELECT ${sqlString(table)}, * FROM ${lines}`}) rl
        ON rl.t = f.ref_table AND rl.row = f.ref_row`);
    await db.exec(`INSERT INTO dq SELECT l.file, l.line, w."column", 'warning', w.message, l.sheet FROM w_${table} w JOIN ${lines} l ON l.row = w.row`);
    if (asOf && dated) await insertLateRuns(db, `late_${table}`, lines, dated, asOf);
  }
  await db.exec(`DROP TABLE w_${table}; DROP TABLE late_${table}`);
  // DuckDB's unreadable records (bytes invalid in the file's encoding)
  for (const source of sources) {
    if (!source.rejects.length) continue;
    const at = await rejectLines(source, source.rejects);
    const issues: DataIssue[] = source.rejects.map((reject) => {
      const header = reject.column_name?.startsWith('f') ? source.headers[Number(reject.column_name.slice(1))] : null;
      const canonical = header ? [...source.columns.entries()].find(([, i]) => source.headers[i] === header)?.[0] : null;
      return {
        file: source.file,
        line: at.get(reject.byte_position) ?? null,
        column: canonical ?? header ?? null,
        severity: 'error',
        message: rejectMessage(reject, source.encoding),
      };
    });
    await insertIssues(db, issues);
  }
  const columns = plan.spec.columns.map((c) => sqlIdent(c.name)).join(', ');
  await db.exec(`CREATE OR REPLACE VIEW v_${table} AS SELECT ${columns}, rowid AS __row, __src FROM ${p} WHERE __mask = 0`);
  return new Map(sources.map((s) => [s.index, (byFile.find((f) => f.src === s.index)?.n ?? 0) + s.rejects.length]));
}

/**
 * Late rows as runs of consecutive rows, one warning each ("rows on lines 2001–4067 …"): an
 * export that goes on past the report date is usually sorted by time, so its late rows are a
 * few runs, however many rows they hold.
 */
async function insertLateRuns(db: Db, late: string, lines: string, column: string, asOf: string): Promise<void> {
  const runs = `
    SELECT file, min(line) AS first, max(line) AS last, count(*)::BIGINT AS n, min(d) AS d0, max(d) AS d1, any_value(sheet) AS sheet
    FROM (SELECT l.file, l.line, l.sheet, t.d, t.row - row_number() OVER (PARTITION BY t.src ORDER BY t.row) AS run FROM ${late} t JOIN ${lines} l ON l.row = t.row)
    GROUP BY file, run`;
  const after = `after the report date ${asOf} (--as-of) and left out of every figure`;
  const lineWord = `CASE WHEN sheet IS NULL THEN ' rows on lines ' ELSE ' rows on rows ' END`;
  await db.exec(`
    INSERT INTO dq
    SELECT file, first, ${sqlString(column)}, 'warning',
      CASE WHEN n = 1 THEN ${sqlString(`${column} `)} || strftime(d0, '%Y-%m-%d') || ${sqlString(` is ${after}`)}
        ELSE n || ${lineWord} || first || '–' || last || ' are dated ' || strftime(d0, '%Y-%m-%d') ||
          CASE WHEN d1 > d0 THEN ' to ' || strftime(d1, '%Y-%m-%d') ELSE '' END || ${sqlString(`, ${after}`)} END, sheet
    FROM (SELECT *, row_number() OVER (PARTITION BY file ORDER BY first) AS k FROM (${runs})) WHERE k <= ${LATE_RUNS}`);
  await db.exec(`
    INSERT INTO dq
    SELECT file, min(first), ${sqlString(column)}, 'warning',
      sum(n) || ' more rows, in ' || count(*) || ' runs from line ' || min(first) || ' on, are dated ${'after the report date ' + asOf} and left out of every figure', any_value(sheet)
    FROM (SELECT *, row_number() OVER (PARTITION BY file ORDER BY first) AS k FROM (${runs})) WHERE k > ${LATE_RUNS} GROUP BY file`);
}

export interface ValidateOptions {
  effects: Effects;
  workDir: string;
  /** when an accepted row still gets a warning (config.orderAmountCeiling) */
  limits: WarningLimits;
  /** an explicit report date (--as-of): rows dated after it are listed by line as warnings */
  asOf?: string;
}

export async function validate(db: Db, read: ReadResult, options: ValidateOptions): Promise<ValidationResult> {
  await db.exec(DQ_TABLE);
  // members and other tables refer to rejected groups' lines; the table exists even when empty
  await db.exec(`CREATE OR REPLACE TABLE lines_groups ${LINES_TABLE}`);
  await insertIssues(db, read.issues);
  const present = new Set(read.tables.keys());
  const groupsFiles = read.tables.get('groups')?.sources.map((s) => s.file).join(', ') ?? 'groups.csv';
  const files: FileQuality[] = [];
  for (const table of ORDER) {
    let loaded = read.tables.get(table);
    if (!loaded) continue;
    for (const source of loaded.sources) await insertIssues(db, source.issues);
    for (const source of loaded.sources) await insertScanRejects(db, source);
    if (table === 'messages' && loaded.rowTable === null) {
      const [{ unknown }] = await db.rows<{ unknown: number }>(`
        SELECT count(*)::BIGINT AS unknown FROM (SELECT DISTINCT group_id FROM agg_messages WHERE grouping_set = ${DAILY_SET} AND messages > 0) a
        ANTI JOIN v_groups g ON g.group_id = a.group_id`);
      // messages after an explicit report date are listed by line too
      const [{ late }] = options.asOf
        ? await db.rows<{ late: number }>(`SELECT count(*)::BIGINT AS late FROM agg_messages WHERE grouping_set = ${DAILY_SET} AND messages > 0 AND date > DATE ${sqlString(options.asOf)}`)
        : [{ late: 0 }];
      if (unknown > 0 || late > 0 || !(await messagesClean(db, loaded))) {
        // Bad (or late) rows need their line numbers: read the file again, this time row by row.
        loaded = await loadRows(db, table, loaded.sources, loaded.plan);
        loaded.fastPass = true;
        read.tables.set(table, loaded);
      }
    }
    let rejected = new Map<number, number>();
    if (loaded.rowTable !== null) {
      rejected = await validateRows(db, loaded, options.limits, options.asOf, groupsFiles);
      if (table === 'messages') {
        if (loaded.fastPass) {
          // The second read read the same records as the fast pass (the scan fixed the file's
          // encoding and records before either): take out what the cross checks rejected.
          await subtractRejected(db, `(SELECT group_id, member_id, sent_at FROM ${loaded.rowTable} WHERE __mask = ${CROSS})`);
        } else {
          // several files: stored, their overlaps counted once; aggregated from the accepted rows
          await aggregateFromRows(db, `(SELECT group_id, member_id, sent_at FROM v_messages)`, options.effects.log);
        }
        // Only agg_messages is read from here on. Holding 20 M stored messages made the model's
        // joins spill: 12.9 s where the same model took 7.9 s without them.
        await db.exec(`DROP VIEW v_messages; DROP TABLE ${loaded.rowTable}`);
      }
    }
    for (const source of loaded.sources) {
      // (a workbook's or an archive's CSV has lines of its own making: a workbook is counted in
      // rows, JSON lines by the archive's own lines, a JSON array in records)
      const layout = source.format === 'csv' ? source.layout : null;
      const archive = source.archive;
      const jsonLines = archive !== null && archive.blankLines !== null;
      files.push({
        file: source.file,
        table,
        format: source.format,
        sheet: source.sheet,
        encoding: source.encoding,
        lines: jsonLines ? archive.lines : (layout?.lines ?? null),
        headerLines: jsonLines ? 0 : (layout?.headerLines ?? null),
        blankLines: jsonLines ? archive.blankLines : (layout?.blankLines ?? null),
        continuationLines: jsonLines ? 0 : (layout?.continuationLines ?? null),
        otherRecords: archive ? otherRecordsOf(archive.other) : null,
        rowsRead: recordsOf([source]) + (archive?.rejected ?? 0),
        rowsRejected: (rejected.get(source.index) ?? source.rejects.length) + scanRejected(source) + (archive?.rejected ?? 0),
        warnings: 0,
      });
      if (jsonLines && archive.lines !== archive.blankLines! + recordsOf([source]) + archive.rejected + otherRecordsOf(archive.other)) {
        throw new UnaccountedLinesError([`${source.file}: its ${archive.lines} lines do not add up to its blank lines, messages, other records and rejected records: nothing was published. Please report this (with the file, if you can share it).`]);
      }
    }
  }
  return { present, files };
}

/** The records the scan rejected (unclosed quotes, bytes not in the file's encoding…), by line. */
async function insertScanRejects(db: Db, source: SourceFile): Promise<void> {
  const rejected = source.layout?.rejected ?? [];
  await insertIssues(
    db,
    rejected.map((r) => ({ file: source.file, line: r.line, column: null, severity: 'error', message: scanRejectMessage(r, source.encoding) })),
  );
}

/** Warnings per file, counted again once the model step has added its own. */
export async function countWarnings(db: Db, files: FileQuality[]): Promise<FileQuality[]> {
  const rows = await db.rows<{ file: string; n: number }>(`SELECT file, count(*)::BIGINT AS n FROM dq WHERE severity = 'warning' GROUP BY ALL`);
  const byFile = new Map(rows.map((r) => [r.file, r.n]));
  return files.map((f) => ({ ...f, warnings: byFile.get(f.file) ?? 0 }));
}
