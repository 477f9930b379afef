/**
 * Step 2, validate: raw text rows → typed rows (`v_<table>`) and one data-quality table (`dq`).
 *
 * Every rule of DATA.md "Bad input" is here, and a row that breaks one is rejected with its
 * file, physical line, column and a reason an operator can act on; it is never dropped
 * silently or guessed. Parsing and per-row checks run as one columnar SQL pass per table;
 * cross-table checks (unknown group, duplicates, leave before join) are joins.
 */
import { tableSpec, type ColumnSpec, type TableName } from '../contract.ts';
import { sqlIdent, sqlString, type Db } from '../db/db.ts';
import { asciiOf } from './values.ts';
import type { DataIssue, RawTable, ReadResult } from './read.ts';

export interface FileQuality {
  file: string;
  table: TableName;
  encoding: string;
  rowsRead: number;
  rowsRejected: number;
  warnings: number;
}

export interface ValidationResult {
  present: Set<TableName>;
  files: FileQuality[];
}

const DQ_TABLE = `CREATE OR REPLACE TABLE dq (file VARCHAR, line BIGINT, "column" VARCHAR, severity VARCHAR, message VARCHAR)`;

/** Add issues found outside SQL (read step, config) to the dq table. */
export async function insertIssues(db: Db, issues: readonly DataIssue[]): Promise<void> {
  for (let i = 0; i < issues.length; i += 500) {
    const values = issues
      .slice(i, i + 500)
      .map((d) => `(${sqlString(d.file)}, ${d.line ?? 'NULL'}, ${d.column === null ? 'NULL' : sqlString(d.column)}, ${sqlString(d.severity)}, ${sqlString(d.message)})`)
      .join(', ');
    await db.exec(`INSERT INTO dq VALUES ${values}`);
  }
}

/**
 * The SQL value of a column after parsing, by kind, from its trimmed text `t` and its
 * full-width-normalised text `a` (each computed once per row: the parsers are macros that
 * DuckDB inlines, so normalising inside them would repeat the work in every branch).
 */
function parsedExpr(column: ColumnSpec, t: string, a: string): string {
  switch (column.kind) {
    case 'id':
    case 'text':
    case 'label':
      return t;
    case 'datetime':
      return `qz_ts_ascii(${a})`;
    case 'date':
      return `CAST(qz_ts_ascii(${a}) AS DATE)`;
    case 'amount':
      return `qz_amount_ascii(${a})`;
    case 'integer':
      return `qz_int_ascii(${a})`;
    case 'number':
      return `qz_num_ascii(${a})`;
    case 'boolean':
      return `qz_bool_ascii(${a})`;
    case 'staff_flag':
      return `qz_staff_ascii(${a})`;
    case 'join_scene':
      return `qz_join_scene_ascii(${a})`;
  }
}

/** Kinds parsed from the full-width-normalised text. */
const NEEDS_ASCII = new Set(['id', 'datetime', 'date', 'amount', 'integer', 'number', 'boolean', 'staff_flag', 'join_scene']);

const shown = (expr: string) => `'"' || left(${expr}, 60) || CASE WHEN length(${expr}) > 60 THEN '…' ELSE '' END || '"'`;

/** Per-row checks of one column: SQL producing a struct {column, message} or NULL. */
function columnChecks(column: ColumnSpec): string[] {
  const raw = sqlIdent(`${column.name}__t`);
  const ascii = sqlIdent(`${column.name}__a`);
  const value = sqlIdent(column.name);
  const name = column.name;
  const err = (condition: string, message: string) =>
    `CASE WHEN ${condition} THEN {'column': ${sqlString(name)}, 'message': ${message}} END`;
  const checks: string[] = [];
  const empty = `${raw} IS NULL`;
  if (column.required) checks.push(err(empty, sqlString(`${name} is empty; every row needs a ${column.description}`)));
  const unparsed = `${raw} IS NOT NULL AND ${value} IS NULL`;
  switch (column.kind) {
    case 'id':
      checks.push(
        err(`qz_id_mangled_ascii(${ascii})`, `${sqlString(`${name} `)} || ${shown(raw)} || ' is in scientific notation: Excel turned the ID into a number and lost digits; format the column as text and export again'`),
      );
      break;
    case 'datetime':
    case 'date':
      checks.push(
        err(unparsed, `${sqlString(`${name} `)} || ${shown(raw)} || ' is not a ${column.kind === 'date' ? 'date' : 'date/time'}; use e.g. 2026-03-05${column.kind === 'date' ? '' : ' 14:02:09'}, 2026/3/5 or 2026年3月5日'`),
      );
      break;
    case 'amount':
      checks.push(err(unparsed, `${sqlString(`${name} `)} || ${shown(raw)} || ' is not a number'`));
      checks.push(err(`${value} < 0`, `${sqlString(`${name} `)} || ${shown(raw)} || ' is negative; an amount must be ≥ 0 (mark refunds in the refunded column)'`));
      break;
    case 'integer':
      checks.push(err(unparsed, `${sqlString(`${name} `)} || ${shown(raw)} || ' is not a whole number'`));
      checks.push(err(`${value} < 0`, `${sqlString(`${name} `)} || ${shown(raw)} || ' is negative'`));
      break;
    case 'number':
      checks.push(err(unparsed, `${sqlString(`${name} `)} || ${shown(raw)} || ' is not a number'`));
      break;
    case 'boolean':
      checks.push(err(unparsed, `${sqlString(`${name} `)} || ${shown(raw)} || ' is not one of true/false, 是/否, 1/0'`));
      break;
    case 'staff_flag':
      checks.push(err(unparsed, `${sqlString(`${name} `)} || ${shown(raw)} || ' is not a member type: use 1 (企业成员, staff) or 2 (外部联系人, customer), or true/false'`));
      break;
    case 'join_scene':
      checks.push(err(unparsed, `${sqlString(`${name} `)} || ${shown(raw)} || ' is not a join scene: use 1 直接邀请, 2 邀请链接 or 3 扫描群二维码'`));
      break;
    case 'text':
    case 'label':
      break;
  }
  return checks;
}

/**
 * Parse one raw table into p_<table>: typed columns (all contract columns; absent ones NULL),
 * `__line`, and `__errors` (list of {column, message}).
 */
async function parseTable(db: Db, raw: RawTable): Promise<void> {
  const spec = tableSpec(raw.table);
  const present = new Set(raw.columns);
  const q = (name: string, suffix: string) => sqlIdent(`${name}__${suffix}`);
  // 1: trimmed text (NULL for '', '-', '--'); absent columns are NULL
  const trimmed = spec.columns.map((c) => (present.has(c.name) ? `qz_text(${sqlIdent(c.name)})` : 'NULL::VARCHAR') + ` AS ${q(c.name, 't')}`);
  // 2: + full-width-normalised text where a parser needs it
  const normalised = spec.columns.filter((c) => NEEDS_ASCII.has(c.kind)).map((c) => `${asciiOf(q(c.name, 't'))} AS ${q(c.name, 'a')}`);
  // 3: typed values
  const typed = spec.columns.map((c) => `${parsedExpr(c, q(c.name, 't'), q(c.name, 'a'))} AS ${sqlIdent(c.name)}`);
  const checks = [
    `CASE WHEN __short THEN {'column': NULL::VARCHAR, 'message': 'the row has fewer fields than the header (${raw.headers.length}); a delimiter or a value is missing'} END`,
    `CASE WHEN __long THEN {'column': NULL::VARCHAR, 'message': 'the row has more fields than the header (${raw.headers.length}); a value probably contains an unquoted delimiter'} END`,
    ...spec.columns.filter((c) => present.has(c.name)).flatMap(columnChecks),
  ];
  const keep = spec.columns.flatMap((c) => [q(c.name, 't'), ...(NEEDS_ASCII.has(c.kind) ? [q(c.name, 'a')] : [])]);
  await db.exec(`
    CREATE OR REPLACE TABLE p_${raw.table} AS
    SELECT __line, ${spec.columns.map((c) => sqlIdent(c.name)).join(', ')},
      list_filter([${checks.join(',\n        ')}], x -> x IS NOT NULL) AS __errors
    FROM (SELECT __line, __short, __long, ${keep.join(', ')}, ${typed.join(', ')}
      FROM (SELECT *, ${normalised.length ? normalised.join(', ') : '1 AS __none'}
        FROM (SELECT __line, __short, __long, ${trimmed.join(', ')} FROM ${raw.source})))`);
}

/** Cross-table and uniqueness checks: x_<table>(line, column, message). */
function crossChecks(table: TableName): string[] {
  const groupKnown = (alias: string) => `
    SELECT ${alias}.__line AS line, 'group_id' AS "column",
      CASE WHEN pg.group_id IS NOT NULL
        THEN 'group_id "' || ${alias}.group_id || '": its group was rejected (groups.csv line ' || pg.line || '); fix that row first'
        ELSE 'group_id "' || ${alias}.group_id || '" is not in groups.csv; add the group or correct the ID' END AS message
    FROM p_${table} ${alias}
    ANTI JOIN v_groups g ON g.group_id = ${alias}.group_id
    LEFT JOIN (SELECT group_id, min(__line) AS line FROM p_groups GROUP BY ALL) pg ON pg.group_id = ${alias}.group_id
    WHERE ${alias}.group_id IS NOT NULL`;
  const duplicate = (keys: string[], label: string) => `
    SELECT __line AS line, ${sqlString(keys[0])} AS "column",
      ${label} || ' (first on line ' || first_line || '); the later row is rejected' AS message
    FROM (SELECT __line, ${keys.join(', ')}, min(__line) OVER (PARTITION BY ${keys.join(', ')}) AS first_line
          FROM p_${table} WHERE len(__errors) = 0 AND ${keys.map((k) => `${k} IS NOT NULL`).join(' AND ')})
    WHERE __line > first_line`;
  switch (table) {
    case 'groups':
      return [
        duplicate(['group_id'], `'duplicate group_id "' || group_id || '"'`),
        `SELECT __line, 'dissolved_at', 'dissolved_at is before created_at' FROM p_groups WHERE dissolved_at < created_at`,
      ];
    case 'members':
      return [
        groupKnown('m'),
        `SELECT __line, 'left_at', 'left_at ' || strftime(left_at, '%Y-%m-%d %H:%M:%S') || ' is before joined_at ' || strftime(joined_at, '%Y-%m-%d %H:%M:%S') FROM p_members WHERE left_at < joined_at`,
        duplicate(['member_id', 'group_id', 'joined_at'], `'the same member joined the same group at the same time twice'`),
      ];
    case 'channels':
      return [duplicate(['state'], `'duplicate state "' || state || '"'`)];
    case 'messages':
    case 'activity':
    case 'checkins':
      return [groupKnown('t')];
    case 'orders':
      return [groupKnown('o'), duplicate(['order_id'], `'duplicate order_id "' || order_id || '"'`)];
  }
}

const ORDER: readonly TableName[] = ['groups', 'channels', 'members', 'messages', 'activity', 'orders', 'checkins'];

export async function validate(db: Db, read: ReadResult): Promise<ValidationResult> {
  await db.exec(DQ_TABLE);
  await insertIssues(db, read.issues);
  const present = new Set(read.tables.keys());
  const files: FileQuality[] = [];
  for (const table of ORDER) {
    const raw = read.tables.get(table);
    if (!raw) continue;
    await insertIssues(db, raw.issues);
    await parseTable(db, raw);
    const file = sqlString(raw.file);
    await db.exec(`CREATE OR REPLACE TABLE x_${table} (line BIGINT, "column" VARCHAR, message VARCHAR)`);
    for (const check of crossChecks(table)) await db.exec(`INSERT INTO x_${table} ${check}`);
    await db.exec(`
      INSERT INTO dq
      SELECT ${file}, __line, e.column, 'error', e.message FROM (SELECT __line, unnest(__errors) AS e FROM p_${table} WHERE len(__errors) > 0)
      UNION ALL SELECT ${file}, line, "column", 'error', message FROM x_${table}`);
    await db.exec(`
      CREATE OR REPLACE TABLE v_${table} AS
      SELECT * EXCLUDE (__errors) FROM p_${table} p
      WHERE len(__errors) = 0 AND NOT EXISTS (SELECT 1 FROM x_${table} x WHERE x.line = p.__line)`);
    // p_groups stays until the end: member rows name the line of a rejected group
    if (table !== 'groups') await db.exec(`DROP TABLE p_${table}`);
    const [counts] = await db.rows<{ accepted: number; errors: number; warnings: number }>(`
      SELECT (SELECT count(*) FROM v_${table})::BIGINT AS accepted,
        (SELECT count(DISTINCT line) FROM dq WHERE file = ${file} AND severity = 'error' AND line IS NOT NULL)::BIGINT AS errors,
        (SELECT count(*) FROM dq WHERE file = ${file} AND severity = 'warning')::BIGINT AS warnings`);
    const unreadable = raw.issues.filter((i) => i.severity === 'error').length;
    files.push({
      file: raw.file,
      table,
      encoding: raw.encoding,
      rowsRead: raw.rows + unreadable,
      rowsRejected: raw.rows + unreadable - counts.accepted,
      warnings: counts.warnings,
    });
  }
  await db.exec(`DROP TABLE IF EXISTS p_groups`);
  return { present, files };
}

/** Warnings per file, counted again once the model step has added its own. */
export async function countWarnings(db: Db, files: FileQuality[]): Promise<FileQuality[]> {
  const rows = await db.rows<{ file: string; n: number }>(`SELECT file, count(*)::BIGINT AS n FROM dq WHERE severity = 'warning' GROUP BY ALL`);
  const byFile = new Map(rows.map((r) => [r.file, r.n]));
  return files.map((f) => ({ ...f, warnings: byFile.get(f.file) ?? 0 }));
}
