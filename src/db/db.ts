/**
 * The one query interface the pipeline and the browser share (Mosaic's connector idea):
 * metric code receives a `Db` and never knows whether native DuckDB or duckdb-wasm answers.
 *
 * Values come back as plain JS: integers and decimals as numbers, DATE/TIMESTAMP as ISO
 * strings, NULL as null. Queries that feed metrics cast explicitly so both engines agree.
 */
export type Row = Record<string, unknown>;

/**
 * `params` fill the placeholders $1, $2… (a number may repeat, as when one condition is used in
 * several parts of a query): text bound as a value is matched as text and never read as SQL,
 * so whatever a reader types or picks goes in this way. With params, `sql` is one statement.
 */
export interface Db {
  /** Run one or more statements for their effect. */
  exec(sql: string, params?: readonly unknown[]): Promise<void>;
  /** Run a query and return its rows as plain objects. */
  rows<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
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

const UNITS: Record<string, number> = { bytes: 1, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12 };

/** DuckDB's memory limit in bytes, from the text it reports ('953.6 MiB'); null if unreadable. */
export async function memoryLimitBytes(db: Db): Promise<number | null> {
  const [{ limit }] = await db.rows<{ limit: string }>(`SELECT current_setting('memory_limit') AS limit`);
  const m = /^([\d.]+)\s*([a-z]+)$/i.exec(String(limit).trim());
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  return m && unit ? Number(m[1]) * unit : null;
}

/**
 * DuckDB needed more memory than its limit and could not spill the rest. Not a bug and not bad
 * input: the message says what to do, and the build stops with the previous site in place.
 */
export class OutOfMemoryError extends Error {
  constructor(duckdbMessage: string, limit: string | undefined) {
    super(
      `DuckDB ran out of memory${limit ? ` (its limit is ${limit})` : ''}: ${duckdbMessage.split('\n')[0].replace(/^Out of Memory Error: /, '')}. ` +
        `Run the build again with a larger limit, e.g. --memory-limit ${suggestLimit(limit)}, on a machine with that much memory free.`,
    );
    this.name = 'OutOfMemoryError';
  }
}

function suggestLimit(limit: string | undefined): string {
  const m = /^([\d.]+)\s*(GB|GiB|MB|MiB)$/i.exec(limit ?? '');
  if (!m) return '2GB';
  const gb = (Number(m[1]) * (/^m/i.test(m[2]) ? 1 / 1000 : 1)) * 2;
  return `${Math.max(1, Math.round(gb * 10) / 10)}GB`;
}
