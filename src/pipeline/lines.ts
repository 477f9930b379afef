/**
 * Physical line numbers (header = line 1) of stored rows, computed only for the rows a report
 * needs (rejected rows, warnings): DuckDB numbers records, not lines. The scan (csv-scan.ts)
 * already knows every line where no read record starts (blank lines, rejected records, the
 * continuation lines of quoted fields); records DuckDB itself refused are added from their
 * byte offsets. Lines are then one ASOF join over those breakpoints.
 */
import type { Db } from '../db/db.ts';
import { linesAtOffsets } from './csv-file.ts';
import { breakpointsFromSkips } from './csv-scan.ts';
import type { SourceFile } from './sources.ts';

import type { RejectRow } from './row-checks.ts';

export { readRejects, type RejectRow } from './row-checks.ts';

/** Creates `lines_<table>(row, line)` for the given rows (an SQL query of rowids). */
export async function createLines(db: Db, source: SourceFile, rowsSql: string, rejects: readonly RejectRow[]): Promise<string> {
  const target = `lines_${source.table}`;
  if (!source.layout) {
    await db.exec(`CREATE OR REPLACE TABLE ${target} AS SELECT DISTINCT row, row + 2 AS line FROM (${rowsSql})`);
    return target;
  }
  const refused = await rejectLines(source, rejects);
  const breakpoints = breakpointsFromSkips(source.layout.skips, source.layout.headerLines, [...refused.values()]);
  const bp = `bp_${source.table}`;
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${bp} (from_row BIGINT, line_offset BIGINT)`);
  for (let i = 0; i < breakpoints.length; i += 1000) {
    await db.exec(`INSERT INTO ${bp} VALUES ${breakpoints.slice(i, i + 1000).map((b) => `(${b.fromRow}, ${b.offset})`).join(', ')}`);
  }
  await db.exec(`CREATE OR REPLACE TABLE ${target} AS
    SELECT r.row, r.row + ${source.layout.headerLines + 1} + coalesce(b.line_offset, 0) AS line
    FROM (SELECT DISTINCT row FROM (${rowsSql})) r ASOF LEFT JOIN ${bp} b ON r.row >= b.from_row`);
  await db.exec(`DROP TABLE ${bp}`);
  return target;
}

/** Lines of DuckDB's unreadable records (from their byte offsets in the file it read). */
export async function rejectLines(source: SourceFile, rejects: readonly RejectRow[]): Promise<Map<number, number>> {
  return source.format === 'parquet' ? new Map() : linesAtOffsets(source.readPath, rejects.map((r) => r.byte_position));
}
