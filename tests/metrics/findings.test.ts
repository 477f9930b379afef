/**
 * The Overview's findings from hand-made inputs: channel summaries written as objects, and the
 * two facts tables findings() reads (f_memberships for the retention log-rank, f_groups for the
 * zombies) created in an in-memory DuckDB with only the columns it reads. Every expected number
 * is counted by hand in the comments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type QunlensConfig } from '../../src/core/config.ts';
import { openNativeDb, type NativeDb } from '../../src/db/native.ts';
import { findings, type ChannelGap, type Finding, type LifespanGap, type ZombieFinding } from '../../src/metrics/findings.ts';
import { rateOf, type ChannelSummary, type LifespanSummary } from '../../src/metrics/summaries.ts';
import { chiSquareUpperTail } from '../../src/stats/index.ts';

// small samples start under 4 here, so a handful of rows is enough to make a finding; every
// finding judges it the same way (largeEnough): a rate by its denominator, S(30) by the members
// at risk at day 30, a median lifespan by its type's groups, the zombie share by the living groups
const config: QunlensConfig = { ...DEFAULT_CONFIG, smallSample: 4 };
const NONE = { value: null, lower: null, upper: null, atRisk: 0 };

/** A channel summary with only what findings() reads: joins, S(30) and its n at risk, activation and conversion. */
function channel(key: string, o: { joins: number; d30?: number | null; atRisk?: number; act?: [number, number]; conv?: [number, number] }): ChannelSummary {
  const [ax, an] = o.act ?? [0, 0];
  const [cx, cn] = o.conv ?? [0, 0];
  return {
    channel: key,
    joins: o.joins,
    activation: rateOf(ax, an, 0.95),
    // at risk at day 30: joins unless given (every member followed 30 days)
    retention: { d7: NONE, d30: { value: o.d30 ?? null, lower: null, upper: null, atRisk: o.atRisk ?? o.joins }, d90: NONE },
    conversion30d: rateOf(cx, cn, 0.95),
    repurchase: rateOf(0, 0, 0.95),
    gmv90: { mean: null, lower: null, upper: null, n: 0, total: 0 },
  };
}

function lifespan(groupType: string, groups: number, median: number | null): LifespanSummary {
  return { groupType, groups, deaths: 0, dissolved: 0, zombies: 0, alive: 0, median, medianLower: null, medianUpper: null };
}

const of = <K extends Finding['kind']>(found: Finding[], kind: K) => found.find((f) => f.kind === kind) as (Finding & { kind: K }) | undefined;

let db: NativeDb;
beforeAll(async () => {
  db = await openNativeDb();
  // tenures: guide's two members are still in (censored at 40 and 50), material's two left at
  // days 10 and 20; 'other' is never compared
  await db.exec(`CREATE TABLE f_memberships (channel VARCHAR, tenure_days INTEGER, left_by_asof BOOLEAN)`);
  await db.exec(`INSERT INTO f_memberships VALUES
    ('guide', 40, false), ('guide', 50, false),
    ('material', 10, true), ('material', 20, true),
    ('other', 1, true)`);
  await db.exec(`CREATE TABLE f_groups (group_type VARCHAR, status VARCHAR)`);
  // 3 zombies among 5 groups not dissolved; interest has 2 of them, learning 1
  await db.exec(`INSERT INTO f_groups VALUES
    ('interest', 'zombie'), ('interest', 'zombie'), ('interest', 'alive'),
    ('learning', 'zombie'), ('learning', 'dissolved'),
    ('conversion', 'alive')`);
});
afterAll(async () => db?.close());

describe('findings: channel retention (log-rank)', () => {
  const channels = [
    // 9 joins, 5 of them recent: 4 at risk at day 30 (= smallSample, usable)
    channel('guide', { joins: 9, d30: 1, atRisk: 4 }),
    channel('material', { joins: 4, d30: 0 }),
    // 'other' is never a side of a finding, however it ranks
    channel('other', { joins: 50, d30: 0.99 }),
    // under smallSample (4): left out although it would be the worst
    channel('invite', { joins: 3, d30: 0.01 }),
    // 60 joins but only 3 at risk at day 30 (most joined lately): S(30) rests on 3, left out
    // although it would be the best
    channel('official_account', { joins: 60, d30: 1, atRisk: 3 }),
  ];

  it('compares the best and worst S(30) among usable channels, tested on their tenures', async () => {
    const found = await findings(db, config, channels, [], null, { hasActivity: false, hasOrders: false });
    expect(found.map((f) => f.kind)).toEqual(['retention_d30']);
    const gap = of(found, 'retention_d30')!;
    // the n of each side is its number at risk at day 30, not its joins
    expect(gap).toMatchObject({ best: 'guide', worst: 'material', bestValue: 1, worstValue: 0, bestN: 4, worstN: 4, test: 'log-rank', significant: false });
    // Log-rank by hand over the tenures in f_memberships (guide 40+, 50+ censored; material left at 10, 20):
    //   t=10: N=4 (2 guide, 2 material), d=1: E_material += 2/4, V += 1·2·3/(4·3) · (1 − 2/4) = 1/4
    //   t=20: N=3 (2 guide, 1 material), d=1: E_material += 1/3, V += 1·1·2/(3·2) · (1 − 1/3) = 2/9
    //   O_material = 2, E_material = 5/6, O − E = 7/6; V = 1/4 + 2/9 = 17/36
    //   chisq = (7/6)² / (17/36) = 49/17 ≈ 2.882, 1 df → p ≈ 0.0896, not under 0.05
    expect(gap.p).toBeCloseTo(chiSquareUpperTail(49 / 17, 1), 12);
    expect(gap.p).toBeCloseTo(0.0896, 4);
  });

  it('no finding when fewer than two channels are usable', async () => {
    const found = await findings(db, config, channels.filter((c) => c.channel !== 'material'), [], null, { hasActivity: false, hasOrders: false });
    expect(found).toEqual([]);
    // one fewer at risk at day 30 and guide is a small sample too, whatever its joins
    const fewer = channels.map((c) => (c.channel === 'guide' ? channel('guide', { joins: 9, d30: 1, atRisk: 3 }) : c));
    expect(await findings(db, config, fewer, [], null, { hasActivity: false, hasOrders: false })).toEqual([]);
  });
});

describe('findings: conversion and activation (two-proportion test)', () => {
  it('conversion: best 40/50 against worst 10/50 is significant; chi-square counted by hand', async () => {
    const channels = [
      channel('guide', { joins: 2, conv: [40, 50] }),
      channel('material', { joins: 2, conv: [25, 50] }),
      channel('invite', { joins: 2, conv: [10, 50] }),
      // a higher rate, but n = 3 < 4 (small sample)
      channel('official_account', { joins: 2, conv: [3, 3] }),
    ];
    const found = await findings(db, config, channels, [], null, { hasActivity: false, hasOrders: true });
    const gap = of(found, 'conversion_30d')! as ChannelGap;
    expect(gap).toMatchObject({ best: 'guide', worst: 'invite', bestValue: 0.8, worstValue: 0.2, bestN: 50, worstN: 50, test: 'two-proportion', significant: true });
    // pooled 50/100 = 0.5; variance 0.5·0.5·(1/50 + 1/50) = 0.01; diff 0.6; chisq 0.36/0.01 = 36
    expect(gap.p).toBeCloseTo(chiSquareUpperTail(36, 1), 15);
    expect(gap.p!).toBeLessThan(1e-8);
    // no S(30) was given for any channel: no retention finding
    expect(of(found, 'retention_d30')).toBeUndefined();
  });

  it('conversion needs the orders file, activation the activity file', async () => {
    const channels = [channel('guide', { joins: 2, conv: [4, 5], act: [5, 5] }), channel('material', { joins: 2, conv: [1, 5], act: [1, 5] })];
    const none = await findings(db, config, channels, [], null, { hasActivity: false, hasOrders: false });
    expect(none).toEqual([]);
    const act = await findings(db, config, channels, [], null, { hasActivity: true, hasOrders: false });
    // activation 5/5 against 1/5: pooled 0.6, variance 0.6·0.4·(2/5) = 0.096, diff 0.8,
    // chisq 0.64/0.096 = 6.667, p ≈ 0.0098; plus the zombies finding (activity known)
    const gap = of(act, 'activation_rate')!;
    expect(gap).toMatchObject({ best: 'guide', worst: 'material', bestValue: 1, worstValue: 0.2, bestN: 5, worstN: 5, significant: true });
    expect(gap.p).toBeCloseTo(chiSquareUpperTail(0.64 / 0.096, 1), 15);
    expect(gap.p).toBeCloseTo(0.0098, 4);
    expect(of(act, 'conversion_30d')).toBeUndefined();
  });

  it('equal rates of 1 give no test: p null, not significant', async () => {
    const channels = [channel('guide', { joins: 2, conv: [5, 5] }), channel('material', { joins: 2, conv: [4, 4] })];
    const found = await findings(db, config, channels, [], null, { hasActivity: false, hasOrders: true });
    expect(of(found, 'conversion_30d')).toMatchObject({ bestValue: 1, worstValue: 1, p: null, significant: false });
  });
});

describe('findings: lifespans and zombies', () => {
  const lifespans = [
    lifespan('interest', 5, 10),
    // more than half of its groups still live: its median is not reached, the longest-lived
    lifespan('core_user', 4, null),
    lifespan('industry', 4, 50),
    // the shortest median, but only 3 groups (under smallSample 4): not a side of the finding
    lifespan('conversion', 3, 1),
    // would be the longest-lived, but 3 groups: not a side either
    lifespan('welfare', 3, null),
  ];

  it('shortest finite median against the longest-lived type, with the given log-rank p', async () => {
    const found = await findings(db, config, [], lifespans, 0.01, { hasActivity: false, hasOrders: false });
    expect(found).toEqual([{ kind: 'lifespan', shortest: 'interest', shortestMedian: 10, longest: 'core_user', longestMedian: null, p: 0.01, significant: true } satisfies LifespanGap]);
    const weak = await findings(db, config, [], lifespans.filter((l) => l.groupType !== 'core_user'), 0.2, { hasActivity: false, hasOrders: false });
    expect(of(weak, 'lifespan')).toMatchObject({ shortest: 'interest', longest: 'industry', longestMedian: 50, significant: false });
  });

  it('no lifespan finding when no type of smallSample groups has a median, or only one type has smallSample groups', async () => {
    const found = await findings(db, config, [], [lifespan('interest', 5, null), lifespan('industry', 4, null), lifespan('conversion', 3, 1)], 0.5, { hasActivity: false, hasOrders: false });
    expect(found).toEqual([]);
    const alone = await findings(db, config, [], [lifespan('interest', 5, 10), lifespan('industry', 3, 50)], 0.5, { hasActivity: false, hasOrders: false });
    expect(alone).toEqual([]);
  });

  it('zombies: counted over groups not dissolved, with the type that has most', async () => {
    const found = await findings(db, config, [], [], null, { hasActivity: true, hasOrders: false });
    // 6 groups, 1 dissolved → 5 living; 3 zombies (interest 2, learning 1): share 3/5
    expect(found).toEqual([{ kind: 'zombies', zombies: 3, share: 0.6, worstType: 'interest', worstTypeZombies: 2 } satisfies ZombieFinding]);
  });

  it('zombies: a share of fewer living groups than smallSample is no finding', async () => {
    // 5 living groups: enough at smallSample 5, a small sample at 6
    expect(await findings(db, { ...config, smallSample: 5 }, [], [], null, { hasActivity: true, hasOrders: false })).toMatchObject([{ kind: 'zombies', zombies: 3 }]);
    expect(await findings(db, { ...config, smallSample: 6 }, [], [], null, { hasActivity: true, hasOrders: false })).toEqual([]);
  });

  it('significant findings first, then zombies, then the rest', async () => {
    const channels = [channel('guide', { joins: 4, d30: 1, conv: [40, 50] }), channel('material', { joins: 4, d30: 0, conv: [10, 50] })];
    const found = await findings(db, config, channels, lifespans, 0.3, { hasActivity: true, hasOrders: true });
    // retention (p ≈ 0.09) and lifespan (p 0.3) are not significant; conversion (chisq 36) is;
    // activation has no denominators (0/0) so no finding
    expect(found.map((f) => f.kind)).toEqual(['conversion_30d', 'zombies', 'retention_d30', 'lifespan']);
  });
});
