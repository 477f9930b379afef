/**
 * Activity rhythm: messages by weekday (rows, Monday first) × hour of day (columns). A missing
 * (weekday, hour) means no messages then, so it is drawn as 0 rather than left blank.
 */
import { i18n } from '../i18n/index.ts';
import { compactNumber, frame } from './common.ts';
import type { ChartCommon } from './common.ts';
import { heatGrid } from './heatmap.ts';

export interface RhythmCell {
  weekday: number;
  hour: number;
  messages: number;
}

export interface RhythmChartOptions extends ChartCommon {
  cells: RhythmCell[];
  /** Seven labels, Monday first (weekday 1 = Mon … 7 = Sun). */
  weekdayLabels: string[];
  hourLabel: string;
  messagesLabel: string;
}

export function rhythmChart(o: RhythmChartOptions): string {
  const f = frame(o);
  const t = i18n(o.lang);
  const weekdays = Array.from({ length: 7 }, (_, i) => o.weekdayLabels[i] ?? String(i + 1));
  const hours = Array.from({ length: 24 }, (_, h) => String(h));
  const sums = new Map<string, number>();
  for (const c of o.cells) {
    if (!(Number.isInteger(c.weekday) && c.weekday >= 1 && c.weekday <= 7 && Number.isInteger(c.hour) && c.hour >= 0 && c.hour <= 23)) continue;
    if (!Number.isFinite(c.messages)) continue;
    const k = `${c.weekday}:${c.hour}`;
    sums.set(k, (sums.get(k) ?? 0) + c.messages);
  }
  const cells = [];
  for (let d = 1; d <= 7; d++) {
    for (let h = 0; h < 24; h++) cells.push({ row: weekdays[d - 1], column: hours[h], value: sums.get(`${d}:${h}`) ?? 0, n: Infinity });
  }
  const step = f.narrow ? 6 : 3;
  return heatGrid(o, f, t, {
    rows: weekdays,
    columns: hours,
    cells,
    xLabel: o.hourLabel,
    yLabel: '',
    legendLabel: o.messagesLabel,
    cellFormat: (v) => (Math.abs(v) >= 10000 ? compactNumber(t, v) : t.int(v)),
    showValues: false,
    smallSample: 0,
    columnTicks: hours.filter((_, h) => h % step === 0),
    cellHeight: f.narrow ? 24 : 26,
  });
}
