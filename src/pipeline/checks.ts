/**
 * The per-row rules of DATA.md for one table, as SQL: how each column is parsed, and every
 * check as one bit of a mask. A row is accepted when its mask is 0; the messages (which quote
 * the raw value) are built only for the rows that failed.
 */
import type { ColumnSpec, TableSpec } from '../contract.ts';
import { sqlIdent, sqlString } from '../db/db.ts';
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

const raw = (c: string) => sqlIdent(`${c}__r`);
const text = (c: string) => sqlIdent(`${c}__t`);
const ascii = (c: string) => sqlIdent(`${c}__a`);

/** Kinds whose general parser reads full-width-normalised text. */
const NEEDS_ASCII = new Set(['datetime', 'date', 'amount', 'integer', 'number', 'boolean', 'staff_flag', 'join_scene']);
const typed = (c: string) => sqlIdent(c);
// a raw value quoted in a message: masked (qz_public) before it is cut, so a cut never leaves
// part of a phone number unmasked (messages are built for failed rows only)
const quoted = (expr: string) => `'"' || left(qz_public(${expr}), 60) || CASE WHEN length(qz_public(${expr})) > 60 THEN '…' ELSE '' END || '"'`;

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
  const a = ascii(column.name);
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
  switch (column.kind) {
    case 'id':
      checks.push({
        column: name,
        condition: parse.mangled(t),
        message: said(' is in scientific notation: Excel turned the ID into a number and lost digits; format the column as text and export again'),
      });
      break;
    case 'datetime':
      checks.push({ column: name, condition: unparsed, message: said(' is not a date/time; use e.g. 2026-03-05 14:02:09, 2026/3/5 or 2026年3月5日') });
      break;
    case 'date':
      checks.push({ column: name, condition: unparsed, message: said(' is not a date; use e.g. 2026-03-05, 2026/3/5 or 2026年3月5日') });
      break;
    case 'amount':
      checks.push({ column: name, condition: unparsed, message: said(' is not a number') });
      checks.push({ column: name, condition: `${v} < 0`, message: said(' is negative; an amount must be ≥ 0 (mark refunds in the refunded column)') });
      break;
    case 'integer':
      checks.push({ column: name, condition: unparsed, message: said(' is not a whole number') });
      checks.push({ column: name, condition: `${v} < 0`, message: said(' is negative') });
      break;
    case 'number':
      checks.push({ column: name, condition: unparsed, message: said(' is not a number') });
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

export interface ParsePlan {
  spec: TableSpec;
  present: Set<string>;
  checks: RowCheck[];
  /**
   * SELECT over a scan (fields f0…, __overflow) giving every contract column typed, `__mask`,
   * and the raw text of failed rows ("c__r", NULL for accepted rows).
   */
  select(scan: string, options?: { keepRaw?: boolean; columns?: readonly string[] }): string;
}

export function parsePlan(spec: TableSpec, fieldOf: Map<string, number>, headerCount: number): ParsePlan {
  const present = new Set(fieldOf.keys());
  const columns = spec.columns.filter((c) => present.has(c.name));
  const checks: RowCheck[] = [
    { bit: 0, column: null, condition: '__short', message: sqlString(`the row has fewer fields than the header (${headerCount}); a delimiter or a value is missing`) },
    { bit: 1, column: null, condition: '__long', message: sqlString(`the row has more fields than the header (${headerCount}); a value probably contains an unquoted delimiter`) },
  ];
  for (const column of columns) for (const check of columnChecks(column)) checks.push({ ...check, bit: checks.length });
  if (checks.length >= CROSS_BIT) throw new Error(`too many checks for ${spec.name}`);

  return {
    spec,
    present,
    checks,
    select(scan, options = {}) {
      const wanted = new Set(options.columns ?? spec.columns.map((c) => c.name));
      const used = columns.filter((c) => wanted.has(c.name));
      // 1: raw fields by canonical name; row shape
      const l1 = [
        ...used.map((c) => `f${fieldOf.get(c.name)} AS ${raw(c.name)}`),
        `f${headerCount - 1} IS NULL AS __short`,
        `__overflow IS NOT NULL AS __long`,
      ];
      // 2: trimmed text; 2b: full-width-normalised text; 3: typed values. Each level reads plain
      // columns of the one below: the parsers are macros DuckDB inlines, and an expression as
      // their argument would be repeated in every branch.
      // (an ISO timestamp needs no trimming: its text is the raw field)
      const l2 = used.map((c) =>
        c.kind === 'datetime' || c.kind === 'date'
          ? `CASE WHEN ${isoTimestamp(raw(c.name))} THEN ${raw(c.name)} ELSE ${parse.text(raw(c.name))} END AS ${text(c.name)}`
          : `${parse.text(raw(c.name))} AS ${text(c.name)}`,
      );
      const l2b = used.filter((c) => NEEDS_ASCII.has(c.kind)).map((c) => `${asciiOf(text(c.name))} AS ${ascii(c.name)}`);
      const l3 = spec.columns.filter((c) => wanted.has(c.name)).map((c) => (present.has(c.name) ? `${typedExpr(c)} AS ${typed(c.name)}` : `NULL::${sqlType(c)} AS ${typed(c.name)}`));
      const usedChecks = checks.filter((c) => c.column === null || wanted.has(c.column));
      const mask = usedChecks.map((c) => `CASE WHEN ${c.condition} THEN ${1n << BigInt(c.bit)}::BIGINT ELSE 0::BIGINT END`).join(' + ');
      const out = [...spec.columns.filter((c) => wanted.has(c.name)).map((c) => typed(c.name)), '__mask'];
      if (options.keepRaw !== false) out.push(...used.map((c) => `CASE WHEN __mask <> 0 THEN ${raw(c.name)} END AS ${raw(c.name)}`));
      return `SELECT ${out.join(', ')} FROM (
        SELECT *, ${mask} AS __mask FROM (
          SELECT *, ${l3.join(', ')} FROM (
            SELECT *, ${l2b.length ? l2b.join(', ') : '1 AS __none2'} FROM (
              SELECT *, ${l2.length ? l2.join(', ') : '1 AS __none'} FROM (
                SELECT ${l1.join(', ')} FROM ${scan})))))`;
    },
  };
}

/** SQL listing, for failed rows of p_<table>, one (row, column, message) per failed check. */
export function failedChecksSql(table: string, checks: readonly RowCheck[]): string {
  const message = `CASE k ${checks.map((c) => `WHEN ${c.bit} THEN ${c.message}`).join(' ')} END`;
  const column = `CASE k ${checks.map((c) => `WHEN ${c.bit} THEN ${c.column === null ? 'NULL' : sqlString(c.column)}`).join(' ')} END`;
  return `SELECT row, ${column} AS "column", ${message} AS message FROM (
      SELECT p.rowid AS row, k, p.* FROM ${table} p, range(0, ${checks.length}) r(k)
      WHERE p.__mask & ~(${1n << BigInt(CROSS_BIT)}::BIGINT) <> 0 AND (p.__mask >> k) & 1 = 1)`;
}
