import { describe, expect, it } from 'vitest';
import { intervalChart } from '../../src/charts/intervals.ts';
import type { IntervalRow } from '../../src/charts/index.ts';
import { SMALL_SAMPLE_COLOR, TYPE_COLORS } from '../../src/charts/colors.ts';
import { expectChart, expectXTicksApart, expectYLabelsInside, tickLabels } from './helpers.ts';
import { TYPES, channelRates, typeLabel } from './fixtures.ts';

describe('intervalChart', () => {
  it('draws a rate per channel with its interval, the value at the right, small samples grey with n', () => {
    for (const lang of ['zh', 'en'] as const) {
      for (const width of [680, 360]) {
        const rows = channelRates(lang);
        const markup = intervalChart({ lang, width, ariaLabel: 'activation', xLabel: lang === 'zh' ? '7日激活率（%）' : '7-day activation (%)', format: 'percent', rows });
        const svg = expectChart(markup, { ariaLabel: 'activation', texts: [lang === 'zh' ? '7日激活率（%）' : '7-day activation (%)', '62.0%', '50.0% · n=12'], width });
        expect(markup).toContain(`stroke="${SMALL_SAMPLE_COLOR}"`);
        for (const t of tickLabels(svg, 'x')) expect(t).toMatch(/^\d+%$/);
        expect(tickLabels(svg, 'x').length).toBeLessThanOrEqual(width === 360 ? 5 : 7);
        expectXTicksApart(svg);
        // in the given order; cut with an ellipsis only where the phone margin is too narrow
        tickLabels(svg, 'y').forEach((l, i) => (l.endsWith('…') ? expect(rows[i].label.startsWith(l.slice(0, -1))).toBe(true) : expect(l).toBe(rows[i].label)));
        if (width === 680) expect(tickLabels(svg, 'y')).toEqual(rows.map((r) => r.label));
        expectYLabelsInside(svg);
      }
    }
  });

  it('formats money, keeps long Chinese labels inside and keeps the order given', () => {
    const rows: IntervalRow[] = TYPES.map((key, i) => ({ key, label: typeLabel('zh', key), color: TYPE_COLORS[key], value: 20 + i * 20, lower: 10 + i * 20, upper: 30 + i * 20, n: 100, small: false }));
    rows.push({ key: 'long', label: '一个非常非常长的中文群类型名称用于测试截断', color: '#5F5F5F', value: 50, lower: 40, upper: 60, n: 100, small: false });
    for (const width of [680, 360]) {
      const svg = expectChart(intervalChart({ lang: 'zh', width, ariaLabel: '人均消费', xLabel: '人均消费（元）', format: 'money', rows }), { ariaLabel: '人均消费', texts: ['¥20.0', '¥140', '人均消费（元）'] });
      const labels = tickLabels(svg, 'y');
      expect(labels.slice(0, 7)).toEqual(TYPES.map((k) => typeLabel('zh', k)));
      expect(labels[7].endsWith('…')).toBe(true);
      for (const t of tickLabels(svg, 'x')) expect(t).toMatch(/^¥\d+$/);
      expectXTicksApart(svg);
      expectYLabelsInside(svg);
    }
  });

  it('shows "—" for a missing value and draws nothing at 0', () => {
    const markup = intervalChart({ lang: 'en', ariaLabel: 'x', xLabel: 'Rate (%)', format: 'percent', rows: [
      { key: 'a', label: 'No data', color: '#0072B2', value: null, lower: null, upper: null, n: 0, small: true },
      { key: 'b', label: 'Only a value', color: '#E69F00', value: 0.4, lower: null, upper: null, n: 50, small: false },
    ] });
    const svg = expectChart(markup, { ariaLabel: 'x', texts: ['—', '40.0%', 'Rate (%)'] });
    expect(svg.querySelectorAll('g[data-mark="dot"] circle').length).toBe(1);
    expect(svg.querySelector('g[data-mark="rule"]')?.querySelectorAll('line').length ?? 0).toBe(0);
    expect(markup).not.toContain('n=0');
  });

  it('renders all-null and empty rows, non-finite numbers and a given domain', () => {
    expectChart(intervalChart({ lang: 'zh', ariaLabel: '空', xLabel: '比例', format: 'percent', rows: [] }), { ariaLabel: '空', texts: ['—', '比例'] });
    const allNull = intervalChart({ lang: 'zh', ariaLabel: '空', xLabel: '比例', format: 'number', rows: [{ key: 'a', label: '甲', color: '#0072B2', value: Number.NaN, lower: Number.NEGATIVE_INFINITY, upper: null, n: Number.NaN, small: true }] });
    expectChart(allNull, { ariaLabel: '空', texts: ['—'] });
    const svg = expectChart(intervalChart({ lang: 'en', ariaLabel: 'd', xLabel: 'Rate', format: 'percent', domain: [0, 1], rows: channelRates('en') }), { ariaLabel: 'd' });
    expect(tickLabels(svg, 'x').at(-1)).toBe('100%');
  });

  it('keeps two rows with the same key apart', () => {
    const r = channelRates('en')[0];
    const svg = expectChart(intervalChart({ lang: 'en', ariaLabel: 'dup', xLabel: 'x', format: 'percent', rows: [r, { ...r, label: 'Again' }] }), { ariaLabel: 'dup' });
    expect(tickLabels(svg, 'y')).toEqual([r.label, 'Again']);
  });
});
