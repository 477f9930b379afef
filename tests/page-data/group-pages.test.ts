/**
 * What each group's page shows, from hand-made tables in an in-memory DuckDB: the output and
 * model tables the group pages read, with only their read columns. The queries group by the raw
 * group ID and the pages are keyed by the public one, so the two differ here ('r1' → 'P-a').
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/core/config.ts';
import { openNativeDb, type NativeDb } from '../../src/db/native.ts';
import { BENCHMARK_METRICS } from '../../src/metrics/facts.ts';
import { groupPageBatches, type GroupPage } from '../../src/page-data/group-pages.ts';
import { normalQuantile } from '../../src/stats/index.ts';

let db: NativeDb;
let pages: GroupPage[];

/** Every batch groupPageBatches yields. */
async function batchesOf(...args: Parameters<typeof groupPageBatches>): Promise<GroupPage[][]> {
  const batches: GroupPage[][] = [];
  for await (const batch of groupPageBatches(...args)) batches.push(batch);
  return batches;
}

beforeAll(async () => {
  db = await openNativeDb();
  await db.exec(`CREATE TABLE m_groups (group_id VARCHAR, public_id VARCHAR)`);
  await db.exec(`INSERT INTO m_groups VALUES ('r1', 'P-a'), ('r2', 'P-b')`);
  const ranks = BENCHMARK_METRICS.map((m) => `rank_${m} DOUBLE`).join(', ');
  await db.exec(`CREATE TABLE out_groups (group_id VARCHAR, name VARCHAR, group_type VARCHAR, type_label VARCHAR, owner VARCHAR,
    store VARCHAR, region VARCHAR, created_date DATE, dissolved_date DATE, last_active_date DATE, status VARCHAR, flags VARCHAR,
    days_silent INTEGER, lifespan_days INTEGER, size INTEGER, joins INTEGER, weekly_active_ratio DOUBLE, messages_per_member_week DOUBLE,
    activation_rate DOUBLE, activation_n INTEGER, conversion_30d DOUBLE, conversion_n INTEGER, retained_d30 DOUBLE, retained_d30_n INTEGER, ${ranks})`);
  // rank columns in BENCHMARK_METRICS order: size, weekly_active_ratio, messages_per_member_week,
  // activation_rate, conversion_30d, retained_d30
  await db.exec(`INSERT INTO out_groups VALUES
    ('P-b', NULL, 'interest', NULL, NULL, NULL, NULL, DATE '2026-01-01', DATE '2026-02-01', DATE '2026-01-20', 'dissolved', NULL,
      0, 31, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    ('P-a', '试听群', 'conversion', '课程试听群', '小王', 'S1', '华东', DATE '2026-03-01', NULL, DATE '2026-03-20', 'alive', 'below_p25:size;quiet',
      11, 40, 2, 4, 0.5, 1.25, 0.5, 2, NULL, 0, 1.0, 1, 0, 0.5, NULL, NULL, NULL, NULL)`);
  await db.exec(`CREATE TABLE out_type_benchmarks (group_type VARCHAR, metric VARCHAR, groups INTEGER, p25 DOUBLE, p50 DOUBLE, p75 DOUBLE)`);
  await db.exec(`INSERT INTO out_type_benchmarks VALUES
    ('conversion', 'size', 3, 3, 5, 8), ('conversion', 'weekly_active_ratio', 3, 0.25, 0.5, 0.75),
    -- another type's percentiles must not reach conversion groups
    ('interest', 'size', 7, 10, 20, 30)`);
  // raw IDs: the page must map them to P-a
  await db.exec(`CREATE TABLE f_group_ranks (group_id VARCHAR, metric VARCHAR, below_p25 BOOLEAN)`);
  await db.exec(`INSERT INTO f_group_ranks VALUES ('r1', 'size', true), ('r1', 'weekly_active_ratio', false)`);
  // tenures in r1: censored at 2, left at 5, censored at 12, left at 20
  await db.exec(`CREATE TABLE f_memberships (group_id VARCHAR, tenure_days INTEGER, left_by_asof BOOLEAN)`);
  await db.exec(`INSERT INTO f_memberships VALUES ('r1', 2, false), ('r1', 5, true), ('r1', 12, false), ('r1', 20, true)`);
  await db.exec(`CREATE TABLE m_memberships (group_id VARCHAR, channel VARCHAR)`);
  await db.exec(`INSERT INTO m_memberships VALUES ('r1', 'material'), ('r1', 'guide'), ('r1', 'invite'), ('r1', 'guide')`);
  await db.exec(`CREATE TABLE m_group_weekly (group_id VARCHAR, week DATE, active_members INTEGER, messages INTEGER)`);
  await db.exec(`INSERT INTO m_group_weekly VALUES ('r1', DATE '2026-03-09', 2, 15), ('r1', DATE '2026-03-02', 3, 40)`);
  await db.exec(`CREATE TABLE m_hourly (group_id VARCHAR, weekday INTEGER, hour INTEGER, messages BIGINT)`);
  await db.exec(`INSERT INTO m_hourly VALUES ('r1', 3, 20, 7), ('r1', 1, 9, 48)`);
  // check-ins are keyed by the public ID already
  await db.exec(`CREATE TABLE out_checkin_daily (group_id VARCHAR, date DATE, size INTEGER, checked_in INTEGER, rate DOUBLE)`);
  await db.exec(`INSERT INTO out_checkin_daily VALUES ('P-a', DATE '2026-03-03', 4, 3, 0.75), ('P-a', DATE '2026-03-02', 4, 2, 0.5)`);
  await db.exec(`CREATE TABLE f_camp_days (group_id VARCHAR, group_type VARCHAR, date DATE, size INTEGER, rate DOUBLE, camp_day INTEGER)`);
  await db.exec(`INSERT INTO f_camp_days VALUES ('P-a', 'conversion', DATE '2026-03-02', 4, 0.5, 1), ('P-a', 'conversion', DATE '2026-03-03', 4, 0.75, 2)`);
  // the type's benchmark exists for camp day 1 only
  await db.exec(`CREATE TABLE out_checkin_benchmark (group_type VARCHAR, camp_day INTEGER, groups INTEGER, p25 DOUBLE, p50 DOUBLE, p75 DOUBLE)`);
  await db.exec(`INSERT INTO out_checkin_benchmark VALUES ('conversion', 1, 5, 0.2, 0.4, 0.6), ('interest', 2, 5, 0.1, 0.9, 0.95)`);
  pages = (await batchesOf(db, DEFAULT_CONFIG)).flat();
});
afterAll(async () => db?.close());

describe('groupPages', () => {
  it('one page per group, ordered by public ID, with its facts as written', () => {
    expect(pages.map((p) => p.id)).toEqual(['P-a', 'P-b']);
    const a = pages[0];
    expect(a).toMatchObject({
      name: '试听群', groupType: 'conversion', typeLabel: '课程试听群', owner: '小王', store: 'S1', region: '华东',
      created: '2026-03-01', dissolved: null, lastActive: '2026-03-20', status: 'alive', flags: ['below_p25:size', 'quiet'],
      daysSilent: 11, lifespanDays: 40, size: 2, joins: 4,
      activation: { rate: 0.5, n: 2 }, conversion: { rate: null, n: 0 }, retainedD30: { rate: 1, n: 1 },
    });
  });

  it('metrics against the type percentiles, with the rank and the below-P25 flag of the raw ID', () => {
    const a = pages[0];
    expect(a.metrics.map((m) => m.metric)).toEqual([...BENCHMARK_METRICS]);
    const [size, war, mpmw, , conversion] = a.metrics;
    expect(size).toEqual({ metric: 'size', value: 2, rank: 0, p25: 3, p50: 5, p75: 8, typeGroups: 3, belowP25: true });
    expect(war).toEqual({ metric: 'weekly_active_ratio', value: 0.5, rank: 0.5, p25: 0.25, p50: 0.5, p75: 0.75, typeGroups: 3, belowP25: false });
    // no conversion percentiles for messages: the benchmark is empty, not another type's
    expect(mpmw).toEqual({ metric: 'messages_per_member_week', value: 1.25, rank: null, p25: null, p50: null, p75: null, typeGroups: 0, belowP25: false });
    expect(conversion).toMatchObject({ value: null, rank: null, belowP25: false });
  });

  it("retention: Kaplan–Meier of the group's own memberships, to 10 decimals", () => {
    const { retention } = pages[0];
    // censored at 2 (S stays 1), at 5 three at risk and one leaves (S = 2/3), censored at 12,
    // at 20 the last one leaves (S = 0)
    expect(retention.n).toBe(4);
    expect(retention.events).toBe(2);
    expect(retention.points.map((p) => [p.time, p.atRisk, p.events, p.survival])).toEqual([
      [2, 4, 0, 1],
      [5, 3, 1, 0.6666666667],
      [12, 2, 0, 0.6666666667],
      [20, 1, 1, 0],
    ]);
    // log-log band at day 5: Greenwood se = sqrt(1/(3·2)), S^exp(∓ z·se / log S), to 10 decimals;
    // none where S is 1 or 0
    const z = normalQuantile(0.975);
    const se = Math.sqrt(1 / 6);
    const at5 = retention.points[1];
    expect(at5.lower).toBe(Math.round((2 / 3) ** Math.exp((-z * se) / Math.log(2 / 3)) * 1e10) / 1e10);
    expect(at5.upper).toBe(Math.round((2 / 3) ** Math.exp((z * se) / Math.log(2 / 3)) * 1e10) / 1e10);
    expect([retention.points[0].lower, retention.points[3].upper]).toEqual([null, null]);
  });

  it('weekly activity, the weekday × hour rhythm and joins by channel, mapped from raw IDs', () => {
    const a = pages[0];
    expect(a.weekly).toEqual([
      { week: '2026-03-02', activeMembers: 3, messages: 40 },
      { week: '2026-03-09', activeMembers: 2, messages: 15 },
    ]);
    expect(a.hourly).toEqual([
      { weekday: 1, hour: 9, messages: 48 },
      { weekday: 3, hour: 20, messages: 7 },
    ]);
    // most joins first, ties by channel key
    expect(a.channels).toEqual([
      { channel: 'guide', joins: 2 },
      { channel: 'invite', joins: 1 },
      { channel: 'material', joins: 1 },
    ]);
  });

  it("check-ins by day with the type's median rate on the same camp day", () => {
    expect(pages[0].checkins).toEqual([
      { date: '2026-03-02', size: 4, checkedIn: 2, rate: 0.5, benchmark: 0.4 },
      // camp day 2 has no conversion benchmark (interest's does not count)
      { date: '2026-03-03', size: 4, checkedIn: 3, rate: 0.75, benchmark: null },
    ]);
  });

  it('a group with no memberships or activity: empty series, no flags, an empty curve', () => {
    const b = pages[1];
    expect(b).toMatchObject({ status: 'dissolved', dissolved: '2026-02-01', flags: [], activation: { rate: null, n: 0 }, retainedD30: { rate: null, n: 0 } });
    expect(b.retention).toEqual({ n: 0, events: 0, points: [] });
    expect([b.weekly, b.hourly, b.channels, b.checkins]).toEqual([[], [], [], []]);
    // interest's size percentiles, with its 7 groups
    expect(b.metrics[0]).toEqual({ metric: 'size', value: 0, rank: null, p25: 10, p50: 20, p75: 30, typeGroups: 7, belowP25: false });
  });
});

describe('groupPageBatches', () => {
  // Five groups whose raw IDs sort the other way round from their public IDs (r5 → P-1 … r1 →
  // P-5): batches go by public ID, and every row must reach its own group's page across a
  // batch's edge. Group k has k rows of each kind, each carrying k.
  let many: NativeDb;
  const all = (size: number) => batchesOf(many, DEFAULT_CONFIG, size);
  beforeAll(async () => {
    many = await openNativeDb();
    await many.exec(`CREATE TABLE m_groups AS SELECT 'r' || k AS group_id, 'P-' || (6 - k) AS public_id FROM range(1, 6) t(k)`);
    const ranks = BENCHMARK_METRICS.map((m) => `NULL::DOUBLE AS rank_${m}`).join(', ');
    await many.exec(`CREATE TABLE out_groups AS SELECT public_id AS group_id, 'g' || group_id AS name, 'interest' AS group_type, NULL::VARCHAR AS type_label,
      NULL::VARCHAR AS owner, NULL::VARCHAR AS store, NULL::VARCHAR AS region, DATE '2026-01-01' AS created_date, NULL::DATE AS dissolved_date,
      DATE '2026-03-01' AS last_active_date, 'alive' AS status, NULL::VARCHAR AS flags, 0 AS days_silent, 60 AS lifespan_days, 1 AS size, 1 AS joins,
      NULL::DOUBLE AS weekly_active_ratio, NULL::DOUBLE AS messages_per_member_week, NULL::DOUBLE AS activation_rate, NULL::INTEGER AS activation_n,
      NULL::DOUBLE AS conversion_30d, NULL::INTEGER AS conversion_n, NULL::DOUBLE AS retained_d30, NULL::INTEGER AS retained_d30_n, ${ranks}
      FROM m_groups`);
    await many.exec(`CREATE TABLE out_type_benchmarks (group_type VARCHAR, metric VARCHAR, groups INTEGER, p25 DOUBLE, p50 DOUBLE, p75 DOUBLE)`);
    await many.exec(`CREATE TABLE f_group_ranks AS SELECT group_id, 'size' AS metric, group_id = 'r2' AS below_p25 FROM m_groups`);
    // k rows per group rk, numbered i = 1 … k
    const rows = `FROM m_groups, (SELECT CAST(range AS INTEGER) AS i FROM range(1, 6)) WHERE i <= CAST(substr(group_id, 2) AS INTEGER)`;
    const k = `CAST(substr(group_id, 2) AS INTEGER)`;
    await many.exec(`CREATE TABLE f_memberships AS SELECT group_id, i AS tenure_days, i = ${k} AS left_by_asof ${rows}`);
    await many.exec(`CREATE TABLE m_memberships AS SELECT group_id, 'c' || i AS channel ${rows}`);
    await many.exec(`CREATE TABLE m_group_weekly AS SELECT group_id, DATE '2026-01-05' + 7 * i AS week, ${k} AS active_members, ${k} AS messages ${rows}`);
    await many.exec(`CREATE TABLE m_hourly AS SELECT group_id, i AS weekday, 10 AS hour, ${k}::BIGINT AS messages ${rows}`);
    await many.exec(`CREATE TABLE out_checkin_daily AS SELECT public_id AS group_id, DATE '2026-02-01' + i AS date, ${k} AS size, 1 AS checked_in, 1 / ${k} AS rate ${rows}`);
    await many.exec(`CREATE TABLE f_camp_days AS SELECT public_id AS group_id, 'interest' AS group_type, DATE '2026-02-01' + i AS date, i AS camp_day ${rows}`);
    await many.exec(`CREATE TABLE out_checkin_benchmark (group_type VARCHAR, camp_day INTEGER, groups INTEGER, p25 DOUBLE, p50 DOUBLE, p75 DOUBLE)`);
  });
  afterAll(async () => many?.close());

  it('batches of the given size in public-ID order, each page with only its own rows', async () => {
    const batches = await all(2);
    expect(batches.map((b) => b.map((p) => p.id))).toEqual([['P-1', 'P-2'], ['P-3', 'P-4'], ['P-5']]);
    for (const page of batches.flat()) {
      const k = 6 - Number(page.id.slice(2));
      expect(page.name).toBe(`gr${k}`);
      expect(page.hourly.map((h) => [h.weekday, h.messages])).toEqual(Array.from({ length: k }, (_, i) => [i + 1, k]));
      expect(page.weekly.map((w) => w.messages)).toEqual(Array(k).fill(k));
      expect(page.channels.map((c) => c.channel)).toEqual(Array.from({ length: k }, (_, i) => `c${i + 1}`));
      expect(page.checkins.map((c) => c.size)).toEqual(Array(k).fill(k));
      expect([page.retention.n, page.retention.events]).toEqual([k, 1]);
      expect(page.metrics[0].belowP25).toBe(k === 2);
    }
  });

  it('the same pages whatever the batch size; nothing is left behind in the database', async () => {
    const one = (await all(100)).flat();
    expect(one).toHaveLength(5);
    for (const size of [1, 2, 3, 4]) expect((await all(size)).flat()).toEqual(one);
    const left = await many.rows<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name LIKE 'page_%'`);
    expect(left[0].n).toBe(0);
  });
});
