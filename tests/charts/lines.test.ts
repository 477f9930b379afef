import { describe, expect, it } from 'vitest';
import { linesChart } from '../../src/charts/lines.ts';
import { expectChart, expectYLabelsInside, expectXTicksApart, tickLabels } from './helpers.ts';
import { weeklySeries } from './fixtures.ts';

describe('linesChart', () => {
  it('draws weekly retention by channel with bands, gaps at missing weeks and direct labels', () => {
    for (const lang of ['zh', 'en'] as const) {
      for (const width of [680, 360]) {
        const series = weeklySeries(lang);
        const markup = linesChart({ lang, width, ariaLabel: 'weekly', xLabel: lang === 'zh' ? '入群后周数' : 'Weeks since joining', yLabel: lang === 'zh' ? '周活跃留存（%）' : 'Weekly active (%)', format: 'percent', series });
        const svg = expectChart(markup, { ariaLabel: 'weekly', texts: [lang === 'zh' ? '入群后周数' : 'Weeks since joining', lang === 'zh' ? '周活跃留存（%）' : 'Weekly active (%)'], width });
        const lines = [...svg.querySelectorAll('g[data-mark="line"] path')];
        expect(lines.length).toBe(5);
        // official account misses week 7: its line has two pieces
        expect(lines[2].getAttribute('d')!.match(/M/g)!.length).toBe(2);
        expect(svg.querySelectorAll('g[data-mark="area"]').length).toBe(5);
        // the all-small series is dashed with hollow points
        expect(svg.querySelector('g[stroke-dasharray="5,4"]')).not.toBeNull();
        for (const t of tickLabels(svg, 'y')) expect(t).toMatch(/^\d+%$/);
        for (const t of tickLabels(svg, 'x')) expect(Number.isInteger(Number(t))).toBe(true);
        expectYLabelsInside(svg);
        expectXTicksApart(svg);
      }
    }
    const zh = linesChart({ lang: 'zh', ariaLabel: 'w', xLabel: 'x', yLabel: 'y', format: 'percent', series: weeklySeries('zh') });
    expect(zh).toContain('>导购<');
  });

  it('uses rules for intervals when series have few points, and number format', () => {
    const series = weeklySeries('en').slice(0, 2).map((s) => ({ ...s, points: s.points.slice(0, 4).map((p) => ({ ...p, y: (p.y ?? 0) * 20, lower: (p.lower ?? 0) * 18, upper: (p.upper ?? 0) * 22 })) }));
    const svg = expectChart(linesChart({ lang: 'en', ariaLabel: 'few', xLabel: 'Month', yLabel: 'Messages per member', format: 'number', series }), { ariaLabel: 'few', texts: ['Month', 'Messages per member'] });
    expect(svg.querySelector('g[data-mark="area"]')).toBeNull();
    expect(svg.querySelectorAll('g[data-mark="rule"]').length).toBeGreaterThanOrEqual(2);
  });

  it('handles empty series, a single point, all-null values and missing intervals', () => {
    expectChart(linesChart({ lang: 'zh', ariaLabel: 'e', xLabel: '周', yLabel: '留存', format: 'percent', series: [] }), { ariaLabel: 'e', texts: ['—'] });
    expectChart(linesChart({ lang: 'en', ariaLabel: 'one', xLabel: 'x', yLabel: 'y', format: 'percent', series: [{ key: 'a', label: 'A', color: '#0072B2', points: [{ x: 3, y: 0.4 }] }] }), { ariaLabel: 'one', texts: ['A', '3'] });
    const allNull = linesChart({ lang: 'en', ariaLabel: 'n', xLabel: 'x', yLabel: 'y', format: 'number', series: [{ key: 'a', label: 'A', color: '#0072B2', points: [{ x: 1, y: null, lower: null, upper: null }, { x: 2, y: Number.NaN }] }] });
    const svg = expectChart(allNull, { ariaLabel: 'n', texts: ['—'] });
    expect(svg.querySelector('g[data-mark="line"]')).toBeNull();
  });
});
