/**
 * duckdb-wasm (in the browser) behind the shared `Db` interface: the Explore page and the
 * filters ask the same questions of the shipped database as the build asks of native DuckDB,
 * and get the same plain values back (integers as numbers, DATE/TIMESTAMP as ISO strings).
 *
 * Everything is self-hosted: the wasm, its worker and the database file come from the site
 * itself, and extension auto-loading is off, so nothing is fetched from the internet (a company
 * network may not reach it, and a query that waits for a download would hang).
 */
import type { AsyncDuckDB, AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import type { Db, Row } from './db.ts';

export interface WasmDbOptions {
  /** URLs of duckdb-eh.wasm and duckdb-browser-eh.worker.js as the site serves them */
  wasmUrl: string;
  workerUrl: string;
  /** the shipped database (dist/data/qunlens.duckdb), attached read-only as the default catalog; none: an empty in-memory database */
  databaseUrl?: string;
}

/** Arrow column type → how its values become plain JS. */
type Kind = 'date' | 'timestamp' | 'bigint' | 'decimal' | 'other';

function kindOf(typeName: string): Kind {
  if (/^Decimal/.test(typeName)) return 'decimal';
  if (/^Date/.test(typeName)) return 'date';
  if (/^Timestamp/.test(typeName)) return 'timestamp';
  if (/^(Int|Uint)64/.test(typeName)) return 'bigint';
  return 'other';
}

/** A DECIMAL as Arrow gives it (little-endian 32-bit words of a two's-complement integer) → number. */
function decimalNumber(words: Uint32Array, scale: number): number {
  let n = 0n;
  for (let i = words.length - 1; i >= 0; i--) n = (n << 32n) | BigInt(words[i]);
  const bits = BigInt(words.length * 32);
  if (words.length && words[words.length - 1] & 0x80000000) n -= 1n << bits;
  return Number(n) / 10 ** scale;
}

/** One Arrow value as the native connector would give it (see db.ts). */
export function plainArrowValue(value: unknown, kind: Kind, scale = 0): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'decimal' && value instanceof Uint32Array) return decimalNumber(value, scale);
  if (typeof value === 'bigint') return Number(value);
  if (kind === 'date' && typeof value === 'number') return new Date(value).toISOString().slice(0, 10);
  if (kind === 'timestamp' && typeof value === 'number') return new Date(value).toISOString().replace('T', ' ').replace(/\.000Z$|Z$/, '');
  if (value instanceof Date) return kind === 'date' ? value.toISOString().slice(0, 10) : value.toISOString();
  if (typeof value === 'object' && value !== null && 'toJSON' in value && typeof (value as { toJSON: unknown }).toJSON === 'function') return (value as { toJSON(): unknown }).toJSON();
  return value;
}

export interface Column {
  name: string;
  type: string;
}

export interface ArrowTable {
  numRows: number;
  schema: { fields: { name: string; type: { scale?: number; toString(): string } }[] };
  getChildAt(i: number): { get(row: number): unknown } | null;
}

/** An Arrow result as columns and plain rows (shared with the Node tests of this connector). */
export function arrowRows(table: ArrowTable): { columns: Column[]; rows: Row[] } {
  const fields = table.schema.fields.map((f) => ({ name: f.name, type: String(f.type), kind: kindOf(String(f.type)), scale: f.type.scale ?? 0 }));
  const vectors = fields.map((_, i) => table.getChildAt(i));
  const rows: Row[] = new Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row: Row = {};
    for (let c = 0; c < fields.length; c++) row[fields[c].name] = plainArrowValue(vectors[c]?.get(r), fields[c].kind, fields[c].scale);
    rows[r] = row;
  }
  return { columns: fields.map(({ name, type }) => ({ name, type })), rows };
}

export class WasmDb implements Db {
  readonly db: AsyncDuckDB;
  readonly connection: AsyncDuckDBConnection;
  readonly worker: Worker;
  constructor(db: AsyncDuckDB, connection: AsyncDuckDBConnection, worker: Worker) {
    this.db = db;
    this.connection = connection;
    this.worker = worker;
  }

  async exec(sql: string): Promise<void> {
    await this.connection.query(sql);
  }

  /** Rows as plain objects, with the columns and their DuckDB-facing type names. */
  async query(sql: string): Promise<{ columns: Column[]; rows: Row[] }> {
    const table = await this.connection.query(sql);
    return arrowRows(table);
  }

  async rows<T = Row>(sql: string): Promise<T[]> {
    return (await this.query(sql)).rows as T[];
  }

  async close(): Promise<void> {
    await this.connection.close();
    await this.db.terminate();
    this.worker.terminate();
  }
}

export async function openWasmDb(options: WasmDbOptions): Promise<WasmDb> {
  const duckdb = await import('@duckdb/duckdb-wasm');
  const worker = new Worker(options.workerUrl);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(options.wasmUrl);
  const connection = await db.connect();
  const wasm = new WasmDb(db, connection, worker);
  await wasm.exec(`SET autoload_known_extensions = false; SET autoinstall_known_extensions = false`);
  if (options.databaseUrl) {
    const response = await fetch(options.databaseUrl);
    if (!response.ok) throw new Error(`${options.databaseUrl}: ${response.status} ${response.statusText}`);
    await db.registerFileBuffer('qunlens.duckdb', new Uint8Array(await response.arrayBuffer()));
    await wasm.exec(`ATTACH 'qunlens.duckdb' AS qunlens (READ_ONLY); USE qunlens`);
  }
  return wasm;
}
