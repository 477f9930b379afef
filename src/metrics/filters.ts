/**
 * The filters readers choose on Channels (period of joining, region, group type), as the SQL
 * condition the metric functions take (MembershipFilter). Shared by the browser, which applies
 * it, and the tests, which check that the browser's numbers equal the build's.
 *
 * What a reader chose is bound as parameters ($1, $2…), never written into the SQL: a region
 * named `华东' OR 1=1 --` is matched as that text.
 */
import type { MembershipFilter } from './summaries.ts';

export interface FilterChoice {
  /** first and last join month, 'YYYY-MM' */
  from?: string | null;
  to?: string | null;
  region?: string | null;
  groupType?: string | null;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The choice as a condition on a table with a date column, region and group_type. */
function filterOn(dateColumn: string, choice: FilterChoice): MembershipFilter {
  const parts: string[] = [];
  const params: string[] = [];
  /** the next placeholder, bound to `value` */
  const bind = (value: string) => `$${params.push(value)}`;
  for (const [month, op, shift] of [[choice.from, '>=', ''], [choice.to, '<', ' + INTERVAL 1 MONTH']] as const) {
    if (!month) continue;
    // checked still: a wrong month is the reader's mistake to be told about, not an empty result
    if (!MONTH.test(month)) throw new Error(`filter: "${month}" is not a month (YYYY-MM)`);
    parts.push(`${dateColumn} ${op} CAST(${bind(`${month}-01`)} AS DATE)${shift}`);
  }
  if (choice.region) parts.push(`region = ${bind(choice.region)}`);
  if (choice.groupType) parts.push(`group_type = ${bind(choice.groupType)}`);
  return { where: parts.length ? parts.map((p) => `(${p})`).join(' AND ') : 'true', params };
}

/** Memberships (Channels, Retention): the period is the month they joined. */
export function membershipFilter(choice: FilterChoice): MembershipFilter {
  return filterOn('joined_date', choice);
}

export function isEmptyChoice(choice: FilterChoice): boolean {
  return !choice.from && !choice.to && !choice.region && !choice.groupType;
}

/** Groups (Benchmarks): the period is the month the group was created. */
export function groupFilter(choice: FilterChoice): MembershipFilter {
  return filterOn('created_date', choice);
}
