/**
 * duckdb-wasm (the browser's engine) in Node, through its blocking build, with a database file
 * registered as 'qunlens.duckdb' as the browser does: for tests that compare the browser's
 * numbers with the build's.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ArrowTable } from '../../src/db/wasm.ts';

const require = createRequire(import.meta.url);

/** A connection whose query(sql) returns an Arrow table; close() ends it and the engine. */
export interface WasmConnection {
  query(sql: string): ArrowTable & { toArray(): { toJSON(): Record<string, unknown> }[] };
  close(): void;
}

export async function openWasmNode(file: string): Promise<WasmConnection> {
  const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
  const dist = join(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs'), '..');
  const db = await duckdb.createDuckDB(
    { mvp: { mainModule: join(dist, 'duckdb-mvp.wasm'), mainWorker: join(dist, 'duckdb-node-mvp.worker.cjs') }, eh: { mainModule: join(dist, 'duckdb-eh.wasm'), mainWorker: join(dist, 'duckdb-node-eh.worker.cjs') } },
    new duckdb.VoidLogger(),
    duckdb.NODE_RUNTIME,
  );
  await db.instantiate(() => {});
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
