import { describe, expect, it } from 'vitest';
import { survivalChart } from '../../src/charts/survival.ts';
import type { SurvivalSeries } from '../../src/charts/index.ts';
import { expectChart, expectXTicksApart, expectYLabelsInside, tickLabels } from './helpers.ts';
import { survivalSeries } from './fixtures.ts';

const base = (lang: 'zh' | 'en', series: SurvivalSeries[], extra: Partial<Parameters<typeof survivalChart>[0]> = {}) =>
  survivalChart({ lang, ariaLabel: lang === 'zh' ? '各渠道成员留存' : 'Member retention', xLabel: lang === 'zh' ? '入群后天数' : 'Days since joining', yLabel: lang === 'zh' ? '仍在群内（%）' : 'Still in group (%)', series, ...extra });

describe('survivalChart', () => {
  it('draws five channels over 0–200 days with bands, markers and direct labels, in both languages and widths', () => {
    for (const lang of ['zh', 'en'] as const) {
      for (const width of [680, 360]) {
        const markup = base(lang, survivalSeries(lang), { width, xMax: 180, markers: [7, 30, 90] });
        const svg = expectChart(markup, {
          ariaLabel: lang === 'zh' ? '各渠道成员留存' : 'Member retention',
          texts: [lang === 'zh' ? '入群后天数' : 'Days since joining', lang === 'zh' ? '仍在群内（%）' : 'Still in group (%)', 'd7', 'd30', 'd90'],
          width,
        });
        expect(tickLabels(svg, 'y')).toEqual(['0%', '25%', '50%', '75%', '100%']);
        const x = tickLabels(svg, 'x');
        expect(x.at(-1)).toBe('180'); // clipped at xMax
        expect(x.length).toBeLessThanOrEqual(width === 360 ? 5 : 8);
        expect(svg.querySelectorAll('g[data-mark="line"]').length).toBe(5);
        expect(svg.querySelectorAll('g[data-mark="area"]').length).toBe(5);
        expect(markup).toContain('fill-opacity="0.14"');
        expectYLabelsInside(svg);
        expectXTicksApart(svg);
      }
    }
    // short Chinese names fit as direct labels even on a phone
    const zh = base('zh', survivalSeries('zh'), { width: 360, xMax: 180 });
    expect(zh).toContain('>导购<');
  });

  it('starts every curve at (0, 100%) and steps after each point', () => {
    const markup = base('en', [{ key: 'a', label: 'A', color: '#0072B2', n: 3, points: [{ time: 5, survival: 0.5, lower: 0.2, upper: 0.8 }] }], { width: 400, height: 200 });
    const svg = expectChart(markup, { ariaLabel: 'Member retention' });
    const d = svg.querySelector('g[data-mark="line"] path')!.getAttribute('d')!;
    // step-after: level at the top from x = 0 to the event, then down (no diagonal)
    const [start, flat, down] = [...d.matchAll(/[ML]([\d.]+),([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(flat[1]).toBe(start[1]);
    expect(down[0]).toBe(flat[0]);
    expect(down[1]).toBeGreaterThan(flat[1]);
  });

  it('handles an empty series list, empty curves, a single point, a curve to 0 and a band of nulls', () => {
    expectChart(base('zh', []), { ariaLabel: '各渠道成员留存', texts: ['—'] });
    expectChart(base('en', [{ key: 'e', label: 'Empty', color: '#CC79A7', n: 0, points: [] }]), { ariaLabel: 'Member retention', texts: ['—'] });
    const markup = base('zh', [
      { key: 'zero', label: '降到零', color: '#0072B2', n: 4, points: [{ time: 2, survival: 0.75, lower: 0.3, upper: 0.95 }, { time: 9, survival: 0, lower: null, upper: null }] },
      { key: 'nulls', label: '无区间', color: '#E69F00', n: 9, points: [{ time: 3, survival: 0.9, lower: null, upper: null }, { time: 8, survival: 0.6, lower: null, upper: null }] },
      { key: 'one', label: '单点', color: '#009E73', n: 1, points: [{ time: 4, survival: 1, lower: null, upper: null }] },
    ]);
    const svg = expectChart(markup, { ariaLabel: '各渠道成员留存' });
    // only the first curve has a band; null intervals are gaps, not zeros
    expect(svg.querySelectorAll('g[data-mark="area"]').length).toBe(1);
    expect(svg.querySelectorAll('g[data-mark="line"]').length).toBe(3);
  });

  it('skips non-finite values instead of drawing them', () => {
    const markup = base('en', [{ key: 'a', label: 'A', color: '#0072B2', n: 3, points: [{ time: Number.NaN, survival: 0.5, lower: null, upper: null }, { time: 3, survival: Number.POSITIVE_INFINITY, lower: null, upper: null }, { time: 4, survival: 0.5, lower: Number.NaN, upper: 0.7 }] }], { markers: [Number.NaN, 2] });
    expectChart(markup, { ariaLabel: 'Member retention', texts: ['d2'] });
  });

  it('drops direct labels that would collide and keeps the curves', () => {
    const same = (key: string, label: string, color: string): SurvivalSeries => ({ key, label, color, n: 50, points: [{ time: 10, survival: 0.5, lower: 0.4, upper: 0.6 }, { time: 30, survival: 0.4, lower: 0.3, upper: 0.5 }] });
    // three ends at one point: stacked just around it
    const three = expectChart(base('en', [same('a', 'Alpha', '#0072B2'), same('b', 'Beta', '#E69F00'), same('c', 'Gamma', '#009E73')]), { ariaLabel: 'Member retention' });
    expect(three.querySelector('g[data-mark="text"]')!.textContent).toBe('AlphaBetaGamma');
    // five: the outer labels would sit too far from the lines, so none is drawn
    const names = ['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon'];
    const svg = expectChart(base('en', names.map((n, i) => same(n, n, ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#8C8C8C'][i]))), { ariaLabel: 'Member retention' });
    expect(svg.querySelector('g[data-mark="text"]')).toBeNull();
    expect(svg.querySelectorAll('g[data-mark="line"]').length).toBe(5);
  });

  it('is deterministic', () => {
    const a = base('zh', survivalSeries('zh'), { xMax: 180, markers: [7, 30] });
    expect(base('zh', survivalSeries('zh'), { xMax: 180, markers: [7, 30] })).toBe(a);
  });
});
