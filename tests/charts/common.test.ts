import { describe, expect, it } from 'vitest';
import { dodge, fittedAxis, linearAxis, ramp, textColor, textWidth, tickFormatter, tickStep, truncate, wrap } from '../../src/charts/common.ts';
import { luminance } from '../../src/charts/common.ts';
import { i18n } from '../../src/i18n/index.ts';
import { CHANNEL_COLORS, TYPE_COLORS } from '../../src/charts/colors.ts';

describe('chart helpers', () => {
  it('measures Chinese wider than Latin and cuts labels with an ellipsis', () => {
    expect(textWidth('兴趣爱好交流群', 13)).toBe(91);
    expect(textWidth('Interest', 13)).toBeLessThan(textWidth('兴趣爱好交流群', 13));
    const cut = truncate('一个非常非常长的中文群类型名称', 60, 12);
    expect(cut.endsWith('…')).toBe(true);
    expect(textWidth(cut, 12)).toBeLessThanOrEqual(60);
    // the longest start that fits: one more character would not
    const next = '一个非常非常长的中文群类型名称'.slice(0, cut.length);
    expect(textWidth(next + '…', 12)).toBeGreaterThan(60);
    // a 200,000-character label is cut as fast as a short one
    const start = performance.now();
    expect(truncate('x'.repeat(200_000), 60, 12)).toBe(truncate('x'.repeat(50), 60, 12));
    expect(performance.now() - start).toBeLessThan(200);
  });

  it('wraps at word boundaries, Chinese included', () => {
    expect(wrap('售后服务群', 40, 12, 3)).toEqual(['售后', '服务群']);
    expect(wrap('After-sales service', 90, 12, 2)).toEqual(['After-sales', 'service']);
    expect(wrap('Supercalifragilistic', 40, 12, 3)).toBeNull();
  });

  it('picks sparse 1-2-5 ticks and rate axes within 0–100%', () => {
    expect(tickStep(0, 0.8, 5)).toBe(0.2);
    expect(tickStep(0, 16, 5)).toBe(5);
    expect(linearAxis([0.41, 0.97], { count: 5, percent: true }).domain).toEqual([0, 1]);
    expect(linearAxis([0.12, 0.62], { count: 5, percent: true }).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(linearAxis([], { count: 5 }).domain).toEqual([0, 1]);
    expect(linearAxis([3, 3], { count: 5, exact: true, zero: false }).domain).toEqual([2, 4]);
    const thin = fittedAxis([0, 391000], { count: 5 }, 120, 12, (a) => tickFormatter(i18n('zh'), 'money', a.step, a.domain[1]));
    expect(thin.ticks.length).toBeLessThan(5);
    expect(thin.domain).toEqual([0, 400000]);
  });

  it('formats ticks with the digits the step needs', () => {
    const zh = i18n('zh');
    expect(tickFormatter(zh, 'percent', 0.25, 1)(0.75)).toBe('75%');
    expect(tickFormatter(zh, 'percent', 0.005, 0.02)(0.015)).toBe('1.5%');
    expect(tickFormatter(zh, 'money', 50, 200)(150)).toBe('¥150');
    expect(tickFormatter(zh, 'number', 5000, 25000)(15000)).toBe('1.5万');
    expect(tickFormatter(i18n('en'), 'number', 5000, 25000)(15000)).toMatch(/^15K$/i);
  });

  it('pushes end labels apart, or gives up when they would leave their lines', () => {
    expect(dodge([100, 102, 200], 14, 0, 300, 20)).toEqual([94, 108, 200]);
    expect(dodge([100, 100, 100, 100], 14, 0, 300, 10)).toBeNull();
  });

  it('darkens light series colours for text and keeps the ramp light to dark', () => {
    for (const c of [...Object.values(CHANNEL_COLORS), ...Object.values(TYPE_COLORS)]) {
      expect((1.05 / (luminance(textColor(c)) + 0.05))).toBeGreaterThanOrEqual(4.5);
    }
    expect(textColor('#0072B2')).toBe('#0072B2');
    expect(luminance(ramp(0))).toBeGreaterThan(luminance(ramp(0.5)));
    expect(luminance(ramp(0.5))).toBeGreaterThan(luminance(ramp(1)));
    expect(ramp(Number.NaN)).toBe(ramp(0));
  });
});
