/**
 * The figure models of the Channels, Retention and Benchmarks pages from small hand-made
 * inputs: which rows, which values (as formatted text), which series, which rows are marked
 * as small samples, what the takeaway says. Not the SVG: the charts have their own tests.
 */
import { describe, expect, it } from 'vitest';
import { channelColor } from '../../src/charts/colors.ts';
import { i18n } from '../../src/i18n/index.ts';
import { rateOf, type ChannelSummary, type WeekRetention } from '../../src/metrics/summaries.ts';
import { kaplanMeier, wilson, type TimeCount } from '../../src/stats/index.ts';
import { benchmarkFigures, type BenchmarkRow } from '../../src/ui/benchmark-figures.ts';
import { channelPage, figureRowsHtml, type FigureModel } from '../../src/ui/channel-figures.ts';
import { retentionFigures } from '../../src/ui/retention-figures.ts';

const f = i18n('en');
const NONE = { value: null, lower: null, upper: null, atRisk: 0 };
const byId = (figures: FigureModel[], id: string) => figures.find((x) => x.id === id)!;
/** The interval as the tables print it: Wilson bounds as percentages to one decimal. */
const ci = (x: number, n: number) => {
  const w = wilson(x, n, 0.95);
  return `${f.pct(w.lower)}–${f.pct(w.upper)}`;
};

function channel(key: string, o: { joins: number; act: [number, number]; d30: [number, number, number] | null; conv: [number, number]; rep: [number, number]; gmv?: [number, number, number, number] }): ChannelSummary {
  const [mean, lower, upper, n] = o.gmv ?? [null, null, null, 0];
  return {
    channel: key,
    joins: o.joins,
    activation: rateOf(o.act[0], o.act[1], 0.95),
    // (every member of these channels followed 30 days: at risk at day 30 = joins)
    retention: { d7: NONE, d30: o.d30 ? { value: o.d30[0], lower: o.d30[1], upper: o.d30[2], atRisk: o.joins } : NONE, d90: NONE },
    conversion30d: rateOf(o.conv[0], o.conv[1], 0.95),
    repurchase: rateOf(o.rep[0], o.rep[1], 0.95),
    gmv90: { mean, lower, upper, n, total: mean === null ? 0 : mean * n },
  };
}

describe('channelPage', () => {
  // small samples: under 10. In the fixed channel order, as channelSummaries returns them.
  const channels = [
    channel('guide', { joins: 100, act: [60, 100], d30: [0.7, 0.6, 0.8], conv: [30, 100], rep: [10, 30], gmv: [50, 40, 60, 100] }),
    channel('material', { joins: 50, act: [10, 50], d30: [0.75, 0.65, 0.85], conv: [3, 50], rep: [1, 5] }),
    // 5 joins: every rate of it is a small sample
    channel('official_account', { joins: 5, act: [5, 5], d30: [0.9, 0.5, 1], conv: [0, 0], rep: [0, 0] }),
    // no joins: in the summary table, in no figure
    channel('invite', { joins: 0, act: [0, 0], d30: null, conv: [0, 0], rep: [0, 0] }),
    // the highest activation, but 'other' is never named in a takeaway
    channel('other', { joins: 20, act: [19, 20], d30: [0.2, 0.1, 0.4], conv: [2, 20], rep: [0, 2] }),
  ];
  const page = channelPage({ smallSample: 10, hasActivity: true, hasOrders: true, channels }, f);

  it('one rate figure per metric whose input exists', () => {
    expect(page.rates.map((r) => r.id)).toEqual(['activation', 'retention-d30', 'conversion', 'repurchase', 'gmv']);
    expect(page.quantityQuality.map((r) => r.id)).toEqual(['quantity-retention', 'quantity-conversion']);
    const bare = channelPage({ smallSample: 10, hasActivity: false, hasOrders: false, channels }, f);
    expect(bare.rates.map((r) => r.id)).toEqual(['retention-d30']);
    expect(bare.quantityQuality.map((r) => r.id)).toEqual(['quantity-retention']);
  });

  it('activation: channels with joins, rate, Wilson interval, n; the small one marked', () => {
    const fig = byId(page.rates, 'activation');
    expect(fig.rows).toEqual([
      ['Store guide', '60.0%', ci(60, 100), '100'],
      ['Printed material', '20.0%', ci(10, 50), '50'],
      ['Official account', '100.0%', ci(5, 5), '5'],
      ['Other', '95.0%', ci(19, 20), '20'],
    ]);
    expect(fig.smallRows).toEqual([2]);
    // official account (small) and other are left out: guide 60% against material 20%; guide's
    // lower bound (≈ 50%) is above material's upper (≈ 33%)
    expect(fig.takeaway).toBe('Store guide is highest (60.0%), clearly above Printed material (20.0%).');
    expect(fig.csv).toBe('channel_summary.csv');
  });

  it('day-30 retention: n is the joins; overlapping intervals say the gap may be noise', () => {
    const fig = byId(page.rates, 'retention-d30');
    expect(fig.rows[0]).toEqual(['Store guide', '70.0%', '60.0%–80.0%', '100']);
    expect(fig.smallRows).toEqual([2]);
    // material 75% [65, 85] against guide 70% [60, 80]: 65% ≤ 80%, the intervals overlap
    expect(fig.takeaway).toBe('Printed material is highest (75.0%) and Store guide lowest (70.0%), but the intervals overlap: the gap may be noise.');
  });

  it('conversion and GMV: an unknown rate prints as — and its zero denominator is small', () => {
    const conv = byId(page.rates, 'conversion');
    expect(conv.rows[2]).toEqual(['Official account', '—', '—', '0']);
    expect(conv.smallRows).toEqual([2]);
    expect(conv.takeaway).toBe('Store guide is highest (30.0%), clearly above Printed material (6.0%).');
    const gmv = byId(page.rates, 'gmv');
    expect(gmv.rows.map((r) => r.slice(1))).toEqual([
      ['¥50.0', '¥40.0–¥60.0', '100'],
      ['—', '—', '0'],
      ['—', '—', '0'],
      ['—', '—', '0'],
    ]);
    expect(gmv.smallRows).toEqual([1, 2, 3]);
    // only guide has a mean: nothing to compare
    expect(gmv.takeaway).toBe('Not enough data to compare.');
  });

  it('quantity against quality: joins and day-30 retention per channel, who brings most and who keeps best', () => {
    const qq = byId(page.quantityQuality, 'quantity-retention');
    expect(qq.rows).toEqual([
      ['Store guide', '100', '70.0%', '60.0%–80.0%'],
      ['Printed material', '50', '75.0%', '65.0%–85.0%'],
      ['Official account', '5', '90.0%', '50.0%–100.0%'],
      ['Other', '20', '20.0%', '10.0%–40.0%'],
    ]);
    // official account's 90% is a small sample: material keeps best
    expect(qq.takeaway).toBe('Store guide brings the most joins; Printed material keeps them best.');
    const qc = byId(page.quantityQuality, 'quantity-conversion');
    expect(qc.columns.map((c) => c.label).at(-1)).toBe('n');
    expect(qc.rows[1]).toEqual(['Printed material', '50', '6.0%', ci(3, 50), '50']);
  });

  it('summary table: every channel, joins or not; small denominators grey with their n', () => {
    expect(page.summaryRows.match(/<tr>/g)!.length).toBe(5);
    expect(page.summaryRows).toContain('Friend invite');
    // official account's activation (5/5) is small: class and n shown
    expect(page.summaryRows).toContain(`<td class="small">100.0%<br><span class="ci">${ci(5, 5)}</span><span class="ci"> n=5</span></td>`);
    // marked rows as the Figure component writes them
    expect(figureRowsHtml(byId(page.rates, 'activation')).match(/<tr class="small">/g)!.length).toBe(1);
  });
});

describe('retentionFigures', () => {
  const curve = (counts: TimeCount[]) => kaplanMeier(counts, { confLevel: 0.95 });
  const membershipCurves = [
    // 10 members: 2 leave on day 30 (S = 8/10), 4 of the 8 left leave on day 100 (S = 0.4)
    { channel: 'guide', curve: curve([{ time: 30, events: 2, censored: 0 }, { time: 100, events: 4, censored: 4 }]) },
    // 3 members: a small sample, in the table but not drawn
    { channel: 'material', curve: curve([{ time: 10, events: 1, censored: 2 }]) },
    // 12 members: half leave on day 90
    { channel: 'invite', curve: curve([{ time: 90, events: 6, censored: 6 }]) },
    // nobody leaves: the best at day 90, but 'other' is never named in a takeaway
    { channel: 'other', curve: curve([{ time: 200, events: 0, censored: 20 }]) },
  ];
  const week = (key: string, w: number, eligible: number, retained: number): WeekRetention => ({ key, week: w, eligible, retained, rate: rateOf(retained, eligible, 0.95) });
  const activityRetention = [
    week('guide', 0, 10, 5),
    week('guide', 4, 8, 2),
    // material: week 0 is a small sample, so no line for it
    week('material', 0, 3, 3),
    week('invite', 0, 12, 6),
    week('invite', 4, 10, 6),
    week('other', 0, 20, 10),
    week('other', 4, 20, 20),
  ];
  const cohortRetention = [week('2026-02', 0, 40, 30), week('2026-01', 0, 9, 3), week('2026-01', 1, 9, 1)];
  const figures = retentionFigures({ smallSample: 10, hasActivity: true, membershipCurves, activityRetention, cohortRetention }, f);

  it('survival by channel: every channel in the table at days 7/30/90/180, small ones not drawn', () => {
    expect(figures.map((x) => x.id)).toEqual(['km-channels', 'weekly-activity', 'cohorts']);
    const km = figures[0];
    // guide: 1 until day 30, 0.8 to day 100, ends at 100 (no value at 180)
    // material: 2/3 from day 10, ends at 10; invite: 1 until 90, then 0.5, ends at 90
    expect(km.rows).toEqual([
      ['Store guide', '100.0%', '80.0%', '80.0%', '—'],
      ['Printed material', '100.0%', '—', '—', '—'],
      ['Friend invite', '100.0%', '100.0%', '50.0%', '—'],
      ['Other', '100.0%', '100.0%', '100.0%', '100.0%'],
    ]);
    expect(km.legend).toEqual([
      { label: 'Store guide (n=10)', color: channelColor('guide') },
      { label: 'Friend invite (n=12)', color: channelColor('invite') },
      { label: 'Other (n=20)', color: channelColor('other') },
    ]);
    expect(km.note).toContain('Printed material: fewer than 10 members, not drawn (see the table).');
    expect(km.takeaway).toBe('After 90 days, 80.0% of Store guide members are still in the group vs 50.0% for Friend invite.');
  });

  it('weekly activity: a line per channel with a large week 0, week 4 compared without small samples', () => {
    const weekly = figures[1];
    expect(weekly.legend!.map((l) => l.label)).toEqual(['Store guide', 'Friend invite', 'Other']);
    expect(weekly.rows[0]).toEqual(['Store guide', '0', '10', '5', '50.0%', ci(5, 10)]);
    // guide week 4 (8 observed) and material week 0 (3) are small
    expect(weekly.smallRows).toEqual([1, 2]);
    // week 4 without 'other' and without guide (small): invite alone → nothing to compare
    expect(weekly.takeaway).toBe('Not followed long enough to compare yet.');
    const bigger = retentionFigures(
      { smallSample: 8, hasActivity: true, membershipCurves, activityRetention, cohortRetention },
      f,
    )[1];
    // with small samples under 8, guide's week 4 (2 of 8 = 25%) counts: invite 6/10 = 60% leads
    expect(bigger.takeaway).toBe('Still talking in week 4: Friend invite 60.0%, Store guide 25.0%.');
  });

  it('cohorts: one row per month and week, small cells marked', () => {
    const cohorts = figures[2];
    expect(cohorts.rows).toEqual([
      ['2026-02', '0', '40', '30', '75.0%'],
      ['2026-01', '0', '9', '3', '33.3%'],
      ['2026-01', '1', '9', '1', '11.1%'],
    ]);
    expect(cohorts.smallRows).toEqual([1, 2]);
    expect(cohorts.note).toBe('Cells with fewer than 10 members are grey.');
  });

  it('without activity data, only the survival figure', () => {
    const only = retentionFigures({ smallSample: 10, hasActivity: false, membershipCurves, activityRetention: [], cohortRetention: [] }, f);
    expect(only.map((x) => x.id)).toEqual(['km-channels']);
  });
});

describe('benchmarkFigures', () => {
  const names = { types: ['conversion', 'interest', 'mystery'], typeLabels: { conversion: { zh: '产品转化类', en: 'Conversion' }, interest: { zh: '兴趣爱好类', en: 'Interest' } } };
  const benchmarks: BenchmarkRow[] = [
    { groupType: 'conversion', metric: 'size', groups: 3, p25: 2, p50: 3, p75: 4 },
    { groupType: 'interest', metric: 'size', groups: 5, p25: 10, p50: 20, p75: 30 },
    { groupType: 'conversion', metric: 'weekly_active_ratio', groups: 3, p25: 0.1, p50: 0.2, p75: 0.3 },
    // a type without a label shows its key
    { groupType: 'mystery', metric: 'weekly_active_ratio', groups: 1, p25: 0.5, p50: 0.5, p75: 0.5 },
    { groupType: 'interest', metric: 'messages_per_member_week', groups: 5, p25: 0.125, p50: 1.5, p75: 2 },
  ];
  const figures = benchmarkFigures(benchmarks, names, f);

  it('one range figure per benchmark metric; a row per type with its group count', () => {
    expect(figures.map((x) => x.id)).toEqual(['range-size', 'range-weekly_active_ratio', 'range-messages_per_member_week', 'range-activation_rate', 'range-conversion_30d', 'range-retained_d30']);
    expect(figures[0].rows).toEqual([
      ['Conversion (3)', '2', '3', '4'],
      ['Interest (5)', '10', '20', '30'],
    ]);
    expect(figures[0].takeaway).toBe('Interest has the highest median: 20.');
  });

  it('shares as percentages, averages to two places, the type with the highest median named', () => {
    expect(figures[1].rows).toEqual([
      ['Conversion (3)', '10.0%', '20.0%', '30.0%'],
      ['mystery (1)', '50.0%', '50.0%', '50.0%'],
    ]);
    expect(figures[1].takeaway).toBe('mystery has the highest median: 50.0%.');
    expect(figures[2].rows).toEqual([['Interest (5)', '0.13', '1.50', '2.00']]);
  });

  it('a metric no type has: no rows, nothing to compare', () => {
    expect(figures[3].rows).toEqual([]);
    expect(figures[3].takeaway).toBe('Not enough data to compare.');
  });
});
