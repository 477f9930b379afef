/**
 * Step 2, validate: cross-table rules, then every rejected row into the data-quality table
 * (`dq`) with its file, physical line, column and a reason an operator can act on, and views
 * `v_<table>` of the accepted rows.
 *
 * Per-row rules were checked while reading (checks.ts); here come the rules that need other
 * rows: a member or message in an unknown (or rejected) group, duplicate IDs, leave before
 * join, dissolution before creation. A row is never dropped silently or guessed.
 */
import type { TableName } from '../contract.ts';
import { sqlIdent, sqlString, type Db } from '../db/db.ts';
import { CROSS_BIT, failedChecksSql, rowWarnings, warningsSql, type WarningLimits } from './checks.ts';
import { crossChecks, rejectMessage } from './row-checks.ts';
import type { Effects } from './effects.ts';
import { DAILY_SET, messagesClean, subtractRejected } from './events.ts';
import { createLines, rejectLines } from './lines.ts';
import { loadRows, type LoadedTable, type ReadResult } from './read.ts';
import { scanRejected, scanRejectMessage, type SourceFile } from './scan.ts';
import type { DataIssue } from './sources.ts';

export interface FileQuality {
  file: string;
  table: TableName;
  encoding: string;
  /**
   * The file's physical lines and how they add up (null for Parquet): lines = headerLines +
   * rowsRead + blankLines + continuationLines, where rowsRead counts rejected rows too.
   */
  lines: number | null;
  headerLines: number | null;
  blankLines: number | null;
  continuationLines: number | null;
  rowsRead: number;
  rowsRejected: number;
  warnings: number;
}

export interface ValidationResult {
  present: Set<TableName>;
  files: FileQuality[];
}

const DQ_TABLE = `CREATE OR REPLACE TABLE dq (file VARCHAR, line BIGINT, "column" VARCHAR, severity VARCHAR, message VARCHAR)`;
const CROSS = `${1n << BigInt(CROSS_BIT)}::BIGINT`;

/** Add issues found outside SQL (sources, config) to the dq table. */
export async function insertIssues(db: Db, issues: readonly DataIssue[]): Promise<void> {
  for (let i = 0; i < issues.length; i += 500) {
    const values = issues
      .slice(i, i + 500)
      .map((d) => `(${sqlString(d.file)}, ${d.line ?? 'NULL'}, ${d.column === null ? 'NULL' : sqlString(d.column)}, ${sqlString(d.severity)}, ${sqlString(d.message)})`)
      .join(', ');
    await db.exec(`INSERT INTO dq VALUES ${values}`);
  }
}

const ORDER: readonly TableName[] = ['groups', 'channels', 'members', 'messages', 'activity', 'orders', 'checkins'];

/** The column that dates a row: with an explicit report date, a row dated after it is left out of every figure. */
const DATED_BY: Partial<Record<TableName, string>> = { groups: 'created_at', members: 'joined_at', messages: 'sent_at', activity: 'date', orders: 'ordered_at', checkins: 'date' };

/** Runs of consecutive late rows listed per file, at most (one more line says how many rows the rest hold). */
const LATE_RUNS = 10_000;

/** Cross checks, rejected rows and warnings into dq (with lines), the view of accepted rows. */
async function validateRows(db: Db, loaded: LoadedTable, limits: WarningLimits, asOf: string | undefined): Promise<number> {
  const { source, plan } = loaded;
  const table = source.table;
  const p = `p_${table}`;
  const file = sqlString(source.file);
  await db.exec(`CREATE OR REPLACE TEMP TABLE x_${table} (row BIGINT, "column" VARCHAR, message VARCHAR, ref_table VARCHAR, ref_row BIGINT)`);
  for (const check of crossChecks(table)) await db.exec(`INSERT INTO x_${table} ${check}`);
  await db.exec(`UPDATE ${p} SET __mask = __mask | ${CROSS} WHERE rowid IN (SELECT row FROM x_${table})`);
  // rows kept with a warning (an order above the ceiling): accepted rows, so after the cross checks
  const warnings = warningsSql(p, rowWarnings(plan, limits));
  await db.exec(`CREATE OR REPLACE TEMP TABLE w_${table} AS ${warnings ?? `SELECT NULL::BIGINT AS row, NULL::VARCHAR AS "column", NULL::VARCHAR AS message WHERE false`}`);

  // accepted rows dated after an explicit report date: kept out of the figures, listed by line
  const dated = DATED_BY[table];
  const late = asOf && dated ? `SELECT rowid AS row, CAST(${sqlIdent(dated)} AS DATE) AS d FROM ${p} WHERE __mask = 0 AND CAST(${sqlIdent(dated)} AS DATE) > DATE ${sqlString(asOf)}` : `SELECT NULL::BIGINT AS row, NULL::DATE AS d WHERE false`;
  await db.exec(`CREATE OR REPLACE TEMP TABLE late_${table} AS ${late}`);

  const [{ failed }] = await db.rows<{ failed: number }>(`SELECT count(*)::BIGINT AS failed FROM ${p} WHERE __mask <> 0`);
  const [{ warned }] = await db.rows<{ warned: number }>(`SELECT (SELECT count(*) FROM w_${table}) + (SELECT count(*) FROM late_${table})::BIGINT AS warned`);
  if (failed > 0 || warned > 0) {
    // Lines only for the rows a message names: failed rows, the rows they refer to, warned rows.
    const rows = `SELECT rowid AS row FROM ${p} WHERE __mask <> 0 UNION ALL SELECT ref_row FROM x_${table} WHERE ref_table = ${sqlString(table)} UNION ALL SELECT row FROM w_${table} UNION ALL SELECT row FROM late_${table}`;
    const lines = await createLines(db, source, rows, loaded.rejects);
    await db.exec(`
      INSERT INTO dq
      SELECT ${file}, l.line, f."column", 'error', replace(f.message, '{line}', coalesce(rl.line::VARCHAR, '?'))
      FROM (SELECT row, "column", message, NULL AS ref_table, NULL::BIGINT AS ref_row FROM (${failedChecksSql(p, plan.checks)})
            UNION ALL SELECT row, "column", message, ref_table, ref_row FROM x_${table}) f
      JOIN ${lines} l ON l.row = f.row
      LEFT JOIN (SELECT 'groups' AS t, row, line FROM ${table === 'groups' ? lines : 'lines_groups'}
                 ${table === 'groups' ? '' : `UNION ALL SELECT ${sqlString(table)}, row, line FROM ${lines}`}) rl
        ON rl.t = f.ref_table AND rl.row = f.ref_row`);
    await db.exec(`INSERT INTO dq SELECT ${file}, l.line, w."column", 'warning', w.message FROM w_${table} w JOIN ${lines} l ON l.row = w.row`);
    if (asOf && dated) await insertLateRuns(db, file, `late_${table}`, lines, dated, asOf);
  }
  await db.exec(`DROP TABLE w_${table}; DROP TABLE late_${table}`);
  // DuckDB's unreadable records (bytes invalid in the file's encoding)
  if (loaded.rejects.length) {
    const at = await rejectLines(source, loaded.rejects);
    const issues: DataIssue[] = loaded.rejects.map((reject) => {
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
  await db.exec(`CREATE OR REPLACE VIEW v_${table} AS SELECT ${columns}, rowid AS __row FROM ${p} WHERE __mask = 0`);
  return failed + loaded.rejects.length;
}

/**
 * Late rows as runs of consecutive rows, one warning each ("rows on lines 2001–4067 …"): an
 * export that goes on past the report date is usually sorted by time, so its late rows are a
 * few runs, however many rows they hold.
 */
async function insertLateRuns(db: Db, file: string, late: string, lines: string, column: string, asOf: string): Promise<void> {
  const runs = `
    SELECT min(line) AS first, max(line) AS last, count(*)::BIGINT AS n, min(d) AS d0, max(d) AS d1
    FROM (SELECT l.line, t.d, t.row - row_number() OVER (ORDER BY t.row) AS run FROM ${late} t JOIN ${lines} l ON l.row = t.row)
    GROUP BY run`;
  const after = `after the report date ${asOf} (--as-of) and left out of every figure`;
  await db.exec(`
    INSERT INTO dq
    SELECT ${file}, first, ${sqlString(column)}, 'warning',
      CASE WHEN n = 1 THEN ${sqlString(`${column} `)} || strftime(d0, '%Y-%m-%d') || ${sqlString(` is ${after}`)}
        ELSE n || ' rows on lines ' || first || '–' || last || ' are dated ' || strftime(d0, '%Y-%m-%d') ||
          CASE WHEN d1 > d0 THEN ' to ' || strftime(d1, '%Y-%m-%d') ELSE '' END || ${sqlString(`, ${after}`)} END
    FROM (${runs}) ORDER BY first LIMIT ${LATE_RUNS}`);
  await db.exec(`
    INSERT INTO dq
    SELECT ${file}, min(first), ${sqlString(column)}, 'warning',
      sum(n) || ' more rows, in ' || count(*) || ' runs from line ' || min(first) || ' on, are dated ${'after the report date ' + asOf} and left out of every figure'
    FROM (SELECT * FROM (${runs}) ORDER BY first OFFSET ${LATE_RUNS}) HAVING count(*) > 0`);
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
  await db.exec(`CREATE OR REPLACE TABLE lines_groups (row BIGINT, line BIGINT)`);
  await insertIssues(db, read.issues);
  const present = new Set(read.tables.keys());
  const files: FileQuality[] = [];
  for (const table of ORDER) {
    let loaded = read.tables.get(table);
    if (!loaded) continue;
    await insertIssues(db, loaded.source.issues);
    let rejected = await insertScanRejects(db, loaded.source);
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
        loaded = await loadRows(db, loaded.source, loaded.plan);
        read.tables.set(table, loaded);
      }
    }
    if (loaded.rowTable !== null) {
      rejected += await validateRows(db, loaded, options.limits, options.asOf);
      if (table === 'messages') {
        // The second read read the same records as the fast pass (the scan fixed the file's
        // encoding and records before either): take out what the cross checks rejected.
        await subtractRejected(db, `(SELECT group_id, member_id, sent_at FROM ${loaded.rowTable} WHERE __mask = ${CROSS})`);
        // Only agg_messages is read from here on. Holding 20 M stored messages made the model's
        // joins spill: 12.9 s where the same model took 7.9 s without them.
        await db.exec(`DROP VIEW v_messages; DROP TABLE ${loaded.rowTable}`);
      }
    }
    const layout = loaded.source.layout;
    files.push({
      file: loaded.source.file,
      table,
      encoding: loaded.source.encoding,
      lines: layout?.lines ?? null,
      headerLines: layout?.headerLines ?? null,
      blankLines: layout?.blankLines ?? null,
      continuationLines: layout?.continuationLines ?? null,
      rowsRead: loaded.rows,
      rowsRejected: rejected,
      warnings: 0,
    });
  }
  return { present, files };
}

/** The records the scan rejected (unclosed quotes, bytes not in the file's encoding…), by line. */
async function insertScanRejects(db: Db, source: SourceFile): Promise<number> {
  const rejected = source.layout?.rejected ?? [];
  await insertIssues(
    db,
    rejected.map((r) => ({ file: source.file, line: r.line, column: null, severity: 'error', message: scanRejectMessage(r, source.encoding) })),
  );
  return scanRejected(source);
}

/** Warnings per file, counted again once the model step has added its own. */
export async function countWarnings(db: Db, files: FileQuality[]): Promise<FileQuality[]> {
  const rows = await db.rows<{ file: string; n: number }>(`SELECT file, count(*)::BIGINT AS n FROM dq WHERE severity = 'warning' GROUP BY ALL`);
  const byFile = new Map(rows.map((r) => [r.file, r.n]));
  return files.map((f) => ({ ...f, warnings: byFile.get(f.file) ?? 0 }));
}
