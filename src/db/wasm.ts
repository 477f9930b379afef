/**
 * duckdb-wasm (in the browser) behind the shared `Db` interface: the Explore page and the
 * filters ask the same questions of the shipped database as the build asks of native DuckDB,
 * and get the same plain values back (integers as numbers, DATE/TIMESTAMP as ISO strings).
 *
 * Everything is self-hosted: the wasm, its worker and the database file come from the site
 * itself, and extension auto-loading is off, so nothing is fetched from the internet (a company
 * network may not reach it, and a query that waits for a download would hang).
 */
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
function plainArrowValue(value: unknown, kind: Kind, scale = 0): unknown {
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

/** An Arrow result as columns and plain rows: the only decoding of wasm results (WasmDb uses it for browser and tests alike). */
function arrowRows(table: ArrowTable): { columns: Column[]; rows: Row[] } {
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

/**
 * What WasmDb needs of a duckdb-wasm connection. The browser's (AsyncDuckDBConnection, in a
 * worker) answers with promises, the blocking build Node tests use answers directly: WasmDb
 * awaits either, so both run the same code below.
 */
export interface WasmConnection {
  query(sql: string): ArrowTable | Promise<ArrowTable>;
  prepare(sql: string): WasmStatement | Promise<WasmStatement>;
}

export interface WasmStatement {
  query(...params: unknown[]): ArrowTable | Promise<ArrowTable>;
  close(): unknown;
}

/** A duckdb-wasm engine with one connection: the browser's, or Node's blocking build in tests. */
export interface WasmEngine {
  connection: WasmConnection;
  /** Another connection to the same engine (its own default catalog: WasmDb.attachDatabase). */
  connect(): WasmConnection | Promise<WasmConnection>;
  /** Make bytes readable under a name (registerFileBuffer). */
  registerFileBuffer(name: string, bytes: Uint8Array): unknown;
  /** Make a file on the web readable under a name, block by block over HTTP range requests (registerFileURL). */
  registerFileURL?(name: string, url: string): unknown;
  /** End the connection and the engine. */
  close(): unknown;
}

/**
 * How the shipped database reached the browser: `ranges`, only the blocks queries read (HTTP
 * range requests); `whole`, one full download (the host ignored Range). The pages say which.
 */
export type DatabaseRead = 'ranges' | 'whole';

export class WasmDb implements Db {
  readonly #engine: WasmEngine;
  readonly #connection: WasmConnection;
  /** databases attached besides the shipped one, by name (attachDatabase) */
  readonly #attached = new Map<string, Promise<WasmDb>>();
  /** how the shipped database is read; null: none attached */
  databaseRead: DatabaseRead | null = null;
  constructor(engine: WasmEngine, connection = engine.connection) {
    this.#engine = engine;
    this.#connection = connection;
  }

  /**
   * Another shipped database (a region's own file), attached read-only once, as a WasmDb on a
   * connection of its own whose default catalog it is: the metric code's names (f_memberships)
   * then read that file, and this connection's stay as they were. `source`: the file's bytes, a
   * function that fetches them (called once), or its URL to read over range requests.
   */
  attachDatabase(name: string, source: Uint8Array | { url: string } | (() => Promise<Uint8Array>)): Promise<WasmDb> {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`not a database name: ${name}`);
    let attached = this.#attached.get(name);
    if (!attached) {
      attached = (async () => {
        const file = `${name}.duckdb`;
        const read = await registerDatabase(this.#engine, file, typeof source === 'function' ? await source() : source);
        await this.exec(`ATTACH '${file}' AS ${name} (READ_ONLY)`);
        const other = new WasmDb(this.#engine, await this.#engine.connect());
        await other.exec(`USE ${name}`);
        other.databaseRead = read;
        return other;
      })();
      // a failed attach may be tried again
      attached.catch(() => this.#attached.delete(name));
      this.#attached.set(name, attached);
    }
    return attached;
  }

  /**
   * The shipped database (dist/data/qunlens.duckdb) read-only as this connection's default
   * catalog: its bytes, or its URL (read over range requests; the engine must register URLs).
   */
  async useShipped(database: Uint8Array | { url: string }): Promise<this> {
    this.databaseRead = await registerDatabase(this.#engine, 'qunlens.duckdb', database);
    await this.exec(`ATTACH 'qunlens.duckdb' AS qunlens (READ_ONLY); USE qunlens`);
    return this;
  }

  /** The one place a wasm result is asked for: with params, as a prepared statement (see db.ts). */
  async #table(sql: string, params?: readonly unknown[]): Promise<ArrowTable> {
    const connection = this.#connection;
    if (!params?.length) return await connection.query(sql);
    const statement = await connection.prepare(sql);
    try {
      return await statement.query(...params);
    } finally {
      await statement.close();
    }
  }

  async exec(sql: string, params?: readonly unknown[]): Promise<void> {
    await this.#table(sql, params);
  }

  /** Rows as plain objects, with the columns and their DuckDB-facing type names. */
  async query(sql: string, params?: readonly unknown[]): Promise<{ columns: Column[]; rows: Row[] }> {
    return arrowRows(await this.#table(sql, params));
  }

  async rows<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  /** Make bytes readable by SQL under `name`. The engine may take the buffer over: pass a copy of bytes still needed. */
  async register(name: string, bytes: Uint8Array): Promise<string> {
    await this.#engine.registerFileBuffer(name, bytes);
    return name;
  }

  /** Ends the engine; for an attached database's WasmDb, nothing (it ends with the engine). */
  async close(): Promise<void> {
    if (this.#connection === this.#engine.connection) await this.#engine.close();
  }
}

/** A database file made readable under `file`: its bytes, or its URL (range requests; the engine must register URLs). */
async function registerDatabase(engine: WasmEngine, file: string, source: Uint8Array | { url: string }): Promise<DatabaseRead> {
  if (source instanceof Uint8Array) {
    await engine.registerFileBuffer(file, source);
    return 'whole';
  }
  if (!engine.registerFileURL) throw new Error('this duckdb-wasm engine cannot read files over HTTP');
  await engine.registerFileURL(file, source.url);
  return 'ranges';
}

/**
 * A fresh engine made ready as the browser uses it: extension auto-loading off (nothing is
 * fetched), and the shipped database, if given, attached read-only as the default catalog
 * (WasmDb.useShipped).
 */
export async function readyWasmDb(engine: WasmEngine, database?: Uint8Array | { url: string }): Promise<WasmDb> {
  const wasm = new WasmDb(engine);
  await wasm.exec(`SET autoload_known_extensions = false; SET autoinstall_known_extensions = false`);
  return database ? wasm.useShipped(database) : wasm;
}

/**
 * Ask the host for the database's first byte. A 206 with the file's size in Content-Range: the
 * host honours ranges, read the file block by block. Anything else that is OK came back whole
 * (a 200): that body is the one full download, nothing is fetched twice.
 */
export async function probeDatabase(address: string): Promise<{ url: string } | Uint8Array> {
  // the worker resolves URLs against its own script: give it an absolute one
  const url = new URL(address, location.href).href;
  const response = await fetch(url, { headers: { Range: 'bytes=0-0' } });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  if (response.status === 206 && /\/\d+$/.test(response.headers.get('content-range') ?? '')) {
    await response.body?.cancel();
    return { url };
  }
  return new Uint8Array(await response.arrayBuffer());
}

export async function openWasmDb(options: WasmDbOptions): Promise<WasmDb> {
  // the probe runs while the engine loads
  const probe = options.databaseUrl ? probeDatabase(options.databaseUrl) : undefined;
  probe?.catch(() => undefined); // awaited below: not an unhandled rejection meanwhile
  const wasm = await openWasmEngine(options);
  return probe ? wasm.useShipped(await probe) : wasm;
}

/**
 * The engine alone, nothing attached (the filters attach a region's own file, and the shipped
 * database only when a choice needs it: WasmDb.useShipped).
 */
export async function openWasmEngine(options: Pick<WasmDbOptions, 'wasmUrl' | 'workerUrl'>): Promise<WasmDb> {
  // Nothing waits that need not: the worker's script (0.8 MB) loads while the library below
  // does. (On a 2-core machine, starting the worker after the library put the wasm's first byte
  // 0.35 s later.)
  const worker = new Worker(options.workerUrl);
  const duckdb = await import('@duckdb/duckdb-wasm');
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(options.wasmUrl);
  // duckdb-wasm 1.32 reads HTTP files whole unless told otherwise (forceFullHTTPReads is on by
  // default): off, it asks for the 256 KiB blocks a query touches. allowFullHTTPReads lets its own
  // size detection go on to a ranged GET when a host answers HEAD without a range (CDNs, issue
  // duckdb-wasm#2228); probeDatabase has already made sure ranged GETs are answered.
  await db.open({ filesystem: { forceFullHTTPReads: false, allowFullHTTPReads: true } });
  const connection = await db.connect();
  return readyWasmDb({
    connection,
    connect: () => db.connect(),
    registerFileBuffer: (name, bytes) => db.registerFileBuffer(name, bytes),
    registerFileURL: (name, url) => db.registerFileURL(name, url, duckdb.DuckDBDataProtocol.HTTP, false),
    close: async () => {
      await connection.close();
      await db.terminate();
      worker.terminate();
    },
  });
}
