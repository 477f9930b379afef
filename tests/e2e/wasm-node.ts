/**
 * duckdb-wasm (the browser's engine) in Node, through its blocking build, with a database file
 * registered as 'qunlens.duckdb' as the browser does: for tests that compare the browser's
 * numbers with the build's.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Db } from '../../src/db/db.ts';
import { arrowRows, type ArrowTable } from '../../src/db/wasm.ts';

const require = createRequire(import.meta.url);

/** A connection whose query(sql) returns an Arrow table; close() ends it and the engine. */
export interface WasmConnection {
  query(sql: string): ArrowTable & { toArray(): { toJSON(): Record<string, unknown> }[] };
  close(): void;
}

async function instantiate(): Promise<any> {
  const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
  const dist = join(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs'), '..');
  const db = await duckdb.createDuckDB(
    { mvp: { mainModule: join(dist, 'duckdb-mvp.wasm'), mainWorker: join(dist, 'duckdb-node-mvp.worker.cjs') }, eh: { mainModule: join(dist, 'duckdb-eh.wasm'), mainWorker: join(dist, 'duckdb-node-eh.worker.cjs') } },
    new duckdb.VoidLogger(),
    duckdb.NODE_RUNTIME,
  );
  await db.instantiate(() => {});
  return db;
}

/**
 * An empty duckdb-wasm database behind the pipeline's `Db` interface, and a `register` that
 * makes bytes readable under a name (registerFileBuffer, as the browser's CSV preview does).
 */
export async function openWasmNodeDb(): Promise<{ db: Db; register: (name: string, bytes: Uint8Array) => Promise<string> }> {
  const wasm = await instantiate();
  const conn = wasm.connect();
  conn.query(`SET autoload_known_extensions = false; SET autoinstall_known_extensions = false`);
  return {
    db: {
      exec: async (sql) => void conn.query(sql),
      rows: async <T,>(sql: string) => arrowRows(conn.query(sql)).rows as T[],
      close: async () => {
        conn.close();
        wasm.reset?.();
      },
    },
    register: async (name, bytes) => {
      wasm.registerFileBuffer(name, bytes.slice());
      return name;
    },
  };
}

export async function openWasmNode(file: string): Promise<WasmConnection> {
  const db = await instantiate();
  db.registerFileBuffer('qunlens.duckdb', new Uint8Array(readFileSync(file)));
  const conn = db.connect();
  return {
    query: (sql) => conn.query(sql),
    close: () => {
      conn.close();
      db.reset?.();
    },
  };
}
