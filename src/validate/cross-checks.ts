/**
 * Checks that reject a row beyond its own fields (duplicates, dates out of order, unknown
 * groups): shared by the build (validate.ts) and the browser's CSV preview (preview.ts), which
 * has one file and so skips the checks that need another.
 */
import type { TableName } from '../core/contract.ts';
import { sqlString } from '../db/db.ts';

/**
 * Cross-table checks of a table: SQL giving (row, column, message, ref_table, ref_row); a
 * message may say {line}, where the referenced row (ref_table, ref_row) is from the row's own
 * file ("line 12", or "line 12 of members-09.csv"), or {where}, its file and line.
 */
export function crossChecks(table: TableName, options: { otherFiles: boolean; groupsFiles?: string } = { otherFiles: true }): string[] {
  const p = `p_${table}`;
  const groups = sqlString(options.groupsFiles ?? 'groups.csv');
  const groupKnown = `
    SELECT t.rowid AS row, 'group_id' AS "column",
      CASE WHEN pg.row IS NOT NULL
        THEN 'group_id "' || t.group_id || '": its group was rejected ({where}); fix that row first'
        ELSE 'group_id "' || t.group_id || '" is not in ' || ${groups} || '; add the group or correct the ID' END AS message,
      CASE WHEN pg.row IS NOT NULL THEN 'groups' END AS ref_table, pg.row AS ref_row
    FROM ${p} t
    ANTI JOIN v_groups g ON g.group_id = t.group_id
    LEFT JOIN (SELECT group_id, min(rowid) AS row FROM p_groups GROUP BY ALL) pg ON pg.group_id = t.group_id
    WHERE t.group_id IS NOT NULL`;
  const duplicate = (keys: string[], label: string) => `
    SELECT row, ${sqlString(keys[0])} AS "column", ${label} || ' (first on {line}); the later row is rejected' AS message,
      ${sqlString(table)} AS ref_table, first_row AS ref_row
    FROM (SELECT rowid AS row, ${keys.join(', ')}, min(rowid) OVER (PARTITION BY ${keys.join(', ')}) AS first_row
          FROM ${p} WHERE __mask = 0 AND ${keys.map((k) => `${k} IS NOT NULL`).join(' AND ')})
    WHERE row > first_row`;
  // a group ID can only be checked against groups.csv when that file is read too
  const known = options.otherFiles ? [groupKnown] : [];
  switch (table) {
    case 'groups':
      return [
        duplicate(['group_id'], `'duplicate group_id "' || group_id || '"'`),
        `SELECT rowid, 'dissolved_at', 'dissolved_at is before created_at', NULL, NULL FROM ${p} WHERE dissolved_at < created_at`,
      ];
    case 'members':
      return [
        ...known,
        `SELECT rowid, 'left_at', 'left_at ' || strftime(left_at, '%Y-%m-%d %H:%M:%S') || ' is before joined_at ' || strftime(joined_at, '%Y-%m-%d %H:%M:%S'), NULL, NULL FROM ${p} WHERE left_at < joined_at`,
        duplicate(['member_id', 'group_id', 'joined_at'], `'the same member joined the same group at the same time twice'`),
      ];
    case 'channels':
      return [duplicate(['state'], `'duplicate state "' || state || '"'`)];
    case 'messages':
    case 'activity':
    case 'checkins':
      return known;
    case 'orders':
      return [...known, duplicate(['order_id'], `'duplicate order_id "' || order_id || '"'`)];
  }
}

