/**
 * JS rows as a DuckDB table: the metrics step's small facts tables (f_group_km) and the outputs
 * step's public tables (outputs/output-tables.ts) both make theirs this way.
 */
import { sqlIdent, sqlString, type Db } from './db.ts';

export type SqlType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'DATE';

/** Materialise JS rows as a DuckDB table (small tables only: summaries, curves). */
export async function createTable(db: Db, name: string, columns: readonly [string, SqlType][], rows: readonly unknown[][]): Promise<void> {
  await db.exec(`CREATE OR REPLACE TABLE ${name} (${columns.map(([c, t]) => `${sqlIdent(c)} ${t}`).join(', ')})`);
  const literal = (v: unknown, t: SqlType) => {
    if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return `NULL::${t}`;
    if (typeof v === 'number') return t === 'DOUBLE' ? `${v}::DOUBLE` : String(v);
    if (typeof v === 'boolean') return String(v);
    return `${sqlString(String(v))}::${t}`;
  };
  for (let i = 0; i < rows.length; i += 500) {
    const values = rows.slice(i, i + 500).map((r) => `(${r.map((v, j) => literal(v, columns[j][1])).join(', ')})`);
    if (values.length) await db.exec(`INSERT INTO ${name} VALUES ${values.join(', ')}`);
  }
}
