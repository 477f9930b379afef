/**
 * The per-row rules of DATA.md for one table, as SQL: how each column is parsed, and every
 * check as one bit of a mask. A row is accepted when its mask is 0; the messages (which quote
 * the raw value) are built only for the rows that failed.
 */
import type { ColumnSpec, TableSpec } from '../core/contract.ts';
import { sqlIdent, sqlString } from '../db/db.ts';
import { NUMBER_LIMITS } from '../core/contract.ts';
import { asciiOf, isoTimestamp, parse } from './values.ts';

export interface RowCheck {
  bit: number;
  /** canonical column, or null for the whole row */
  column: string | null;
  /** SQL boolean over the parsed row (raw r_c, text t_c, typed c) */
  condition: string;
  /** SQL text expression over the raw columns "c__r" */
  message: string;
}

/** A bit kept for the cross-table checks (unknown group, duplicate, leave before join). */
export const CROSS_BIT = 62;
/**
 * A bit for a row that is also in an earlier file of its table (overlapping exports): not an
 * error, counted once (validate.ts).
 */
export const OVERLAP_BIT = 61;
/** The bits of a row's own checks (not the cross checks, not overlaps). */
export const OWN_CHECKS = `~(${(1n << BigInt(CROSS_BIT)) | (1n << BigInt(OVERLAP_BIT))}::BIGINT)`;

const raw = (c: string) => sqlIdent(`${c}__r`);
const text = (c: string) => sqlIdent(`${c}__t`);

/** Kinds whose general parser reads full-width-normalised text. */
const typed = (c: string) => sqlIdent(c);
const grouped = (n: number) => n.toLocaleString('en-US');
// a raw value quoted in a message: masked (qz_mask) before it is cut, so a cut never leaves part
// of a phone number unmasked (messages are built for failed rows only). Not defused: inside a
// message it starts no cell (the message as a whole goes through qz_public when published), and
// "-129" should read as written.
const quoted = (expr: string) => `'"' || left(qz_mask(${expr}), 60) || CASE WHEN length(qz_mask(${expr})) > 60 THEN '…' ELSE '' END || '"'`;

export function sqlType(column: ColumnSpec): string {
  switch (column.kind) {
    case 'datetime':
      return 'TIMESTAMP';
    case 'date':
      return 'DATE';
    case 'amount':
      return 'DECIMAL(18, 4)';
    case 'integer':
      return 'BIGINT';
    case 'number':
      return 'DOUBLE';
    case 'boolean':
    case 'staff_flag':
      return 'BOOLEAN';
    default:
      return 'VARCHAR';
  }
}

/** The typed value of a column from its raw field (fast paths) and normalised text (general). */
function typedExpr(column: ColumnSpec): string {
  const r = raw(column.name);
  // the full-width-normalised text, as an expression: only the general parsers read it, on the
  // rare rows the fast paths leave them (a column of it cost every row a UTF-8 length: 5 % of
  // checking 20 M messages)
  const a = asciiOf(text(column.name));
  switch (column.kind) {
    case 'id':
    case 'text':
    case 'label':
      return text(column.name);
    case 'datetime':
      return parse.timestamp(r, a);
    case 'date':
      return parse.date(r, a);
    case 'amount':
      return parse.amount(r, a);
    case 'integer':
      return parse.integer(r, a);
    case 'number':
      return parse.number(r, a);
    case 'boolean':
      return parse.boolean(r, a);
    case 'staff_flag':
      return parse.staff(r, a);
    case 'join_scene':
      return parse.joinScene(r, a);
  }
}

function columnChecks(column: ColumnSpec): Omit<RowCheck, 'bit'>[] {
  const r = raw(column.name);
  const t = text(column.name);
  const v = typed(column.name);
  const name = column.name;
  const said = (rest: string) => `${sqlString(`${name} `)} || ${quoted(r)} || ${sqlString(rest)}`;
  const checks: Omit<RowCheck, 'bit'>[] = [];
  if (column.required) checks.push({ column: name, condition: `${t} IS NULL`, message: sqlString(`${name} is empty; every row needs a ${column.description}`) });
  const unparsed = `${t} IS NOT NULL AND ${v} IS NULL`;
  // a date outside the plausible days (values.ts DateBounds: config.earliestDate to the day after
  // the build): a typo'd year, which would otherwise move the report date. One comparison on the
  // typed value; an epoch or Excel serial number says the day it was read as.
  const plausible = (afterLatest: string) => ({
    column: name,
    condition: `(${v} < qz_earliest() OR ${v} ${afterLatest})`,
    message: `${said('')} || CASE WHEN contains(${r}, strftime(${v}, '%Y-%m-%d')) THEN '' ELSE ' (read as ' || strftime(${v}, '%Y-%m-%d') || ')' END || CASE WHEN ${v} < qz_earliest()
      THEN ' is before ' || CAST(qz_earliest() AS VARCHAR) || ${sqlString(` (earliestDate): a typo'd year? fix the date, or set an earlier earliestDate in qunlens.config.json if the data really goes back further`)}
      ELSE ' is after ' || CAST(qz_latest() AS VARCHAR) || ${sqlString(` (the day after this build): a typo'd year? fix the date`)} END`,
  });
  // why a number was not read (values.ts qz_num_reason), evaluated for rejected rows only
  const notNumber = (limit: number, tooLarge: string, otherwise: string) =>
    `${said('')} || CASE qz_num_reason(${r}, ${limit})
      WHEN 'decimal comma' THEN ${sqlString(' has a decimal comma; write the decimals after a point (1234.5), commas only between groups of three digits (1,234.5)')}
      WHEN 'grouping' THEN ${sqlString(' has commas that are not between groups of three digits, so it could mean two different numbers; write it without separators (1234.5) or as 1,234.5')}
      WHEN 'not finite' THEN ${sqlString(' is not a finite number; write the number itself')}
      WHEN 'too large' THEN ${sqlString(tooLarge)}
      ELSE ${sqlString(otherwise)} END`;
  switch (column.kind) {
    case 'id':
      checks.push({
        column: name,
        condition: parse.mangled(t),
        message: said(' is in scientific notation: Excel turned the ID into a number and lost digits; format the column as text and export again'),
      });
      checks.push({
        column: name,
        condition: parse.excelError(t),
        message: said(' is an Excel error value, not an ID: the formula in that cell failed; fix the cell in the export (or export the values, not the formulas)'),
      });
      break;
    case 'datetime':
      checks.push({ column: name, condition: unparsed, message: said(' is not a date/time; use e.g. 2026-03-05 14:02:09, 2026/3/5 or 2026年3月5日') });
      checks.push(plausible(`>= CAST(qz_latest() + 1 AS TIMESTAMP)`));
      break;
    case 'date':
      checks.push({ column: name, condition: unparsed, message: said(' is not a date; use e.g. 2026-03-05, 2026/3/5 or 2026年3月5日') });
      checks.push(plausible(`> qz_latest()`));
      break;
    case 'amount':
      checks.push({
        column: name,
        condition: unparsed,
        message: notNumber(NUMBER_LIMITS.amount, ` is above ${grouped(NUMBER_LIMITS.amount)} (${NUMBER_LIMITS.amount / 1e8}亿), the largest amount accepted: a pasted ID, or 分 instead of 元? fix the amount`, ' is not a number'),
      });
      checks.push({ column: name, condition: `${v} < 0`, message: said(' is negative; an amount must be ≥ 0 (mark refunds in the refunded column)') });
      break;
    case 'integer':
      checks.push({
        column: name,
        condition: unparsed,
        message: notNumber(NUMBER_LIMITS.integer, ` is above ${grouped(NUMBER_LIMITS.integer)}, the largest count accepted (more than one a second, all day); fix the count`, ' is not a whole number'),
      });
      checks.push({ column: name, condition: `${v} < 0`, message: said(' is negative') });
      break;
    case 'number':
      checks.push({
        column: name,
        condition: unparsed,
        message: notNumber(NUMBER_LIMITS.number, ` is beyond ±${grouped(NUMBER_LIMITS.number)}, the largest number accepted; fix the value`, ' is not a number'),
      });
      break;
    case 'boolean':
      checks.push({ column: name, condition: unparsed, message: said(' is not one of true/false, 是/否, 1/0') });
      break;
    case 'staff_flag':
      checks.push({ column: name, condition: unparsed, message: said(' is not a member type: use 1 (企业成员, staff) or 2 (外部联系人, customer), or true/false') });
      break;
    case 'join_scene':
      checks.push({ column: name, condition: unparsed, message: said(' is not a join scene: use 1 直接邀请, 2 邀请链接 or 3 扫描群二维码') });
      break;
    case 'text':
    case 'label':
      break;
  }
  return checks;
}

/** What a plan needs of each file of its table. */
export interface PlanSource {
  /** index among its table's files: rows carry it as __src */
  index: number;
  /** canonical column → index of the header field that supplies it */
  columns: Map<string, number>;
  headers: readonly string[];
}

export interface ParsePlan {
  spec: TableSpec;
  /** columns present in at least one file */
  present: Set<string>;
  /**
   * Every check of the table, one bit each: the same bits for every file (a check of a column
   * a file lacks simply never fails there), so the rows of all its files share one table.
   */
  checks: RowCheck[];
  /**
   * SELECT over a file's scan (fields f0…, __overflow) giving every contract column typed,
   * `__mask`, `__src`, and the raw text of failed rows ("c__r", NULL for accepted rows and
   * for columns the file lacks).
   */
  select(scan: string, source: PlanSource, options?: { keepRaw?: boolean; columns?: readonly string[] }): string;
  /**
   * The same SELECT for a file whose every row is plain (see `plainForm`): each value as it
   * stands, `__mask` 0, no general parser. A row that is not plain stops the statement with an
   * error naming NOT_PLAIN (`isNotPlain`); null when a wanted column has no plain form.
   */
  plainSelect(scan: string, source: PlanSource, options?: { keepRaw?: boolean; columns?: readonly string[] }): string | null;
}

/** The message of the error a row that is not plain raises in a plainSelect. */
export const NOT_PLAIN = 'qunlens: a row that is not plain';

/** True for the error a plainSelect raised on a row that is not plain. */
export function isNotPlain(error: unknown): boolean {
  return String((error as Error)?.message ?? '').includes(NOT_PLAIN);
}

/**
 * A column's plain form: a raw field the general parser would return as it stands (an ID) or
 * read with the plain cast (an ISO time), failing none of its checks. `plain` is a condition on
 * the raw field `r` and the value `v`; it must imply what the general path gives (the property
 * test in tests/read/plain-form.test.ts holds both to it). Kinds without one: null.
 */
export function plainForm(column: ColumnSpec, r: string, v: string): { value: string; plain: string } | null {
  switch (column.kind) {
    case 'id':
      // from '0' to before DEL at the start: no blank, no '-', no '#' (Excel errors), nothing
      // multi-byte (a full-width blank); no blank at the end; no '+' (Excel's 1.38E+10)
      return {
        value: r,
        plain: `${r} >= '0' AND ${r} < chr(127) AND NOT suffix(${r}, ' ') AND NOT suffix(${r}, chr(9)) AND NOT suffix(${r}, '　') AND NOT contains(${r}, '+')`,
      };
    case 'datetime':
      return { value: `try_cast(${r} AS TIMESTAMP)`, plain: `${isoTimestamp(r)} AND ${v} >= qz_earliest() AND ${v} < CAST(qz_latest() + 1 AS TIMESTAMP)` };
    default:
      return null;
  }
}

/** A plan's first level over a file's scan: the raw fields by canonical name (NULL for a column the file lacks), the row's shape and file. */
function firstLevel(used: readonly ColumnSpec[], source: PlanSource): string[] {
  return [
    ...used.map((c) => (source.columns.has(c.name) ? `f${source.columns.get(c.name)} AS ${raw(c.name)}` : `NULL::VARCHAR AS ${raw(c.name)}`)),
    `f${source.headers.length - 1} IS NULL AS __short`,
    `__overflow IS NOT NULL AS __long`,
    `${source.index}::SMALLINT AS __src`,
  ];
}

export function parsePlan(spec: TableSpec, sources: readonly PlanSource[]): ParsePlan {
  const present = new Set(sources.flatMap((s) => [...s.columns.keys()]));
  const columns = spec.columns.filter((c) => present.has(c.name));
  // the header's number of fields, per file (a row's own file)
  const fields = sources.length === 1 ? String(sources[0].headers.length) : `CASE __src ${sources.map((s) => `WHEN ${s.index} THEN ${s.headers.length}`).join(' ')} END`;
  const checks: RowCheck[] = [
    { bit: 0, column: null, condition: '__short', message: `'the row has fewer fields than the header (' || ${fields} || '); a delimiter or a value is missing'` },
    { bit: 1, column: null, condition: '__long', message: `'the row has more fields than the header (' || ${fields} || '); a value probably contains an unquoted delimiter'` },
  ];
  for (const column of columns) for (const check of columnChecks(column)) checks.push({ ...check, bit: checks.length });
  if (checks.length >= OVERLAP_BIT) throw new Error(`too many checks for ${spec.name}`);

  // what a SELECT gives: the wanted columns in the contract's order (`out`), and those of them
  // some file of the table has (`used`)
  const chosen = (options: { columns?: readonly string[] }) => {
    const wanted = new Set(options.columns ?? spec.columns.map((c) => c.name));
    return { wanted, used: columns.filter((c) => wanted.has(c.name)), out: spec.columns.filter((c) => wanted.has(c.name)) };
  };

  return {
    spec,
    present,
    checks,
    select(scan, source, options = {}) {
      const fieldOf = source.columns;
      const { wanted, used, out: outColumns } = chosen(options);
      // 1: raw fields by canonical name (NULL for a column this file lacks); row shape
      const l1 = firstLevel(used, source);
      // 2: trimmed text; 2b: full-width-normalised text; 3: typed values. Each level reads plain
      // columns of the one below: the parsers are macros DuckDB inlines, and an expression as
      // their argument would be repeated in every branch.
      // (an ISO timestamp needs no trimming: its text is the raw field)
      const l2 = used.map((c) =>
        !fieldOf.has(c.name)
          ? `NULL::VARCHAR AS ${text(c.name)}`
          : c.kind === 'datetime' || c.kind === 'date'
            ? `CASE WHEN ${isoTimestamp(raw(c.name))} THEN ${raw(c.name)} ELSE ${parse.text(raw(c.name))} END AS ${text(c.name)}`
            : `${parse.text(raw(c.name))} AS ${text(c.name)}`,
      );
      const l3 = outColumns.map((c) => (fieldOf.has(c.name) ? `${typedExpr(c)} AS ${typed(c.name)}` : `NULL::${sqlType(c)} AS ${typed(c.name)}`));
      const usedChecks = checks.filter((c) => c.column === null || (wanted.has(c.column) && fieldOf.has(c.column)));
      const mask = usedChecks.map((c) => `CASE WHEN ${c.condition} THEN ${1n << BigInt(c.bit)}::BIGINT ELSE 0::BIGINT END`).join(' + ');
      const out = [...outColumns.map((c) => typed(c.name)), '__mask', '__src'];
      if (options.keepRaw !== false) out.push(...used.map((c) => `CASE WHEN __mask <> 0 THEN ${raw(c.name)} END AS ${raw(c.name)}`));
      return `SELECT ${out.join(', ')} FROM (
        SELECT *, ${mask} AS __mask FROM (
          SELECT *, ${l3.join(', ')} FROM (
            SELECT *, ${l2.length ? l2.join(', ') : '1 AS __none'} FROM (
              SELECT ${l1.join(', ')} FROM ${scan}))))`;
    },
    plainSelect(scan, source, options = {}) {
      const { used, out: outColumns } = chosen(options);
      const forms = new Map(used.filter((c) => source.columns.has(c.name)).map((c) => [c, plainForm(c, raw(c.name), typed(c.name))]));
      if ([...forms.values()].some((f) => f === null)) return null;
      // the same first level as select's, then each value once, then every condition (in a
      // CASE: DuckDB evaluates its condition lazily, left to right, and stops at the first false)
      const l1 = firstLevel(used, source);
      const values = outColumns.map((c) => `${forms.get(c)?.value ?? `NULL::${sqlType(c)}`} AS ${typed(c.name)}`);
      const plain = ['NOT __short', 'NOT __long', ...[...forms.values()].map((f) => f!.plain)].join(' AND ');
      const out = [...outColumns.map((c) => typed(c.name)), '__mask', '__src'];
      if (options.keepRaw !== false) out.push(...used.map((c) => `NULL::VARCHAR AS ${raw(c.name)}`));
      return `SELECT ${out.join(', ')} FROM (
        SELECT *, CASE WHEN ${plain} THEN 0::BIGINT ELSE error(${sqlString(NOT_PLAIN)}) END AS __mask FROM (
          SELECT *, ${values.join(', ')} FROM (
            SELECT ${l1.join(', ')} FROM ${scan})))`;
    },
  };
}

/** SQL listing, for failed rows of p_<table>, one (row, column, message) per failed check. */
export function failedChecksSql(table: string, checks: readonly RowCheck[]): string {
  const message = `CASE k ${checks.map((c) => `WHEN ${c.bit} THEN ${c.message}`).join(' ')} END`;
  const column = `CASE k ${checks.map((c) => `WHEN ${c.bit} THEN ${c.column === null ? 'NULL' : sqlString(c.column)}`).join(' ')} END`;
  return `SELECT row, ${column} AS "column", ${message} AS message FROM (
      SELECT p.rowid AS row, k, p.* FROM ${table} p, range(0, ${checks.length}) r(k)
      WHERE p.__mask & ${OWN_CHECKS} <> 0 AND (p.__mask >> k) & 1 = 1)`;
}

/**
 * A check that keeps the row and reports it as a warning (DATA.md: worth an operator's look, not
 * wrong): a SQL condition and message over the typed columns of an accepted row.
 */
export interface RowWarning {
  column: string;
  condition: string;
  message: string;
}

export interface WarningLimits {
  /** config.orderAmountCeiling: an amount above it is kept with a warning */
  orderAmountCeiling: number;
}

/** The warnings of a table's accepted rows: an amount above config.orderAmountCeiling. */
export function rowWarnings(plan: Pick<ParsePlan, 'spec' | 'present'>, limits: WarningLimits): RowWarning[] {
  const ceiling = limits.orderAmountCeiling;
  return plan.spec.columns
    .filter((c) => c.kind === 'amount' && plan.present.has(c.name))
    .map((c) => {
      const v = typed(c.name);
      // the raw text is kept for rejected rows only: the typed value, without trailing zeros
      const value = `rtrim(rtrim(CAST(${v} AS VARCHAR), '0'), '.')`;
      return {
        column: c.name,
        condition: `${v} > ${ceiling}`,
        message: `${sqlString(`${c.name} `)} || ${value} || ${sqlString(` is above orderAmountCeiling (${ceiling}): kept; check for a typo (e.g. an extra zero) or raise orderAmountCeiling in qunlens.config.json`)}`,
      };
    });
}

/** SQL listing (row, column, message) of the warnings of p_<table>'s rows with __mask = 0; null without warnings. */
export function warningsSql(table: string, warnings: readonly RowWarning[]): string | null {
  if (!warnings.length) return null;
  return warnings
    .map((w) => `SELECT rowid AS row, ${sqlString(w.column)} AS "column", ${w.message} AS message FROM ${table} WHERE __mask = 0 AND ${w.condition}`)
    .join(' UNION ALL ');
}
