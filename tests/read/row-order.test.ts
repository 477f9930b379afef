/**
 * A rejected row's line is its place among the rows DuckDB stored (rowid), so the read that
 * stores a table must keep the file's order: DuckDB does so for a CREATE TABLE AS whose plan
 * has only order-keeping operators (BATCH_CREATE_TABLE_AS), and loses it as soon as a join
 * appears, as a long IN (…) list becomes one. Found when a 400,000-line messages.csv named its
 * one bad row at three different lines in three builds.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TABLES } from '../../src/core/contract.ts';
import { nodeEffects, silentLogger } from '../../src/core/effects.ts';
import { openNativeDb } from '../../src/db/native.ts';
import { parsePlan } from '../../src/read/row-checks.ts';
import { scanSql } from '../../src/read/source-files.ts';
import { prepareInputs } from '../../src/read/sources.ts';
import { dateBounds, valueMacros } from '../../src/read/values.ts';

describe('the read keeps the file order of every table', () => {
  it('stores each table with an order-keeping plan (no join), whatever columns it has', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qunlens-order-'));
    // every contract column of every table (messages, not activity: one of the two is read)
    for (const spec of TABLES.filter((t) => t.name !== 'activity')) {
      writeFileSync(join(dir, `${spec.name}.csv`), `${spec.columns.map((c) => c.name).join(',')}\n${spec.columns.map(() => '').join(',')}\n`);
    }
    const db = await openNativeDb();
    try {
      await db.exec(valueMacros('Asia/Shanghai', { dates: dateBounds('2000-01-01', new Date('2026-12-06T00:00:00Z'), 'Asia/Shanghai') }));
      const { sources } = await prepareInputs(db, nodeEffects(silentLogger), { dataDir: dir, workDir: mkdtempSync(join(tmpdir(), 'qunlens-order-work-')) });
      const plans: Record<string, string[]> = {};
      for (const [table, files] of sources) {
        const plan = parsePlan(files[0].spec, files);
        const rows = await db.rows<Record<string, string>>(`EXPLAIN CREATE TABLE p_${table} AS ${plan.select(scanSql(files[0], `rejects_${table}`), files[0])}`);
        const text = rows.map((r) => Object.values(r).join('\n')).join('\n');
        plans[table] = [...new Set(text.match(/\b(BATCH_CREATE_TABLE_AS|CREATE_TABLE_AS|HASH_JOIN|NESTED_LOOP_JOIN|PIECEWISE_MERGE_JOIN|ORDER_BY|HASH_GROUP_BY)\b/g) ?? [])].sort();
      }
      expect(Object.keys(plans).sort()).toEqual(['channels', 'checkins', 'groups', 'members', 'messages', 'orders']);
      for (const [table, operators] of Object.entries(plans)) expect(operators, table).toEqual(['BATCH_CREATE_TABLE_AS']);
    } finally {
      await db.close();
    }
  });
});
