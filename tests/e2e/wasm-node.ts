/**
 * duckdb-wasm (the browser's engine) in Node, through its blocking build, behind the same
 * `WasmDb` the browser uses (db/wasm.ts): the same decoding of results, the same prepared
 * statements, the same set-up. For tests that compare the browser's numbers with the build's.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readyWasmDb, type WasmDb } from '../../src/db/wasm.ts';

const require = createRequire(import.meta.url);

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
 * duckdb-wasm as the browser opens it: with `file`, that database attached read-only as the
 * default catalog (the shipped qunlens.duckdb); without, an empty in-memory database.
 * `register` makes bytes readable under a name, as the browser's CSV preview does.
 */
export async function openWasmNodeDb(file?: string): Promise<WasmDb> {
  const engine = await instantiate();
  const connection = engine.connect();
  return readyWasmDb(
    {
      connection,
      connect: () => engine.connect(),
      registerFileBuffer: (name, bytes) => engine.registerFileBuffer(name, bytes),
      close: () => {
        connection.close();
        engine.reset?.();
      },
    },
    file ? new Uint8Array(readFileSync(file)) : undefined,
  );
}
