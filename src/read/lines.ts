/**
 * Where a stored row is in its file, computed only for the rows a report needs (rejected rows,
 * warnings): DuckDB numbers records, not lines, and a table's rows may come from several files.
 * For a CSV, the scan (csv-scan.ts) knows every line where no read record starts (blank lines,
 * rejected records, continuation lines, the rows above the header); records DuckDB itself
 * refused are added from their byte offsets; lines are then one ASOF join over those
 * breakpoints. A workbook's rows carry their Excel row numbers; a Parquet file's rows are
 * numbered after its header.
 */
import { sqlString, type Db } from '../db/db.ts';
import { linesAtOffsets } from './csv-file.ts';
import { breakpointsFromSkips } from './csv-scan.ts';
import type { SourceFile } from './source-files.ts';

import type { RejectRow } from './rejects.ts';


/** Columns of a lines table: the row (rowid of p_<table>), its file, line (or Excel row) and sheet. */
export const LINES_TABLE = `(row BIGINT, file VARCHAR, line BIGINT, sheet VARCHAR)`;

/** How a message names a place: `line 12`, or `row 12 of sheet 群成员` in a workbook. */
export function placeSql(line: string, sheet: string): string {
  return `CASE WHEN ${sheet} IS NULL THEN 'line ' || ${line} ELSE 'row ' || ${line} || ' of sheet ' || ${sheet} END`;
}

/** Creates `lines_<table>(row, file, line, sheet)` for the given rows of p_<table> (an SQL query of rowids). */
export async function createLines(db: Db, table: string, sources: readonly SourceFile[], rowsSql: string): Promise<string> {
  const target = `lines_${table}`;
  await db.exec(`CREATE OR REPLACE TABLE ${target} ${LINES_TABLE}`);
  await db.exec(`CREATE OR REPLACE TEMP TABLE wanted_${table} AS SELECT DISTINCT row FROM (${rowsSql}) WHERE row IS NOT NULL`);
  for (const source of sources) {
    const from = source.firstRow;
    const to = source.firstRow + source.stored;
    const mine = `SELECT row FROM wanted_${table} WHERE row >= ${from} AND row < ${to}`;
    const file = sqlString(source.file);
    if (source.rowNumbers) {
      // a workbook: each record's Excel row, for the rows asked for
      const rows = await db.rows<{ row: number }>(`${mine} ORDER BY row`);
      for (let i = 0; i < rows.length; i += 1000) {
        const values = rows.slice(i, i + 1000).map(({ row }) => `(${row}, ${file}, ${source.rowNumbers![row - from]}, ${sqlString(source.sheet ?? '')})`);
        await db.exec(`INSERT INTO ${target} VALUES ${values.join(', ')}`);
      }
      continue;
    }
    if (!source.layout) {
      // Parquet: rows in order after a header line
      await db.exec(`INSERT INTO ${target} SELECT row, ${file}, row - ${from} + 2, NULL FROM (${mine})`);
      continue;
    }
    const refused = await rejectLines(source, source.rejects);
    const breakpoints = breakpointsFromSkips(source.layout.skips, source.layout.headerLines, [...refused.values()]);
    const bp = `bp_${table}`;
    await db.exec(`CREATE OR REPLACE TEMP TABLE ${bp} (from_row BIGINT, line_offset BIGINT)`);
    for (let i = 0; i < breakpoints.length; i += 1000) {
      await db.exec(`INSERT INTO ${bp} VALUES ${breakpoints.slice(i, i + 1000).map((b) => `(${b.fromRow + from}, ${b.offset})`).join(', ')}`);
    }
    await db.exec(`INSERT INTO ${target}
      SELECT r.row, ${file}, r.row - ${from} + ${source.layout.headerLines + 1} + coalesce(b.line_offset, 0), NULL
      FROM (${mine}) r ASOF LEFT JOIN ${bp} b ON r.row >= b.from_row`);
    await db.exec(`DROP TABLE ${bp}`);
  }
  await db.exec(`DROP TABLE wanted_${table}`);
  return target;
}

/** Lines of DuckDB's unreadable records (from their byte offsets in the file it read). */
export async function rejectLines(source: SourceFile, rejects: readonly RejectRow[]): Promise<Map<number, number>> {
  return source.format === 'parquet' ? new Map() : linesAtOffsets(source.readPath, rejects.map((r) => r.byte_position));
}
