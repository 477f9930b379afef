import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/core/escape.ts';
import { halfPixel, rhythmGrid, stepChart, stepPath, tenthPixel, weeklyChart } from '../../src/charts/svg.ts';
import { i18n } from '../../src/i18n/index.ts';

describe('coordinates', () => {
  // the integer-based writers must give exactly the text of the plain formulas they replace
  const tenthText = (v: number) => (Math.round(v * 10) / 10).toString();
  const halfText = (v: number) => (Math.round(v * 2) / 2).toString();
  const edges = [0, -0, 0.04, -0.04, 0.05, -0.05, -0.5, 0.5, 0.25, -0.25, -0.75, 1.25, -1.25, 9.95, -9.95, 123.45, -123.45, 1e-9, 999.96, 520, -14];
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.3) * 2000;
  const values = [...edges, ...Array.from({ length: 20000 }, random)];
  it('writes 0.1 px as (Math.round(v * 10) / 10).toString() does', () => {
    for (const v of values) expect(tenthPixel(v), String(v)).toBe(tenthText(v));
  });
  it('writes half pixels as (Math.round(v * 2) / 2).toString() does', () => {
    for (const v of values) expect(halfPixel(v), String(v)).toBe(halfText(v));
  });
});

describe('stepPath', () => {
  it('writes horizontal and vertical moves, x rounded to half pixels and y to 0.1 px', () => {
    expect(stepPath([[0, 10], [5.24, NaN], [NaN, 20.04], [9.3, NaN]])).toBe('M0,10H5V20H9.5');
  });
  it('merges steps that land on the same pixel into one vertical move', () => {
    // three drops at x≈5 become one move to the last level
    expect(stepPath([[0, 10], [5, NaN], [NaN, 12], [5.1, NaN], [NaN, 14], [5.2, NaN], [NaN, 18], [9, NaN]])).toBe('M0,10H5V18H9');
  });
  it('skips vertical moves that do not change the level', () => {
    expect(stepPath([[0, 10], [3, NaN], [NaN, 10], [6, NaN]])).toBe('M0,10H3H6');
  });
});

describe('stepChart', () => {
  const f = i18n('en');
  const points = Array.from({ length: 2000 }, (_, i) => ({ time: i / 10, survival: 1 - i / 4000, lower: 1 - i / 3000, upper: 1 - i / 6000 }));
  const svg = stepChart({ f, width: 520, ariaLabel: 'a <b>', xLabel: 'days', yLabel: 'share', xMax: 180, markers: [30], series: [{ label: 's', color: '#123456', points, band: true }] });
  it('is labelled for screen readers, with the label escaped', () => {
    expect(svg).toContain('aria-label="a &lt;b&gt;"');
    expect(svg).toContain('<title>a &lt;b&gt;</title>');
  });
  it('draws a band and a line, at most one step per half pixel', () => {
    const [band, line] = [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]);
    // 1,800 points fall into 462 px of plot width: 925 half pixels
    expect(line.split('H').length - 1).toBeLessThanOrEqual(926);
    expect(band.split('H').length - 1).toBeLessThanOrEqual(2 * 926);
    expect(band.endsWith('Z')).toBe(true);
  });
});

describe('rhythmGrid', () => {
  it('draws one path per colour step, every cell with messages in a step above zero', () => {
    const cells = [
      { weekday: 1, hour: 9, messages: 100 },
      { weekday: 1, hour: 10, messages: 1 },
      { weekday: 7, hour: 23, messages: 50 },
    ];
    const svg = rhythmGrid({ width: 520, ariaLabel: 'rhythm', weekdayLabels: ['M', 'T', 'W', 'T', 'F', 'S', 'S'], hourLabel: 'hour', cells });
    const fills = [...svg.matchAll(/<path d="([^"]*)" fill="(#[0-9a-f]{6})"/g)];
    const count = (d: string) => d.split('z').length - 1;
    expect(fills.reduce((s, m) => s + count(m[1]), 0)).toBe(168);
    // the busiest cell alone has the darkest colour
    expect(fills.at(-1)![2]).toBe('#08306b');
    expect(count(fills.at(-1)![1])).toBe(1);
    // empty hours share the lightest colour
    expect(fills[0][2]).toBe('#eff3ff');
    expect(count(fills[0][1])).toBe(165);
  });
  it('escapes text', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('weeklyChart', () => {
  it('draws shares on a 0–100 % axis when asked', () => {
    const points = [{ week: '2026-03-01', value: 0.4 }, { week: '2026-03-02', value: 0.55 }, { week: '2026-03-09', value: 0.3 }];
    const svg = weeklyChart({ f: i18n('en'), width: 520, ariaLabel: 'rate', yLabel: 'rate', xLabel: 'day', color: '#123456', points, percent: true });
    for (const label of ['0%', '25%', '50%', '75%', '100%']) expect(svg).toContain(`>${label}</text>`);
    const counts = weeklyChart({ f: i18n('en'), width: 520, ariaLabel: 'n', yLabel: 'n', xLabel: 'week', color: '#123456', points: points.map((p) => ({ ...p, value: p.value * 100 })) });
    expect(counts).not.toContain('%</text>');
  });
  it('labels months, or years over more than 14 months, in the reader\'s language', () => {
    const points = [{ week: '2024-02-05', value: 3 }, { week: '2026-09-28', value: 5 }];
    const years = weeklyChart({ f: i18n('zh'), width: 520, ariaLabel: 'n', yLabel: 'n', xLabel: '周', color: '#123456', points, zeroGaps: 7 });
    for (const y of ['2025年', '2026年']) expect(years).toContain(`>${y}</text>`);
    expect(years).not.toContain('月</text>');
    const months = weeklyChart({ f: i18n('en'), width: 520, ariaLabel: 'n', yLabel: 'n', xLabel: 'week', color: '#123456', points: points.slice(1), from: '2026-06-01', to: '2026-10-31', zeroGaps: 7 });
    for (const m of ['Jul', 'Aug', 'Sep', 'Oct']) expect(months).toContain(`>${m}</text>`);
  });
  it('draws a lone point as a dot', () => {
    const svg = weeklyChart({ f: i18n('en'), width: 360, ariaLabel: 'n', yLabel: 'n', xLabel: 'week', color: '#123456', points: [{ week: '2026-03-02', value: 27 }] });
    expect(svg).toContain('<circle');
  });
});
