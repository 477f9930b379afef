import { describe, expect, it } from 'vitest';
import { rhythmChart } from '../../src/charts/rhythm.ts';
import { expectChart, expectYLabelsInside, expectXTicksApart, tickLabels } from './helpers.ts';
import { rhythmCells } from './fixtures.ts';

const WEEKDAYS = { zh: ['周一', '周二', '周三', '周四', '周五', '周六', '周日'], en: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] };

describe('rhythmChart', () => {
  it('draws 7 × 24 cells, Monday first, missing hours as 0, hour ticks thinned on a phone', () => {
    for (const lang of ['zh', 'en'] as const) {
      for (const width of [680, 360]) {
        const svg = expectChart(
          rhythmChart({ lang, width, ariaLabel: 'rhythm', cells: rhythmCells(), weekdayLabels: WEEKDAYS[lang], hourLabel: lang === 'zh' ? '时段（点）' : 'Hour of day', messagesLabel: lang === 'zh' ? '发言数' : 'Messages' }),
          { ariaLabel: 'rhythm', texts: [lang === 'zh' ? '时段（点）' : 'Hour of day', lang === 'zh' ? '发言数' : 'Messages'], width },
        );
        expect(svg.querySelector('g[data-mark="cell"]')!.querySelectorAll('rect').length).toBe(168);
        expect(tickLabels(svg, 'y')).toEqual(WEEKDAYS[lang]);
        expect(tickLabels(svg, 'x')).toEqual(width === 360 ? ['0', '6', '12', '18'] : ['0', '3', '6', '9', '12', '15', '18', '21']);
        expectYLabelsInside(svg);
        expectXTicksApart(svg);
      }
    }
  });

  it('ignores impossible weekdays and hours, sums repeats, and renders no data', () => {
    const svg = expectChart(
      rhythmChart({ lang: 'en', ariaLabel: 'r', cells: [{ weekday: 0, hour: 3, messages: 5 }, { weekday: 2, hour: 24, messages: 5 }, { weekday: 3, hour: 9, messages: 4 }, { weekday: 3, hour: 9, messages: 6 }, { weekday: 1, hour: 1, messages: Number.NaN }], weekdayLabels: WEEKDAYS.en, hourLabel: 'Hour', messagesLabel: 'Messages' }),
      { ariaLabel: 'r', texts: ['10'] }, // the ramp's top: 4 + 6
    );
    expect(svg.querySelector('g[data-mark="cell"]')!.querySelectorAll('rect').length).toBe(168);
    expectChart(rhythmChart({ lang: 'zh', ariaLabel: 'e', cells: [], weekdayLabels: [], hourLabel: '时', messagesLabel: '发言' }), { ariaLabel: 'e' });
  });
});
