/**
 * The database file shipped for the browser opens in duckdb-wasm (DuckDB 1.4, the engine the
 * Explore page and filters use) and holds the same numbers as the CSVs. Guards against a
 * native DuckDB upgrade writing a storage version the browser cannot read.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { FIXTURES, readCsvObjects } from '../helpers.ts';
import { buildData } from './build-helpers.ts';
import { openWasmNodeDb } from './wasm-node.ts';

it('qunlens.duckdb is readable by duckdb-wasm and matches channel_summary.csv', async () => {
  const { data } = await buildData(join(FIXTURES, 'hand'));
  // attached as the browser does (db/wasm.ts), extension downloads off
  const db = await openWasmNodeDb(join(data, 'qunlens.duckdb'));
  const inBrowser = await db.rows(`SELECT channel, joins, activation_rate, retention_d30 FROM qunlens.channel_summary ORDER BY channel`);
  const csv = readCsvObjects(join(data, 'channel_summary.csv')).sort((a, b) => a.channel.localeCompare(b.channel));
  expect(inBrowser.map((r) => r.channel)).toEqual(csv.map((r) => r.channel));
  for (const [i, r] of inBrowser.entries()) {
    expect(r.joins).toBe(Number(csv[i].joins));
    if (csv[i].retention_d30 === '') expect(r.retention_d30).toBeNull();
    else expect(r.retention_d30 as number).toBeCloseTo(Number(csv[i].retention_d30), 9);
  }
  expect((await db.rows(`SELECT count(*)::INTEGER AS n FROM qunlens.memberships`))[0].n).toBe(14);
  expect((await db.rows(`SELECT value FROM qunlens.meta WHERE key = 'as_of'`))[0].value).toBe('2026-03-31');
  await db.close();
}, 60_000);
