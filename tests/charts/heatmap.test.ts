import { describe, expect, it } from 'vitest';
import { heatmapChart } from '../../src/charts/heatmap.ts';
import { expectChart, expectYLabelsInside, expectXTicksApart, tickLabels } from './helpers.ts';
import { CHANNELS, TYPES, channelLabel, cohortGrid, typeLabel } from './fixtures.ts';

const cohort = (lang: 'zh' | 'en', extra: Partial<Parameters<typeof heatmapChart>[0]> = {}) =>
  heatmapChart({ lang, ariaLabel: 'cohorts', xLabel: lang === 'zh' ? '入群后周数' : 'Weeks since joining', yLabel: lang === 'zh' ? '入群月份' : 'Join month', format: 'percent', ...cohortGrid(lang), smallSample: 30, ...extra });

describe('heatmapChart', () => {
  it('draws a 12 × 13 cohort grid: blank nulls, hatched small cohorts, no values by default (156 cells)', () => {
    for (const lang of ['zh', 'en'] as const) {
      for (const width of [680, 360]) {
        const markup = cohort(lang, { width });
        const svg = expectChart(markup, { ariaLabel: 'cohorts', texts: [lang === 'zh' ? '入群后周数' : 'Weeks since joining', lang === 'zh' ? '入群月份' : 'Join month', '0%', '100%'], width });
        const { cells } = cohortGrid(lang);
        const rowsOf = (n: (c: (typeof cells)[number]) => boolean) => cells.filter(n).length;
        const coloured = rowsOf((c) => c.value !== null && c.n >= 30);
        const hatched = rowsOf((c) => c.value !== null && c.n < 30);
        expect(svg.querySelectorAll('g[data-mark="cell"]')[0].querySelectorAll('rect').length).toBe(coloured);
        const id = svg.querySelector('pattern')!.getAttribute('id');
        expect(svg.querySelector(`g[fill="url(#${id})"]`)!.querySelectorAll('rect').length).toBe(hatched);
        expect(svg.querySelectorAll('pattern').length).toBe(1);
        expect(svg.querySelector('g[data-mark="text"]')).toBeNull(); // no values: too many cells
        expect(tickLabels(svg, 'y')).toEqual(cohortGrid(lang).rows);
        expectYLabelsInside(svg);
        expectXTicksApart(svg);
      }
    }
  });

  it('prints values when asked, in readable colours, never in small or empty cells', () => {
    const markup = cohort('zh', { width: 680, showValues: true });
    const svg = expectChart(markup, { ariaLabel: 'cohorts' });
    const texts = [...svg.querySelector('g[data-mark="text"]')!.querySelectorAll('text')];
    const { cells } = cohortGrid('zh');
    expect(texts.length).toBe(cells.filter((c) => c.value !== null && c.n >= 30).length);
    expect(texts.some((t) => t.getAttribute('fill') === '#FFFFFF')).toBe(true); // white on dark
    expect(texts.some((t) => t.getAttribute('fill') === '#1A1A1A')).toBe(true);
    expect(texts.map((t) => t.textContent)).toContain('100%');
  });

  it('shows values by default on a small channel × type grid and wraps or turns long Chinese column names', () => {
    for (const width of [680, 360]) {
      const rows = CHANNELS.map((k) => channelLabel('zh', k));
      const columns = TYPES.map((k) => typeLabel('zh', k));
      const cells = rows.flatMap((row, i) => columns.map((column, j) => ({ row, column, value: (i + j) / 12, n: 100 })));
      const svg = expectChart(heatmapChart({ lang: 'zh', width, ariaLabel: '渠道×类型', xLabel: '群类型', yLabel: '渠道', format: 'percent', rows, columns, cells }), { ariaLabel: '渠道×类型', texts: ['群类型', '渠道'] });
      expect(svg.querySelector('g[data-mark="text"]')!.querySelectorAll('text').length).toBe(35);
      // every category keeps its label (wrapped lines or turned), none is dropped
      expect(tickLabels(svg, 'x').length).toBe(7);
    }
  });

  it('handles all-null cells, empty rows and columns, unknown cells and numbers', () => {
    const allNull = heatmapChart({ lang: 'en', ariaLabel: 'n', xLabel: 'x', yLabel: 'y', format: 'number', rows: ['a', 'b'], columns: ['1', '2'], cells: [{ row: 'a', column: '1', value: null, n: 0 }, { row: 'b', column: '2', value: Number.NaN, n: 4 }] });
    const svg = expectChart(allNull, { ariaLabel: 'n', texts: ['—'] });
    expect(svg.querySelector('g[data-mark="cell"]')?.querySelectorAll('rect').length ?? 0).toBe(0);
    expectChart(heatmapChart({ lang: 'zh', ariaLabel: 'e', xLabel: 'x', yLabel: 'y', format: 'percent', rows: [], columns: [], cells: [] }), { ariaLabel: 'e', texts: ['—'] });
    const numbers = heatmapChart({ lang: 'zh', ariaLabel: 'm', xLabel: '类型', yLabel: '渠道', format: 'number', rows: ['甲'], columns: ['一', '二'], cells: [{ row: '甲', column: '一', value: 12345, n: 5 }, { row: '甲', column: '二', value: 3, n: 5 }, { row: '乙', column: '一', value: 9, n: 5 }] });
    expectChart(numbers, { ariaLabel: 'm', texts: ['1.2万', '3'] });
  });

  it('gives each drawing its own hatch id, stable from build to build', () => {
    const a = cohort('zh', { width: 680 });
    const b = cohort('zh', { width: 360 });
    const id = (m: string) => /<pattern [^>]*\bid="([^"]+)"/.exec(m)![1];
    expect(id(a)).not.toBe(id(b));
    expect(cohort('zh', { width: 680 })).toBe(a);
  });
});
