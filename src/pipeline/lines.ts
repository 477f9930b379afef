/**
 * Physical line numbers (header = line 1) of stored rows, computed only for the rows a report
 * needs (rejected rows): DuckDB numbers records, not lines, so records spanning lines (quoted
 * newlines), skipped blank lines and unreadable records shift the count. Clean files never pay
 * for this.
 */
import { sqlString, type Db } from '../db/db.ts';
import { lineBreakpoints, lineShape, linesAtOffsets } from './csv-file.ts';
import { scanSql, type SourceFile } from './sources.ts';

import type { RejectRow } from './row-checks.ts';

export { readRejects, type RejectRow } from './row-checks.ts';

/**
 * Creates `lines_<table>(row, line)` for the given rows (an SQL query of rowids): breakpoints
 * come from quoted newlines (a second scan storing the same records in the same order, when
 * the file has a quote at all), blank lines and unreadable records; lines are then one ASOF join.
 */
export async function createLines(db: Db, source: SourceFile, rowsSql: string, rejects: readonly RejectRow[]): Promise<string> {
  const target = `lines_${source.table}`;
  if (source.format === 'parquet') {
    await db.exec(`CREATE OR REPLACE TABLE ${target} AS SELECT DISTINCT row, row + 1 AS line FROM (${rowsSql})`);
    return target;
  }
  const [shape, rejectAt] = await Promise.all([lineShape(source.readPath), linesAtOffsets(source.readPath, rejects.map((r) => r.byte_position))]);
  // Records spanning lines: a newline inside a quoted field. A file without a quote character
  // has none, and is spared a scan of every record (4.2 s for the benchmark's messages.csv).
  let multiLine: { row: number; extra: number }[] = [];
  if (shape.hasQuotes) {
    const fields = source.headers.map((_, i) => `f${i}`);
    const anyNewline = fields.map((f) => `contains(${f}, chr(10))`).join(' OR ');
    const newlines = fields.map((f) => `coalesce(length(${f}) - length(replace(${f}, chr(10), '')), 0)`).join(' + ');
    const nl = `nl_${source.table}`;
    await db.exec(`CREATE OR REPLACE TEMP TABLE ${nl} AS SELECT CASE WHEN ${anyNewline} THEN ${newlines} ELSE 0 END AS nl FROM ${scanSql(source, `${nl}_rejects`)}`);
    multiLine = await db.rows<{ row: number; extra: number }>(`SELECT rowid AS row, nl AS extra FROM ${nl} WHERE nl > 0 ORDER BY rowid`);
    await db.exec(`DROP TABLE ${nl}`);
  }
  const breakpoints = lineBreakpoints(multiLine, [...shape.blankLines, ...rejectAt.values()]);
  const bp = `bp_${source.table}`;
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${bp} (from_row BIGINT, line_offset BIGINT)`);
  for (let i = 0; i < breakpoints.length; i += 1000) {
    await db.exec(`INSERT INTO ${bp} VALUES ${breakpoints.slice(i, i + 1000).map((b) => `(${b.fromRow}, ${b.offset})`).join(', ')}`);
  }
  await db.exec(`CREATE OR REPLACE TABLE ${target} AS
    SELECT r.row, r.row + 2 + coalesce(b.line_offset, 0) AS line
    FROM (SELECT DISTINCT row FROM (${rowsSql})) r ASOF LEFT JOIN ${bp} b ON r.row >= b.from_row`);
  return target;
}

/** Lines of DuckDB's unreadable records (from their byte offsets). */
export async function rejectLines(source: SourceFile, rejects: readonly RejectRow[]): Promise<Map<number, number>> {
  return source.format === 'parquet' ? new Map() : linesAtOffsets(source.readPath, rejects.map((r) => r.byte_position));
}

