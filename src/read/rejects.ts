/**
 * The records DuckDB's CSV reader could not read (its rejects table), and what an operator
 * reads for each: shared by the build and the browser's CSV preview.
 */
import { sqlString, type Db } from '../db/db.ts';

export interface RejectRow {
  byte_position: number;
  column_name: string | null;
  error_type: string;
  error_message: string;
}

/** The records DuckDB could not read, from the rejects table a scan wrote (none: no table). */
export async function readRejects(db: Db, rejectsTable: string): Promise<RejectRow[]> {
  const exists = await db.rows<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = ${sqlString(rejectsTable)}`);
  if (!exists[0].n) return [];
  return db.rows<RejectRow>(
    `SELECT byte_position::BIGINT AS byte_position, column_name, error_type::VARCHAR AS error_type, error_message FROM ${rejectsTable} ORDER BY byte_position`,
  );
}

/** What an operator reads for a record DuckDB could not read. */
export function rejectMessage(reject: Pick<RejectRow, 'error_type' | 'error_message'>, encoding: string): string {
  return reject.error_type === 'INVALID ENCODING'
    ? `the row has bytes that are not valid ${encoding === 'utf-8' ? 'UTF-8' : String(encoding).toUpperCase()}; save the file as UTF-8 (or GB18030) and check this row`
    : `the row could not be read as CSV (${reject.error_message.split('\n')[0]}); check quotes and delimiters on this line`;
}
