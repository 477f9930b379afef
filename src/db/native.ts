/**
 * Native DuckDB (build time) behind the shared `Db` interface.
 */
import {
  arrayFromArrayValue,
  arrayFromListValue,
  booleanFromValue,
  createDuckDBValueConverter,
  DuckDBInstance,
  DuckDBTypeId,
  nullConverter,
  numberFromValue,
  objectFromStructValue,
  stringFromValue,
  type DuckDBConnection,
  type DuckDBValue,
  type DuckDBValueConverter,
} from '@duckdb/node-api';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OutOfMemoryError, type Db, type Row } from './db.ts';

/** QUNLENS_SQL_LOG=1: every statement's time on stderr (finding the slow one at scale); =full: with the whole statement. */
const SQL_LOG = process.env.QUNLENS_SQL_LOG === '1' || process.env.QUNLENS_SQL_LOG === 'full';
const SQL_LOG_WIDTH = process.env.QUNLENS_SQL_LOG === 'full' ? Infinity : 110;
function logSql(sql: string, t0: number): void {
  process.stderr.write(`sql ${((performance.now() - t0) / 1000).toFixed(2).padStart(7)}s  ${sql.replace(/\s+/g, ' ').trim().slice(0, SQL_LOG_WIDTH)}\n`);
}

/**
 * QUNLENS_SQL_PROFILE=DIR: DuckDB's operator profile (JSON) of every statement over half a
 * second, as DIR/NNN.json next to its SQL: where a slow statement spends its time.
 */
const SQL_PROFILE = process.env.QUNLENS_SQL_PROFILE || null;
let profiled = 0;
function keepProfile(sql: string, t0: number): void {
  const seconds = (performance.now() - t0) / 1000;
  if (!SQL_PROFILE || seconds < 0.5) return;
  const name = join(SQL_PROFILE, String(++profiled).padStart(3, '0'));
  try {
    copyFileSync(join(SQL_PROFILE, 'last.json'), `${name}.json`);
    writeFileSync(`${name}.sql`, `-- ${seconds.toFixed(2)} s\n${sql}\n`);
  } catch {
    // a statement DuckDB did not profile (a PRAGMA, several statements at once)
  }
}

export interface NativeDbOptions {
  /** Database file; omit for in-memory. */
  path?: string;
  /** Open the file read-only (several readers may share it). */
  readOnly?: boolean;
  threads?: number;
  /** e.g. '1.5GB'. Bounds DuckDB's buffer manager so big inputs spill instead of growing. */
  memoryLimit?: string;
  /**
   * Keep the memory DuckDB's blocks have touched, up to memoryLimit, until the database closes
   * (block_allocator_memory), where by default freed blocks go back to the system and the next
   * ones fault in again. For the build's one long-lived database: on this project's VMs a page
   * fault costs 10–14 µs, and a build that returned its blocks faulted 1.4 M times.
   */
  keepBlocks?: boolean;
  /** Folder for spilling; defaults to DuckDB's own choice next to the database. */
  tempDirectory?: string;
  /**
   * For SQL the build did not write (report cells): no files or network beyond the database
   * itself (and its spill folder), no extensions loaded or installed, and settings that no
   * statement can change afterwards.
   */
  lockedDown?: boolean;
}

/**
 * The locked-down settings. They are given at open time, so not one statement runs before they
 * hold; lock_configuration then refuses every SET, RESET and PRAGMA that would change a setting
 * (these or memory_limit). It comes last, as it must when set by statements.
 */
export const LOCKED_DOWN: Readonly<Record<string, string>> = {
  enable_external_access: 'false',
  autoload_known_extensions: 'false',
  autoinstall_known_extensions: 'false',
  allow_community_extensions: 'false',
  lock_configuration: 'true',
};

/**
 * DuckDB's default memory limit here. It bounds the buffer manager (big joins and sorts spill
 * to disk beyond it); Node, the result rows turned into pages and Astro need the rest. At the
 * benchmark scale (20 M messages, 1.3 M check-ins) 1 GB cost no time against 1.3 GB (81 s vs
 * 82–86 s) and peaked at 1.78 GiB resident where 1.3 GB reached 1.96 GiB, too close to 2 GiB.
 */
export const DEFAULT_MEMORY_LIMIT = '1GB';

export async function openNativeDb(options: NativeDbOptions = {}): Promise<NativeDb> {
  const config: Record<string, string> = {};
  if (options.threads) config.threads = String(options.threads);
  if (options.memoryLimit) config.memory_limit = options.memoryLimit;
  if (options.keepBlocks && options.memoryLimit) config.block_allocator_memory = options.memoryLimit;
  if (options.tempDirectory) config.temp_directory = options.tempDirectory;
  if (options.readOnly) config.access_mode = 'READ_ONLY';
  if (options.lockedDown) Object.assign(config, LOCKED_DOWN);
  const instance = await DuckDBInstance.create(options.path ?? ':memory:', config);
  const connection = await instance.connect();
  if (SQL_PROFILE && !options.lockedDown) {
    mkdirSync(SQL_PROFILE, { recursive: true });
    await connection.run(`PRAGMA enable_profiling = 'json'; PRAGMA profiling_mode = 'detailed'; PRAGMA profiling_output = '${join(SQL_PROFILE, 'last.json').replaceAll("'", "''")}'`);
  }
  return new NativeDb(instance, connection, options.memoryLimit);
}

/** DuckDB's out-of-memory errors as OutOfMemoryError; anything else as it came. */
function explain(error: unknown, limit: string | undefined): unknown {
  const message = (error as Error)?.message ?? '';
  return /^Out of Memory Error/.test(message) ? new OutOfMemoryError(message, limit) : error;
}

export class NativeDb implements Db {
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
  readonly memoryLimit: string | undefined;
  constructor(instance: DuckDBInstance, connection: DuckDBConnection, memoryLimit?: string) {
    this.instance = instance;
    this.connection = connection;
    this.memoryLimit = memoryLimit;
  }

  /**
   * The statements asked for and not yet finished. node-api hands each call to a thread of its
   * own: on one connection DuckDB runs them one at a time, but in whichever order the threads
   * reach it (a CREATE TABLE asked for first ran after the SELECT that read it, in one CI run).
   * The read step asks while an earlier statement runs, so the order is kept here.
   */
  #queue: Promise<unknown> = Promise.resolve();

  /**
   * `call` once every statement asked for before it has finished (failed or not), timed for
   * QUNLENS_SQL_LOG (a failed statement too), its error explained.
   */
  #inTurn<T>(sql: string, call: () => Promise<T>): Promise<T> {
    const run = async () => {
      const t0 = SQL_LOG || SQL_PROFILE ? performance.now() : 0;
      try {
        const result = await call();
        if (SQL_LOG) logSql(sql, t0);
        if (SQL_PROFILE) keepProfile(sql, t0);
        return result;
      } catch (error) {
        if (SQL_LOG) logSql(`FAILED: ${sql}`, t0);
        throw explain(error, this.memoryLimit);
      }
    };
    const turn = this.#queue.then(run, run);
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /** `params` fill $1, $2… (see db.ts): node-api prepares the statement and binds them. */
  async exec(sql: string, params?: readonly unknown[]): Promise<void> {
    await this.#inTurn(sql, () => this.connection.run(sql, params as DuckDBValue[] | undefined));
  }

  async rows<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    const reader = await this.#inTurn(sql, () => this.connection.runAndReadAll(sql, params as DuckDBValue[] | undefined));
    // by name as columnNames() gives them: a later column of the same name wins, as it always has
    const names = reader.columnNames();
    const columns = reader.convertColumns(toPlain);
    const count = reader.currentRowCount;
    const out = new Array<T>(count);
    for (let i = 0; i < count; i++) {
      const row: Row = {};
      for (let c = 0; c < names.length; c++) row[names[c]] = columns[c][i];
      out[i] = row as T;
    }
    return out;
  }

  #closed = false;

  /** Safe to call twice: the build closes early (before rendering) and again in `finally`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

function textForEveryType(): Record<DuckDBTypeId, DuckDBValueConverter<unknown>> {
  const ids = Object.values(DuckDBTypeId).filter((id) => typeof id === 'number');
  return Object.fromEntries(ids.map((id) => [id, stringFromValue])) as unknown as Record<DuckDBTypeId, DuckDBValueConverter<unknown>>;
}

/** A DECIMAL through its exact text, not toDouble(): the text rounds once, as it always has. */
const decimalNumber: DuckDBValueConverter<unknown> = (value) => Number(String(value));

/**
 * DuckDB values → plain JS (see the contract in db.ts), chosen by the column's type: numbers
 * for every integer width, DECIMAL and floats; arrays and objects for LIST, ARRAY and STRUCT;
 * everything else (DATE, TIMESTAMP, TIME, INTERVAL, UUID, MAP, UNION…) as its canonical text.
 */
export const toPlain: DuckDBValueConverter<unknown> = createDuckDBValueConverter({
  ...textForEveryType(),
  [DuckDBTypeId.SQLNULL]: nullConverter,
  [DuckDBTypeId.BOOLEAN]: booleanFromValue,
  [DuckDBTypeId.TINYINT]: numberFromValue,
  [DuckDBTypeId.SMALLINT]: numberFromValue,
  [DuckDBTypeId.INTEGER]: numberFromValue,
  [DuckDBTypeId.UTINYINT]: numberFromValue,
  [DuckDBTypeId.USMALLINT]: numberFromValue,
  [DuckDBTypeId.UINTEGER]: numberFromValue,
  [DuckDBTypeId.FLOAT]: numberFromValue,
  [DuckDBTypeId.DOUBLE]: numberFromValue,
  // 64-bit and wider integers as numbers too: the metrics count and sum with them
  [DuckDBTypeId.BIGINT]: numberFromValue,
  [DuckDBTypeId.UBIGINT]: numberFromValue,
  [DuckDBTypeId.HUGEINT]: numberFromValue,
  [DuckDBTypeId.UHUGEINT]: numberFromValue,
  [DuckDBTypeId.BIGNUM]: numberFromValue,
  [DuckDBTypeId.DECIMAL]: decimalNumber,
  [DuckDBTypeId.LIST]: arrayFromListValue,
  [DuckDBTypeId.ARRAY]: arrayFromArrayValue,
  [DuckDBTypeId.STRUCT]: objectFromStructValue,
});
