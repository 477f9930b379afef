import { describe, expect, it } from 'vitest';
import { rangeChart } from '../../src/charts/ranges.ts';
import { expectChart, expectYLabelsInside, expectXTicksApart, tickLabels } from './helpers.ts';
import { benchmarkRows } from './fixtures.ts';

describe('rangeChart', () => {
  it('draws p25–p75 bars, median ticks and labelled markers for seven group types', () => {
    for (const lang of ['zh', 'en'] as const) {
      for (const width of [680, 360]) {
        const rows = benchmarkRows(lang);
        const svg = expectChart(rangeChart({ lang, width, ariaLabel: 'bench', xLabel: lang === 'zh' ? '周活跃占比（%）' : 'Weekly active share (%)', format: 'percent', rows }), {
          ariaLabel: 'bench',
          texts: [lang === 'zh' ? '周活跃占比（%）' : 'Weekly active share (%)', lang === 'zh' ? '本群' : 'This group'],
          width,
        });
        expect(svg.querySelector('g[data-mark="bar"]')!.querySelectorAll('rect').length).toBe(7);
        expect(svg.querySelector('g[data-mark="tick"]')!.querySelectorAll('line').length).toBe(7);
        expect(svg.querySelector('g[data-mark="dot"]')!.querySelectorAll('path').length).toBe(2);
        for (const t of tickLabels(svg, 'x')) expect(t).toMatch(/^\d+%$/);
        expectYLabelsInside(svg);
        expectXTicksApart(svg);
      }
    }
  });

  it('renders numbers, a given domain, empty input and non-finite values', () => {
    const rows = [{ key: 'a', label: '福利群', color: '#E69F00', p25: 3, p50: 5.5, p75: 9, marker: 12.25, markerLabel: '本群' }];
    expectChart(rangeChart({ lang: 'zh', ariaLabel: 'n', xLabel: '人均周发言', format: 'number', rows, domain: [0, 20] }), { ariaLabel: 'n', texts: ['5.5', '20', '本群'] });
    expectChart(rangeChart({ lang: 'en', ariaLabel: 'e', xLabel: 'x', format: 'percent', rows: [] }), { ariaLabel: 'e', texts: ['—'] });
    expectChart(rangeChart({ lang: 'en', ariaLabel: 'nan', xLabel: 'x', format: 'percent', rows: [{ key: 'a', label: 'A', color: '#000000', p25: Number.NaN, p50: Number.NaN, p75: 0.5, marker: null }] }), { ariaLabel: 'nan', texts: ['—'] });
  });
});
