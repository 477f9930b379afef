import { describe, expect, it } from 'vitest';
import { dailyChart } from '../../src/charts/daily.ts';
import { expectChart, expectYLabelsInside, expectXTicksApart, tickLabels } from './helpers.ts';
import { dailyPoints } from './fixtures.ts';

const chart = (lang: 'zh' | 'en', extra: Partial<Parameters<typeof dailyChart>[0]> = {}) =>
  dailyChart({ lang, ariaLabel: 'daily', xLabel: lang === 'zh' ? '日期' : 'Date', yLabel: lang === 'zh' ? '活跃成员（人）' : 'Active members', points: dailyPoints(), color: '#0072B2', ...extra });

describe('dailyChart', () => {
  it('draws 240 days with month ticks in the locale and the year under the first tick and January', () => {
    for (const width of [680, 360]) {
      const zh = expectChart(chart('zh', { width }), { ariaLabel: 'daily', texts: ['日期', '活跃成员（人）'], width });
      const zt = tickLabels(zh, 'x');
      expect(zt.some((t) => /^1月2026年$/.test(t))).toBe(true);
      expect(zt.every((t) => /^\d{1,2}月(\d{4}年)?$/.test(t))).toBe(true);
      const en = expectChart(chart('en', { width }), { ariaLabel: 'daily', texts: ['Date', 'Active members'] });
      const et = tickLabels(en, 'x');
      expect(et).toContain('Jan2026');
      expect(et).toContain(width === 360 ? 'Oct2025' : 'Oct');
      expect(et.length).toBeLessThanOrEqual(width === 360 ? 4 : 8);
      for (const svg of [zh, en]) {
        expectYLabelsInside(svg);
        expectXTicksApart(svg);
      }
    }
  });

  it('draws markers with their labels, stacking labels that would overlap', () => {
    const svg = expectChart(
      chart('zh', { markers: [{ date: '2025-11-11', label: '双十一' }, { date: '2025-11-13', label: '群主更换' }, { date: '2030-01-01', label: '范围外' }, { date: 'bad', label: '坏日期' }] }),
      { ariaLabel: 'daily', texts: ['双十一', '群主更换'] },
    );
    expect(svg.textContent).not.toContain('范围外');
    expect(svg.textContent).not.toContain('坏日期');
    const texts = [...svg.querySelectorAll('g[data-mark="text"]')];
    expect(texts.length).toBe(2); // two lanes
  });

  it('uses day ticks for a short span and handles unsorted, invalid, single and empty input', () => {
    const short = expectChart(chart('en', { points: dailyPoints(20, '2026-10-01').reverse() }), { ariaLabel: 'daily' });
    expect(tickLabels(short, 'x')[0]).toBe('1 Oct');
    expectChart(chart('zh', { points: [{ date: '2026-10-01', value: 12 }] }), { ariaLabel: 'daily', texts: ['10月1日'] });
    expectChart(chart('en', { points: [] }), { ariaLabel: 'daily', texts: ['—'] });
    expectChart(chart('en', { points: [{ date: 'nope', value: 3 }, { date: '2026-10-02', value: Number.NaN }, { date: '2026-10-03T08:00:00', value: 5 }] }), { ariaLabel: 'daily' });
  });
});
