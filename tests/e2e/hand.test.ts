/**
 * Published numbers carry 10 decimal places, so comparisons are to 1e-9.
 *
 * The hand fixture (tests/fixtures/hand): five groups and fifteen membership rows built so that
 * every rule of METRICS.md can be followed on paper. T = 2026-03-31 (latest date in the data).
 * Each expectation below says how it is counted.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, readCsvObjects } from '../helpers.ts';
import { buildData } from './build-helpers.ts';

let data: string;
const rows = (file: string) => readCsvObjects(join(data, file));
const num = (v: string) => (v === '' ? null : Number(v));

beforeAll(async () => {
  ({ data } = await buildData(join(FIXTURES, 'hand')));
});

describe('channel summary (hand-counted)', () => {
  const channel = (key: string) => rows('channel_summary.csv').find((r) => r.channel === key)!;

  it('attributes channels: column, else state via channels.csv, else other; staff excluded', () => {
    // guide: f1@G1, a1@G1, b2@G2 (导购邀请), a1@G2; material: a2 (state qr_poster → 物料二维码),
    // c1 (海报), e1 twice (two spells); official: a3 (公众号菜单), b1; invite: a4 (老带新), d1;
    // other: c2 (nothing), e2 (直播, unknown label). zhangwei is staff and is not counted.
    expect(['guide', 'material', 'official_account', 'invite', 'other'].map((c) => num(channel(c).joins))).toEqual([4, 4, 2, 2, 2]);
  });

  it('activation: joined ≥ 7 days before T, message on days [0, 7)', () => {
    // guide: f1 no, a1@G1 day 0 yes, b2 day 3 yes, a1@G2 first message on day 7 → no: 2/4
    expect(num(channel('guide').activation_rate)).toBe(0.5);
    expect(num(channel('guide').activation_n)).toBe(4);
    // invite: a4 joined 3 days before T → not eligible; d1 never wrote: 0/1
    expect(num(channel('invite').activation_n)).toBe(1);
    expect(num(channel('invite').activation_rate)).toBe(0);
  });

  it('retention d7/d30/d90 = Kaplan–Meier S(t); undefined past the last observed day', () => {
    // guide tenures: 18 (b2 left), 56, 88, 106 censored → S = 3/4 from day 18
    expect([channel('guide').retention_d7, channel('guide').retention_d30, channel('guide').retention_d90].map(num)).toEqual([1, 0.75, 0.75]);
    // material: a2 same-day leave (tenure 0, an event), e1 first spell 18, c1 45, e1 second spell 58 censored
    expect([channel('material').retention_d7, channel('material').retention_d30].map(num)).toEqual([0.75, 0.5]);
    expect(channel('material').retention_d90).toBe('');
    // invite: longest follow-up is 11 days → d30 undefined, shown empty (not 0, not 1)
    expect(channel('invite').retention_d30).toBe('');
  });

  it('conversion: joined ≥ 30 days before T, counted order on days [0, 30)', () => {
    // guide: f1 (O8 day 5) yes, a1@G1 (O1 without group, day 8) yes, b2 no,
    // a1@G2: O1 predates the join, O2 names G1, O3 refunded → no: 2/4
    expect(num(channel('guide').conversion_30d)).toBe(0.5);
    // material: e1's O7 is day 39 of spell 1 (too late) and day 9 of spell 2 (counts): 1/4
    expect(num(channel('material').conversion_30d)).toBe(0.25);
    // official: a3's only order names G2, where a3 is not a member → no; b1 (O5 1.2万) yes: 1/2
    expect(num(channel('official_account').conversion_30d)).toBe(0.5);
    expect(channel('invite').conversion_30d).toBe('');
  });

  it('repurchase and GMV per joiner', () => {
    // guide: memberships with ≥ 1 counted order: f1 (O8, O9), a1@G1 (O1, O2) → both ≥ 2: 2/2
    expect(num(channel('guide').repurchase_rate)).toBe(1);
    expect(num(channel('guide').repurchase_n)).toBe(2);
    // GMV 90 d: only f1 joined ≥ 90 days before T; O8 300 on day 5, O9 on day 95 is outside
    expect(num(channel('guide').gmv_per_joiner_90d)).toBe(300);
    expect(channel('material').gmv_per_joiner_90d).toBe('');
  });

  it('every rate carries its Wilson interval', () => {
    // 2 of 4: prop.test(2, 4, correct = FALSE)$conf.int
    expect(num(channel('guide').activation_lower)).toBeCloseTo(0.15003898915214955, 9);
    expect(num(channel('guide').activation_upper)).toBeCloseTo(0.8499610108478505, 9);
  });
});

describe('weekly activity retention', () => {
  it('counts a week only while the membership lasts, and only fully observed weeks', () => {
    const ar = rows('activity_retention.csv');
    const at = (c: string, w: number) => ar.find((r) => r.channel === c && r.week === String(w))!;
    // guide week 0: a1@G1 (day 0), b2 (day 3) → 2/4; week 1: a1@G1 (day 7), a1@G2 (day 7) → 2/4
    expect([at('guide', 0).retained, at('guide', 0).eligible, at('guide', 1).retained]).toEqual(['2', '4', '2']);
    // week 12 is fully observed only for f1 (106 days): eligible 1
    expect(at('guide', 12).eligible).toBe('1');
    // material week 1: e1's message on 2026-02-03 is after spell 1 ended → not counted for it
    expect(at('material', 1).retained).toBe('0');
  });
});

describe('groups', () => {
  const group = (id: string) => rows('groups.csv').find((r) => r.group_id === id)!;

  it('size, weekly active ratio, messages per member-week at T', () => {
    // G1: f1, a1, a4 (a2 and a3 left; the owner is staff) = 3; active in (T-7, T]: a1, a4 (staff excluded)
    expect(num(group('G1').size)).toBe(3);
    expect(num(group('G1').weekly_active_ratio)).toBeCloseTo(2 / 3, 9);
    expect(num(group('G1').messages_per_member_week)).toBeCloseTo(2 / 3 / 4, 9);
    // G5: e1 (second spell) and e2; e2 wrote on T-6
    expect([num(group('G5').size), num(group('G5').weekly_active_ratio), num(group('G5').messages_per_member_week)]).toEqual([2, 0.5, 0.125]);
  });

  it('lifespan, status and zombies', () => {
    // G2: last message 2026-02-10, silent 49 ≥ 14 days → zombie, died on its last active day (9 days)
    expect([group('G2').status, group('G2').lifespan_days, group('G2').lifespan_event]).toEqual(['zombie', '9', 'true']);
    // G3: dissolved on 2026-03-01, 45 days after creation
    expect([group('G3').status, group('G3').lifespan_days]).toEqual(['dissolved', '45']);
    // G4: no message yet, created 11 days before T → alive (censored), flagged quiet (≥ 7 silent days)
    expect([group('G4').status, group('G4').lifespan_days, group('G4').lifespan_event, group('G4').flags]).toEqual(['alive', '11', 'false', 'quiet']);
    // G1: alive, censored at T
    expect([group('G1').status, group('G1').lifespan_days]).toEqual(['alive', '120']);
  });

  it('rule flags and per-group rates', () => {
    // conversion group older than its expected 21 days and no counted order in 7 days
    expect(group('G2').flags).toBe('conversion_overdue');
    // G1 retained_d30: f1, a1 stayed, a2 left on day 0, a3 left on day 42 (> 30) → 3/4
    expect(num(group('G1').retained_d30)).toBe(0.75);
    // dissolved groups get no rank in their type
    expect(group('G3').rank_size).toBe('');
  });

  it('at_risk_d30 = memberships still followed at day 30 (tenure ≥ 30: KM n at risk); km_retained_d30 = S(30)', () => {
    // G1: f1 (106 days), a1 (88), a3 (left on day 42) are followed to day 30; a2 (left on day 0)
    // and a4 (joined 3 days before T) are not → 3. S(30) = 1 − 1/5 (a2's leave at day 0 among
    // 5) = 0.8, while the observed day-30 stay is 3/4: two names for two figures
    expect([num(group('G1').at_risk_d30), num(group('G1').km_retained_d30), num(group('G1').retained_d30), num(group('G1').retained_d30_n)]).toEqual([3, 0.8, 0.75, 4]);
    // G2: b1 (58), a1 (56) at risk; b2 left on day 18 → 2; S(30) = 2/3
    expect(num(group('G2').at_risk_d30)).toBe(2);
    expect(num(group('G2').km_retained_d30)).toBeCloseTo(2 / 3, 9);
    // G3: c1 (left on day 45), c2 (74) → 2; G5: e1's first spell left on day 18 → e1 again and e2 → 2
    expect([num(group('G3').at_risk_d30), num(group('G5').at_risk_d30)]).toEqual([2, 2]);
    // G4: d1 joined 11 days before T → none at risk, S(30) undefined (past the longest follow-up)
    expect([num(group('G4').at_risk_d30), group('G4').km_retained_d30]).toEqual([0, '']);
  });

  it('at_risk_d30 in the place, inviter, channel and channel × type files', () => {
    const region = (k: string) => rows('region_summary.csv').find((r) => r.region === k)!;
    // 华东 = G1 + G2 + G4 = 3 + 2 + 0; 华南 = G3 + G5 = 2 + 2
    expect([num(region('华东').at_risk_d30), num(region('华南').at_risk_d30)]).toEqual([5, 4]);
    // existing columns keep their values: 华南's day-30 stay: c1 (left on day 45), c2, e1's second
    // spell and e2 stayed, e1's first spell left on day 18 → 4/5
    expect(num(region('华南').retained_d30)).toBe(0.8);
    const store = rows('store_summary.csv').find((r) => r.store === 'SH-XH 徐汇店')!;
    expect([num(store.at_risk_d30), num(store.km_retained_d30), num(store.retained_d30)]).toEqual([3, 0.8, 0.75]);
    // zhangwei (staff) brought f1 and a1 to G1, both followed to day 30; a1 brought a4 (3 days)
    const inviters = rows('inviters.csv');
    expect(inviters.map((r) => num(r.at_risk_d30))).toEqual([2, 0]);
    // guide: f1, a1@G1, a1@G2 followed to day 30, b2 left on day 18 → 3 behind S(30) = 0.75
    const guide = rows('channel_summary.csv').find((r) => r.channel === 'guide')!;
    expect([num(guide.at_risk_d30), num(guide.retention_d30)]).toEqual([3, 0.75]);
    // invite: a4 (3 days), d1 (11 days) → 0 at risk, S(30) undefined
    expect(num(rows('channel_summary.csv').find((r) => r.channel === 'invite')!.at_risk_d30)).toBe(0);
    const cell = rows('channel_type_matrix.csv').find((r) => r.channel === 'guide' && r.group_type === 'welfare')!;
    expect(num(cell.at_risk_d30)).toBe(2);
  });
});

describe('lifespans by type (R survival: survfit log-log, quantile, survdiff)', () => {
  it('matches R on the hand fixture', () => {
    const ls = rows('lifespan_summary.csv');
    const interest = ls.find((r) => r.group_type === 'interest')!;
    // interest: G3 died at 45, G5 censored at 88; S sits at 0.5 from 45 to the end →
    // quantile.survfit gives (45 + 88) / 2 = 66.5, lower 45, upper NA
    expect([num(interest.median_days), num(interest.median_lower), interest.median_upper]).toEqual([66.5, 45, '']);
    const lr = rows('lifespan_logrank.csv')[0];
    // survdiff(Surv(t, e) ~ g): chisq 4.3125, df 3, p 0.2296371
    expect(num(lr.chisq)).toBeCloseTo(4.3125, 10);
    expect(num(lr.df)).toBe(3);
    expect(num(lr.p)).toBeCloseTo(0.2296370933895849, 10);
  });
});
