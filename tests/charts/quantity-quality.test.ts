import { describe, expect, it } from 'vitest';
import { quantityQualityChart } from '../../src/charts/quantity-quality.ts';
import type { QuantityQualityPoint } from '../../src/charts/index.ts';
import { SMALL_SAMPLE_COLOR } from '../../src/charts/colors.ts';
import { expectChart, expectXTicksApart, expectYLabelsInside, tickLabels } from './helpers.ts';
import { channelRates } from './fixtures.ts';

const points = (lang: 'zh' | 'en') => channelRates(lang).map((r) => ({ key: r.key, label: r.label, color: r.color, x: r.n, y: r.value, lower: r.lower, upper: r.upper, small: r.small }));

describe('quantityQualityChart', () => {
  it('draws one labelled dot per channel with its interval', () => {
    for (const lang of ['zh', 'en'] as const) {
      for (const width of [680, 360]) {
        const ps = points(lang);
        const svg = expectChart(quantityQualityChart({ lang, width, ariaLabel: 'qq', xLabel: lang === 'zh' ? '入群人数' : 'Joins', yLabel: lang === 'zh' ? '30日留存（%）' : '30-day retention (%)', points: ps }), {
          ariaLabel: 'qq',
          texts: [lang === 'zh' ? '入群人数' : 'Joins', lang === 'zh' ? '30日留存（%）' : '30-day retention (%)', ...ps.map((p) => p.label)],
          width,
        });
        expect(svg.querySelectorAll('g[data-mark="dot"] circle').length).toBe(5);
        expect(svg.querySelector('g[data-mark="rule"]')!.querySelectorAll('line').length).toBe(5);
        expect(svg.querySelector(`circle[stroke="${SMALL_SAMPLE_COLOR}"]`)).not.toBeNull();
        for (const t of tickLabels(svg, 'y')) expect(t).toMatch(/^\d+%$/);
        expect(tickLabels(svg, 'x')).toContain('1,000');
        expectYLabelsInside(svg);
        expectXTicksApart(svg);
      }
    }
  });

  it('skips a point without a rate and renders empty input', () => {
    const ps: QuantityQualityPoint[] = points('zh');
    ps[1] = { ...ps[1], y: null, lower: null, upper: null };
    const markup = quantityQualityChart({ lang: 'zh', ariaLabel: 'qq', xLabel: '入群人数', yLabel: '留存', points: ps });
    const svg = expectChart(markup, { ariaLabel: 'qq' });
    expect(svg.querySelectorAll('g[data-mark="dot"] circle').length).toBe(4);
    expect(svg.querySelector('g[data-mark="text"]')?.textContent).not.toContain(ps[1].label);
    expectChart(quantityQualityChart({ lang: 'en', ariaLabel: 'e', xLabel: 'x', yLabel: 'y', points: [] }), { ariaLabel: 'e', texts: ['—'] });
    expectChart(quantityQualityChart({ lang: 'en', ariaLabel: 'one', xLabel: 'x', yLabel: 'y', points: [{ key: 'a', label: 'A', color: '#0072B2', x: 0, y: 0, lower: null, upper: null, small: false }] }), { ariaLabel: 'one', texts: ['A'] });
  });

  it('prints large counts compactly in the locale', () => {
    const ps = points('zh').map((p) => ({ ...p, x: p.x * 40 }));
    const zh = expectChart(quantityQualityChart({ lang: 'zh', ariaLabel: 'qq', xLabel: '入群人数', yLabel: '留存', points: ps }), { ariaLabel: 'qq' });
    expect(tickLabels(zh, 'x').some((t) => t.endsWith('万'))).toBe(true);
    const en = expectChart(quantityQualityChart({ lang: 'en', ariaLabel: 'qq', xLabel: 'Joins', yLabel: 'Retention', points: ps }), { ariaLabel: 'qq' });
    expect(tickLabels(en, 'x').some((t) => /K$/i.test(t))).toBe(true);
  });
});
