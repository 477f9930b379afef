import { describe, expect, it } from 'vitest';
import { barsChart } from '../../src/charts/bars.ts';
import { TYPE_COLORS } from '../../src/charts/colors.ts';
import { expectChart, expectYLabelsInside, expectXTicksApart, tickLabels } from './helpers.ts';
import { TYPES, channelRates, statusBars, typeLabel } from './fixtures.ts';

describe('barsChart', () => {
  it('draws joins by channel with value labels in both languages and widths', () => {
    for (const lang of ['zh', 'en'] as const) {
      for (const width of [680, 360]) {
        const rows = channelRates(lang).map((r) => ({ key: r.key, label: r.label, color: r.color, value: r.n * 13 }));
        const svg = expectChart(barsChart({ lang, width, ariaLabel: 'joins', xLabel: lang === 'zh' ? '入群人数' : 'Joins', format: 'number', rows }), { ariaLabel: 'joins', texts: [lang === 'zh' ? '入群人数' : 'Joins', '23,790', '156'], width });
        expect(svg.querySelector('g[data-mark="bar"]')!.querySelectorAll('rect').length).toBe(5);
        expect(tickLabels(svg, 'x').some((t) => (lang === 'zh' ? t.endsWith('万') : /K$/i.test(t)))).toBe(true);
        expectYLabelsInside(svg);
        expectXTicksApart(svg);
      }
    }
  });

  it('formats money and percent, shows "—" for missing values without a bar', () => {
    const rows = TYPES.map((key, i) => ({ key, label: typeLabel('zh', key), color: TYPE_COLORS[key], value: i === 3 ? null : [182000, 45000, 391000, 0, 88000, 12000, 95][i] }));
    const svg = expectChart(barsChart({ lang: 'zh', ariaLabel: 'gmv', xLabel: 'GMV（元）', format: 'money', rows }), { ariaLabel: 'gmv', texts: ['¥391,000', '¥95.0', '—'] });
    expect(svg.querySelector('g[data-mark="bar"]')!.querySelectorAll('rect').length).toBe(6);
    for (const t of tickLabels(svg, 'x')) expect(t.startsWith('¥')).toBe(true);
    const pct = barsChart({ lang: 'en', ariaLabel: 'share', xLabel: 'Share (%)', format: 'percent', rows: statusBars('en').map((r) => ({ ...r, value: r.value / 160 })) });
    expectChart(pct, { ariaLabel: 'share', texts: ['73.8%'] });
  });

  it('cuts a 2,000-character label with an ellipsis and gives the whole label as its tooltip', () => {
    const long = 'Långnämn'.repeat(250);
    for (const width of [680, 360]) {
      const svg = expectChart(barsChart({ lang: 'en', width, ariaLabel: 'joins', xLabel: 'Joins', format: 'number', rows: [{ key: 'a', label: long, color: '#0072B2', value: 12 }, { key: 'b', label: 'Store guide', color: '#E69F00', value: 7 }] }), { ariaLabel: 'joins', width });
      const cut = [...svg.querySelectorAll('text')].find((t) => t.textContent!.endsWith('…'))!;
      expect(long.startsWith(cut.textContent!.slice(0, -1))).toBe(true);
      expectYLabelsInside(svg);
      // the tooltip: a <title> beside the text in its own group, so the text stays what is printed
      expect(cut.parentElement!.tagName.toLowerCase()).toBe('g');
      expect(cut.parentElement!.querySelector('title')!.textContent).toBe(long);
      // labels that fit are printed as they are, without a tooltip
      const guide = [...svg.querySelectorAll('text')].find((t) => t.textContent === 'Store guide')!;
      expect(guide.parentElement!.querySelector(':scope > title')).toBeNull();
    }
  });

  it('handles empty rows, all-null values, negative values and escapes labels', () => {
    expectChart(barsChart({ lang: 'zh', ariaLabel: 'e', xLabel: '人数', format: 'number', rows: [] }), { ariaLabel: 'e', texts: ['—', '人数'] });
    expectChart(barsChart({ lang: 'en', ariaLabel: 'n', xLabel: 'x', format: 'number', rows: [{ key: 'a', label: 'A', color: '#0072B2', value: null }] }), { ariaLabel: 'n', texts: ['—'] });
    expectChart(barsChart({ lang: 'en', ariaLabel: 'neg', xLabel: 'Change', format: 'number', rows: [{ key: 'a', label: 'Up', color: '#009E73', value: 12 }, { key: 'b', label: 'Down', color: '#D55E00', value: -8 }] }), { ariaLabel: 'neg', texts: ['-8', '12'] });
    const markup = barsChart({ lang: 'en', ariaLabel: 'R&D <groups> "x"', xLabel: 'a & b', format: 'number', rows: [{ key: 'a', label: '<b>&', color: '#0072B2', value: 1 }] });
    expectChart(markup, { ariaLabel: 'R&D <groups> "x"', texts: ['<b>&', 'a & b'] });
    expect(markup).toContain('aria-label="R&amp;D &lt;groups&gt; &quot;x&quot;"');
    expect(markup).not.toContain('<b>');
  });
});
