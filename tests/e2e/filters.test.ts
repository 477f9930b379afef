/**
 * Filters recompute in the browser with duckdb-wasm through the build's own metric code. Here
 * the same wasm engine runs in Node (its blocking build) over the database the build shipped:
 * with no filter, every channel figure equals the build's exactly; with a filter, it equals
 * native DuckDB running the same code with the same condition.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { QunlensConfig } from '../../src/core/config.ts';
import type { Db } from '../../src/db/db.ts';
import { openNativeDb } from '../../src/db/native.ts';
import { benchmarksSql } from '../../src/metrics/facts.ts';
import { groupFilter, membershipFilter } from '../../src/metrics/filters.ts';
import { channelSummaries, membershipCurves, weeklyRetention, type ChannelSummary, type MembershipFilter } from '../../src/metrics/summaries.ts';
import { generateSample } from '../../src/sample/generate.ts';
import { tempDir } from '../helpers.ts';
import { buildData } from './build-helpers.ts';
import { openWasmNodeDb } from './wasm-node.ts';
import type { WasmDb } from '../../src/db/wasm.ts';

async function channels(db: Db, config: QunlensConfig, filter: MembershipFilter): Promise<ChannelSummary[]> {
  return channelSummaries(db, config, await membershipCurves(db, config, filter), filter);
}

describe('filters: the browser engine and the build give the same numbers', () => {
  let built: ChannelSummary[];
  let config: QunlensConfig;
  let wasm: Db;
  let native: Db;
  let result: Awaited<ReturnType<typeof buildData>>['result'];
  let out: string;

  beforeAll(async () => {
    const data = join(tempDir(), 'sample');
    await generateSample({ outDir: data, groups: 20, memberships: 4000, messages: 40_000, orders: 1200 });
    const { data: shipped, result: built_ } = await buildData(data);
    out = shipped;
    result = built_;
    built = result.metrics.channels;
    config = result.config;
    // the browser's own Db over the shipped file (db/wasm.ts), in duckdb-wasm's Node build
    wasm = await openWasmNodeDb(join(out, 'qunlens.duckdb'));
    // native DuckDB on the same shipped file, the same way
    native = await openNativeDb({ path: join(out, 'qunlens.duckdb'), readOnly: true });
  }, 120_000);

  it('the client defines no view of its own: the shipped database holds the ones the metric code reads', async () => {
    const client = readFileSync(new URL('../../src/client/filters.ts', import.meta.url), 'utf8');
    expect(client).not.toMatch(/CREATE (OR REPLACE )?(TEMP )?VIEW/i);
    const views = await native.rows<{ view_name: string }>(`SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY view_name`);
    expect(views.map((v) => v.view_name)).toEqual(['f_groups', 'f_memberships']);
  });

  it('the memberships the filters read are sorted by the filter keys and hold every membership', async () => {
    // sorted: a row group's min/max on region, group type and join date let DuckDB skip it over range requests
    const [{ out_of_order }] = await native.rows<{ out_of_order: number }>(`
      SELECT count(*) FILTER (WHERE (prev_region, prev_type, prev_joined) > (region, group_type, joined_date) AND r > 0)::INTEGER AS out_of_order
      FROM (SELECT rowid AS r, region, group_type, joined_date,
        lag(region) OVER w AS prev_region, lag(group_type) OVER w AS prev_type, lag(joined_date) OVER w AS prev_joined
        FROM filter_memberships WINDOW w AS (ORDER BY rowid))`);
    expect(out_of_order).toBe(0);
    const [{ shipped, narrow }] = await native.rows<{ shipped: number; narrow: number }>(
      `SELECT (SELECT count(*) FROM memberships)::INTEGER AS shipped, (SELECT count(*) FROM f_memberships)::INTEGER AS narrow`,
    );
    expect(narrow).toBe(shipped);
    expect(narrow).toBe(result.metrics.counts.memberships);
  });

  it('with no filter, every channel figure equals the build exactly', async () => {
    const inBrowser = await channels(wasm, config, membershipFilter({}));
    expect(inBrowser).toEqual(built);
  });

  it('with no filter, Retention (curves, weekly and cohort activity) equals the build exactly', async () => {
    const curves = await membershipCurves(wasm, config, membershipFilter({}));
    expect(curves).toEqual(result.metrics.membershipCurves);
    expect(await weeklyRetention(wasm, config, 'channel', membershipFilter({}))).toEqual(result.metrics.activityRetention);
    expect(await weeklyRetention(wasm, config, 'join_month', membershipFilter({}))).toEqual(result.metrics.cohortRetention);
  });

  it('with no filter, Benchmarks equal the build exactly', async () => {
    const { where, params } = groupFilter({});
    expect(await wasm.rows(benchmarksSql(where), params)).toEqual(result.site.benchmarks);
  });

  it('with a filter, Benchmarks equal native DuckDB running the same query', async () => {
    const [{ region }] = await native.rows<{ region: string }>(`SELECT region FROM groups GROUP BY region ORDER BY count(*) DESC LIMIT 1`);
    const { where, params } = groupFilter({ region });
    const inBrowser = await wasm.rows<{ groups: number }>(benchmarksSql(where), params);
    expect(inBrowser).toEqual(await native.rows(benchmarksSql(where), params));
    expect(inBrowser.length).toBeGreaterThan(0);
  });

  it('with a filter, equals native DuckDB running the same code with the same condition', async () => {
    const [{ region }] = await native.rows<{ region: string }>(`SELECT region FROM memberships GROUP BY region ORDER BY count(*) DESC LIMIT 1`);
    const [{ group_type: type }] = await native.rows<{ group_type: string }>(`SELECT group_type FROM memberships GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`);
    for (const choice of [{ region }, { groupType: type }, { from: '2026-03', to: '2026-08' }, { region, groupType: type, from: '2026-01' }]) {
      const filter = membershipFilter(choice);
      const inBrowser = await channels(wasm, config, filter);
      const expected = await channels(native, config, filter);
      expect(inBrowser, JSON.stringify(choice)).toEqual(expected);
      // and the filter did filter: fewer joins than the whole
      expect(inBrowser.reduce((s, c) => s + c.joins, 0)).toBeLessThan(built.reduce((s, c) => s + c.joins, 0));
    }
  });

  it("each region's own file gives that region the same numbers as the shipped database, Channels and Retention", async () => {
    const files = result.site.regionDatabases;
    const regions = await native.rows<{ region: string }>(`SELECT DISTINCT region FROM memberships WHERE region IS NOT NULL ORDER BY region`);
    const [{ group_type: type }] = await native.rows<{ group_type: string }>(`SELECT group_type FROM memberships GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`);
    // every region has its file (the sample has far fewer than MAX_REGION_FILES), named by the site data
    expect(Object.keys(files).sort()).toEqual(regions.map((r) => r.region).sort());
    for (const [i, { region }] of regions.entries()) {
      const own = await (wasm as WasmDb).attachDatabase(`region_${i}`, new Uint8Array(readFileSync(join(out, files[region].file))));
      const [{ n }] = await own.rows<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM filter_memberships WHERE region IS DISTINCT FROM $1`, [region]);
      expect(n, region).toBe(0);
      for (const choice of [{ region }, { region, groupType: type, from: '2026-02' }]) {
        const filter = membershipFilter(choice);
        expect(await channels(own, config, filter), JSON.stringify(choice)).toEqual(await channels(wasm, config, filter));
        expect(await membershipCurves(own, config, filter)).toEqual(await membershipCurves(wasm, config, filter));
        for (const key of ['channel', 'join_month'] as const) expect(await weeklyRetention(own, config, key, filter)).toEqual(await weeklyRetention(wasm, config, key, filter));
      }
      // the region's file is the shipped database's only where it is attached: the main connection reads all regions still
      const [{ all }] = await wasm.rows<{ all: number }>(`SELECT count(DISTINCT region)::INTEGER AS "all" FROM f_memberships`);
      expect(all).toBeGreaterThan(1);
    }
  });

  it('a region that reads as SQL is matched as text: no rows, in both engines', async () => {
    const region = "华东' OR 1=1 --";
    for (const [engine, db] of [['wasm', wasm], ['native', native]] as const) {
      const members = membershipFilter({ region });
      const [{ n }] = await db.rows<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM f_memberships WHERE ${members.where}`, members.params);
      expect(n, engine).toBe(0);
      expect((await channels(db, config, members)).reduce((s, c) => s + c.joins, 0), engine).toBe(0);
      const groups = groupFilter({ region, groupType: "x'); DROP TABLE f_groups; --" });
      expect(await db.rows(benchmarksSql(groups.where), groups.params), engine).toEqual([]);
    }
  });
});

describe('membershipFilter', () => {
  it('writes one condition per choice with its value as a parameter, and none for no choice', () => {
    expect(membershipFilter({})).toEqual({ where: 'true', params: [] });
    expect(membershipFilter({ from: '2026-01', to: '2026-03', region: "华东'x", groupType: 'welfare' })).toEqual({
      where: '(joined_date >= CAST($1 AS DATE)) AND (joined_date < CAST($2 AS DATE) + INTERVAL 1 MONTH) AND (region = $3) AND (group_type = $4)',
      params: ['2026-01-01', '2026-03-01', "华东'x", 'welfare'],
    });
  });
  it('refuses a period that is not a month', () => {
    expect(() => membershipFilter({ from: '2026-13' })).toThrow(/not a month/);
    expect(() => membershipFilter({ to: "2026-01'; DROP" })).toThrow(/not a month/);
  });
});
