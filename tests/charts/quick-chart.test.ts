import { describe, expect, it } from 'vitest';
import { MAX_SERIES, quickChart } from '../../src/ui/quick-chart.ts';

const col = (name: string, type: string) => ({ name, type });

describe('quickChart (Explore)', () => {
  it('draws nothing without a number to draw, or without rows', () => {
    expect(quickChart([col('a', 'Utf8')], [{ a: 'x' }])).toBeNull();
    expect(quickChart([col('a', 'Utf8'), col('n', 'Int32')], [])).toBeNull();
  });

  it('sums repeated labels into bars, in the order the result gives them', () => {
    const rows = [
      { channel: 'guide', joins: 3 },
      { channel: 'invite', joins: 5 },
      { channel: 'guide', joins: 4 },
    ];
    expect(quickChart([col('channel', 'Utf8'), col('joins', 'Int32')], rows)).toEqual({
      kind: 'bar',
      x: 'channel',
      y: 'joins',
      data: [
        { label: 'guide', value: 7 },
        { label: 'invite', value: 5 },
      ],
    });
  });

  it('draws a long table as one line per series, the largest series only, each in x order', () => {
    const rows = [];
    for (let s = 0; s < MAX_SERIES + 2; s++) for (const week of [2, 0, 1]) rows.push({ week, channel: `c${s}`, rate: (s + 1) * (week + 1) });
    const chart = quickChart([col('week', 'Int32'), col('channel', 'Utf8'), col('rate', 'Float64')], rows);
    expect(chart?.kind).toBe('line');
    if (chart?.kind !== 'line') return;
    expect(chart.series).toBe('channel');
    const series = [...new Set(chart.data.map((d) => d.channel))];
    expect(series).toHaveLength(MAX_SERIES);
    // the two smallest series (c0, c1) are left out
    expect(series).not.toContain('c0');
    expect(series).not.toContain('c1');
    expect(chart.data.filter((d) => d.channel === 'c9').map((d) => d.week)).toEqual([0, 1, 2]);
  });

  it('draws dates as a line and two numbers as dots', () => {
    expect(quickChart([col('day', 'Date32<DAY>'), col('n', 'Int64')], [{ day: '2026-03-02', n: 2 }, { day: '2026-03-01', n: 1 }])).toMatchObject({ kind: 'line', dates: true, data: [{ day: '2026-03-01' }, { day: '2026-03-02' }] });
    expect(quickChart([col('a', 'Float64'), col('b', 'Float64')], [{ a: 1, b: 2 }])).toMatchObject({ kind: 'dot' });
  });
});
