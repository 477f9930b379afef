/**
 * The small-sample grey of a Kaplan–Meier day-30 figure judges by the members still followed
 * (at risk) at day 30, not by joins: a channel of many recent joiners has few members behind
 * its S(30) (issue #16, "one name per definition").
 */
import { describe, expect, it } from 'vitest';
import { i18n } from '../../src/i18n/index.ts';
import type { ChannelSummary } from '../../src/metrics/summaries.ts';
import { CHANNEL_METRICS, channelPage } from '../../src/ui/channel-figures.ts';

const rate = { rate: null, lower: null, upper: null, n: 0, x: 0 };
function channel(key: string, joins: number, atRisk30: number, s30: number): ChannelSummary {
  const point = (atRisk: number) => ({ value: s30, lower: s30 - 0.1, upper: s30 + 0.1, atRisk });
  return {
    channel: key,
    joins,
    activation: rate,
    retention: { d7: point(joins), d30: point(atRisk30), d90: point(0) },
    conversion30d: rate,
    repurchase: rate,
    gmv90: { mean: null, lower: null, upper: null, n: 0, total: 0 },
  };
}

describe('channel figures: the day-30 retention (KM) grey', () => {
  // guide: 200 joins but only 12 followed to day 30; official account: 40 joins, 35 at risk
  const view = { smallSample: 30, hasActivity: false, hasOrders: false, channels: [channel('guide', 200, 12, 0.9), channel('official_account', 40, 35, 0.6)] };
  const page = channelPage(view, i18n('en'));
  const figure = page.rates.find((m) => m.id === 'retention-d30')!;

  it('greys a channel with many joins but few members at risk at day 30, not one with few joins and enough at risk', () => {
    expect(figure.rows.map((r) => r[0])).toEqual(['Store guide', 'Official account']);
    expect(figure.smallRows).toEqual([0]);
    // the n beside S(30) is the number at risk
    expect(figure.rows.map((r) => r.at(-1))).toEqual(['12', '35']);
  });

  it('so the small channel makes no takeaway: the one with enough at risk is the only one left', () => {
    expect(figure.takeaway).toBe(i18n('en').t('channels.takeaway.none'));
  });

  it('the summary table greys the d30 cell by at-risk (n shown), not the d7 cell of the same channel', () => {
    const guideRow = page.summaryRows.split('</tr>')[0];
    const cells = guideRow.match(/<td[^>]*>/g)!;
    // joins, d7, d30, d90 (no activity, no orders)
    expect(cells[1]).toBe('<td>');
    expect(cells[2]).toBe('<td class="small">');
    expect(guideRow).toContain('n=12');
  });

  it('links the data file that holds S(30): channel_summary.csv (retention_d30, at_risk_d30)', () => {
    expect(CHANNEL_METRICS.find((m) => m.id === 'retention-d30')!.csv).toBe('channel_summary.csv');
  });
});
