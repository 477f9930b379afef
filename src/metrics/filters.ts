/**
 * The filters readers choose on Channels (period of joining, region, group type), as the SQL
 * condition the metric functions take (MembershipFilter). Shared by the browser, which applies
 * it, and the tests, which check that the browser's numbers equal the build's.
 */
import { sqlString } from '../db/db.ts';
import type { MembershipFilter } from './summaries.ts';

export interface FilterChoice {
  /** first and last join month, 'YYYY-MM' */
  from?: string | null;
  to?: string | null;
  region?: string | null;
  groupType?: string | null;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export function membershipFilter(choice: FilterChoice): MembershipFilter {
  const parts: string[] = [];
  if (choice.from) {
    if (!MONTH.test(choice.from)) throw new Error(`filter: "${choice.from}" is not a month (YYYY-MM)`);
    parts.push(`joined_date >= DATE ${sqlString(`${choice.from}-01`)}`);
  }
  if (choice.to) {
    if (!MONTH.test(choice.to)) throw new Error(`filter: "${choice.to}" is not a month (YYYY-MM)`);
    parts.push(`joined_date < DATE ${sqlString(`${choice.to}-01`)} + INTERVAL 1 MONTH`);
  }
  if (choice.region) parts.push(`region = ${sqlString(choice.region)}`);
  if (choice.groupType) parts.push(`group_type = ${sqlString(choice.groupType)}`);
  return { where: parts.length ? parts.map((p) => `(${p})`).join(' AND ') : 'true' };
}

export function isEmptyChoice(choice: FilterChoice): boolean {
  return !choice.from && !choice.to && !choice.region && !choice.groupType;
}

/** The same choices for groups (Benchmarks): the period is the month the group was created. */
export function groupFilter(choice: FilterChoice): MembershipFilter {
  const parts: string[] = [];
  if (choice.from) {
    if (!MONTH.test(choice.from)) throw new Error(`filter: "${choice.from}" is not a month (YYYY-MM)`);
    parts.push(`created_date >= DATE ${sqlString(`${choice.from}-01`)}`);
  }
  if (choice.to) {
    if (!MONTH.test(choice.to)) throw new Error(`filter: "${choice.to}" is not a month (YYYY-MM)`);
    parts.push(`created_date < DATE ${sqlString(`${choice.to}-01`)} + INTERVAL 1 MONTH`);
  }
  if (choice.region) parts.push(`region = ${sqlString(choice.region)}`);
  if (choice.groupType) parts.push(`group_type = ${sqlString(choice.groupType)}`);
  return { where: parts.length ? parts.map((p) => `(${p})`).join(' AND ') : 'true' };
}
