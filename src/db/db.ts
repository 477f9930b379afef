/**
 * The one query interface the pipeline and the browser share (Mosaic's connector idea):
 * metric code receives a `Db` and never knows whether native DuckDB or duckdb-wasm answers.
 *
 * Values come back as plain JS: integers and decimals as numbers, DATE/TIMESTAMP as ISO
 * strings, NULL as null. Queries that feed metrics cast explicitly so both engines agree.
 */
export type Row = Record<string, unknown>;

export interface Db {
  /** Run one or more statements for their effect. */
  exec(sql: string): Promise<void>;
  /** Run a query and return its rows as plain objects. */
  rows<T = Row>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

/** Quote a string as a SQL literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Quote an identifier. */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
