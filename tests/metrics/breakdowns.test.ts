/**
 * Breakdowns from hand-made facts tables: channel × group type, regions and stores, lifespans
 * by region. The tables hold only the columns breakdowns.ts reads; each expected number is
 * counted by hand in the comments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/core/config.ts';
import { openNativeDb, type NativeDb } from '../../src/db/native.ts';
import { channelTypeMatrix, lifespanBy, placeSummaries, type PlaceSummary } from '../../src/metrics/breakdowns.ts';
import { normalQuantile, wilson } from '../../src/stats/index.ts';

const config = DEFAULT_CONFIG;
const NONE = { rate: null, lower: null, upper: null, n: 0, x: 0 };
const rate = (x: number, n: number) => ({ ...wilson(x, n, 0.95), n, x });

let db: NativeDb;
beforeAll(async () => {
  db = await openNativeDb();
  await db.exec(`CREATE TABLE f_memberships (
    channel VARCHAR, group_type VARCHAR, region VARCHAR, store VARCHAR,
    tenure_days INTEGER, left_by_asof BOOLEAN, days_observed INTEGER,
    activation_eligible BOOLEAN, activated BOOLEAN,
    conversion_eligible BOOLEAN, converted_30d BOOLEAN, retained_d30 BOOLEAN)`);
  // columns: channel, type, region, store, tenure, left, observed, act_elig, activated, conv_elig, converted, retained_d30
  // eligibility as facts.ts derives it: activation from 7 days observed, conversion and
  // retained_d30 from 30; retained_d30 false when left within 30 days of joining
  await db.exec(`INSERT INTO f_memberships VALUES
    -- guide × interest: left on day 10, observed 20 days (its order is not counted: not eligible)
    ('guide', 'interest', '华东', 'S1', 10, true,  20, true,  true,  false, true,  false),
    ('guide', 'interest', '华东', 'S1', 40, false, 40, true,  false, true,  false, true),
    -- joined 5 days ago: active, but not yet eligible for activation
    ('guide', 'interest', '华东', 'S2',  5, false,  5, false, true,  false, false, true),
    -- guide × learning: left on days 30 (not retained at day 30) and 31 (retained)
    ('guide', 'learning', '华北', 'S3', 30, true,  60, true,  true,  true,  false, false),
    ('guide', 'learning', NULL,   NULL, 31, true,  60, true,  false, true,  false, true),
    -- material × interest: in for 5 days only, no curve at day 30
    ('material', 'interest', NULL, NULL, 5, false, 5, false, false, false, false, true)`);
  await db.exec(`CREATE TABLE f_groups (
    region VARCHAR, store VARCHAR, dominant_channel VARCHAR, status VARCHAR, size INTEGER,
    weekly_active_ratio DOUBLE, messages_per_member_week DOUBLE, dissolved_by_asof BOOLEAN,
    lifespan_days INTEGER, lifespan_event BOOLEAN)`);
  await db.exec(`INSERT INTO f_groups VALUES
    ('华东', 'S1', 'guide',    'alive',     10, 0.5, 2.0,  false, 100, false),
    ('华东', 'S1', 'guide',    'zombie',     4, 0.1, 0.5,  false,  40, true),
    -- dissolved: its ratios (left in on purpose) must not enter the medians
    ('华东', 'S2', 'material', 'dissolved',  0, 0.9, 9.0,  true,   20, true),
    (NULL,   NULL, NULL,       'alive',      3, 1.0, 3.0,  false,  30, false),
    ('华北', 'S3', 'guide',    'alive',      5, 0.2, 1.0,  false,  60, false),
    -- a store with a group but no memberships
    ('华北', 'S4', 'guide',    'alive',      0, NULL, NULL, false, 10, false)`);
});
afterAll(async () => db?.close());

describe('channelTypeMatrix', () => {
  it('joins, Kaplan–Meier S(30), memberships observed 30 days and conversion, per cell', async () => {
    const cells = await channelTypeMatrix(db, config, true);
    expect(cells.map((c) => [c.channel, c.groupType, c.joins, c.eligible30])).toEqual([
      ['guide', 'interest', 3, 1],
      ['guide', 'learning', 2, 2],
      ['material', 'interest', 1, 0],
    ]);
    const [gi, gl, mi] = cells;
    // guide × interest: censored at day 5 leaves 2 at risk at day 10, 1 leaves → S = 1/2 (not 2/3),
    // held to day 30 (the curve runs to 40)
    expect(gi.retentionD30.value).toBe(0.5);
    // conversion among the 1 observed 30 days, who did not buy: 0/1 (the day-10 leaver's order
    // is not counted, which would make it 1/2)
    expect(gi.conversion30d).toEqual(rate(0, 1));
    // guide × learning: 2 at risk at day 30, 1 leaves → S(30) = 1/2 (the other leaves on day 31)
    // log-log band: se = sqrt(1/(2·1)), S^exp(∓ z·se / log S)
    const z = normalQuantile(0.975);
    const se = Math.sqrt(0.5);
    expect(gl.retentionD30.value).toBe(0.5);
    expect(gl.retentionD30.lower).toBeCloseTo(0.5 ** Math.exp((-z * se) / Math.log(0.5)), 12);
    expect(gl.retentionD30.upper).toBeCloseTo(0.5 ** Math.exp((z * se) / Math.log(0.5)), 12);
    expect(gl.conversion30d).toEqual(rate(0, 2));
    // material × interest: observed 5 days, the curve ends before day 30
    expect(mi.retentionD30).toEqual({ value: null, lower: null, upper: null });
    expect(mi.conversion30d).toEqual(rate(0, 0));
    expect(mi.conversion30d.rate).toBeNull();
  });

  it('without orders, conversion is unknown (null, n 0), never 0%', async () => {
    const cells = await channelTypeMatrix(db, config, false);
    expect(cells.map((c) => c.conversion30d)).toEqual([NONE, NONE, NONE]);
    expect(cells[0].retentionD30.value).toBe(0.5);
  });
});

describe('placeSummaries', () => {
  const all = { hasActivity: true, hasOrders: true };

  it('regions: group counts by status, members, medians over groups not dissolved, pooled rates', async () => {
    const regions = await placeSummaries(db, config, 'region', all);
    // most groups first: 华东 3, 华北 2, then the groups without a region ('') 1
    expect(regions.map((r) => [r.key, r.region, r.groups, r.alive, r.zombies, r.dissolved, r.members, r.memberships])).toEqual([
      ['华东', null, 3, 1, 1, 1, 14, 3],
      ['华北', null, 2, 2, 0, 0, 5, 1],
      ['', null, 1, 1, 0, 0, 3, 2],
    ]);
    const east = regions[0];
    // medians over the 2 groups not dissolved: (0.5 + 0.1)/2 = 0.3 and (2 + 0.5)/2 = 1.25
    expect(east.medianWeeklyActiveRatio).toBeCloseTo(0.3, 15);
    expect(east.medianMessagesPerMemberWeek).toBeCloseTo(1.25, 15);
    // 华东's 3 memberships: activation among the 2 eligible, 1 activated (the third is active but
    // not eligible); retained and converted among the 1 observed 30 days: retained, did not buy
    expect(east.activation).toEqual(rate(1, 2));
    expect(east.retainedD30).toEqual(rate(1, 1));
    expect(east.conversion30d).toEqual(rate(0, 1));
    // 华北: the group without a ratio is skipped by the median: 0.2 and 1.0
    expect([regions[1].medianWeeklyActiveRatio, regions[1].medianMessagesPerMemberWeek]).toEqual([0.2, 1]);
    // its one membership activated, left on day 30 (not retained), did not buy
    expect(regions[1].activation).toEqual(rate(1, 1));
    expect(regions[1].retainedD30).toEqual(rate(0, 1));
    expect(regions[1].conversion30d).toEqual(rate(0, 1));
    // no region: the 5-day membership counts in memberships only; the day-31 leaver did not
    // activate, was retained at day 30, did not buy
    expect(regions[2].activation).toEqual(rate(0, 1));
    expect(regions[2].retainedD30).toEqual(rate(1, 1));
    expect(regions[2].conversion30d).toEqual(rate(0, 1));
  });

  it('stores: only groups with a store, each with its region; a store without memberships has no rates', async () => {
    const stores = await placeSummaries(db, config, 'store', all);
    expect(stores.map((s) => [s.key, s.region, s.groups, s.members, s.memberships])).toEqual([
      ['S1', '华东', 2, 14, 2],
      ['S2', '华东', 1, 0, 1],
      ['S3', '华北', 1, 5, 1],
      ['S4', '华北', 1, 0, 0],
    ]);
    const s1 = stores[0];
    expect(s1.activation).toEqual(rate(1, 2));
    expect(s1.retainedD30).toEqual(rate(1, 1));
    expect(s1.conversion30d).toEqual(rate(0, 1));
    // S2: only the dissolved group, so no median; its one membership (5 days) eligible for nothing
    expect(stores[1].medianWeeklyActiveRatio).toBeNull();
    expect([stores[1].activation, stores[1].retainedD30, stores[1].conversion30d]).toEqual([rate(0, 0), rate(0, 0), rate(0, 0)]);
    const s4: PlaceSummary = stores[3];
    expect([s4.activation, s4.retainedD30, s4.conversion30d]).toEqual([NONE, NONE, NONE]);
  });

  it('without activity or orders, those metrics are unknown; day-30 retention stays', async () => {
    const regions = await placeSummaries(db, config, 'region', { hasActivity: false, hasOrders: false });
    const east = regions[0];
    expect([east.medianWeeklyActiveRatio, east.medianMessagesPerMemberWeek]).toEqual([null, null]);
    expect(east.activation).toEqual(NONE);
    expect(east.conversion30d).toEqual(NONE);
    expect(east.retainedD30).toEqual(rate(1, 1));
  });
});

describe('lifespanBy', () => {
  it('region: Kaplan–Meier of group lifespans and its median', async () => {
    const byKey = new Map((await lifespanBy(db, config, 'region')).map((c) => [c.key, c]));
    expect([...byKey.keys()].sort()).toEqual(['', '华东', '华北'].sort());
    const east = byKey.get('华东')!;
    // 华东: ended at 20 and 40, alive at 100 → S(20) = 2/3, S(40) = 1/3: median 40
    expect(east.groups).toBe(3);
    expect(east.curve.points.map((p) => [p.time, p.atRisk, p.events])).toEqual([
      [20, 3, 1],
      [40, 2, 1],
      [100, 1, 0],
    ]);
    expect(east.curve.points.map((p) => p.survival)).toEqual([2 / 3, 2 / 3 * (1 / 2), 2 / 3 * (1 / 2)]);
    expect(east.median).toBe(40);
    // 华北: no group ended, no median
    expect(byKey.get('华北')).toMatchObject({ groups: 2, median: null });
    expect(byKey.get('')).toMatchObject({ groups: 1, median: null });
  });

  it('dominant channel: the groups without one under ""', async () => {
    const byKey = new Map((await lifespanBy(db, config, 'dominant_channel')).map((c) => [c.key, c]));
    // guide: lifespans 10, 40 (ended), 60, 100: at day 40, 3 at risk, 1 ends → S = 2/3, and no
    // other group ends: S never reaches 1/2, no median
    expect(byKey.get('guide')!.groups).toBe(4);
    expect(byKey.get('guide')!.curve.points.map((p) => [p.time, p.atRisk, p.events, p.survival])).toEqual([
      [10, 4, 0, 1],
      [40, 3, 1, 2 / 3],
      [60, 2, 0, 2 / 3],
      [100, 1, 0, 2 / 3],
    ]);
    expect(byKey.get('guide')!.median).toBeNull();
    expect(byKey.get('material')).toMatchObject({ groups: 1, median: 20 });
    expect(byKey.get('')).toMatchObject({ groups: 1, median: null });
  });
});
