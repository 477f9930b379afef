/**
 * Lines over time or any numeric x, one per series, for charts written in notebook reports
 * (where the x may be a date column): dates become a time axis, numbers a linear one.
 */
import * as Plot from '@observablehq/plot';
import { i18n } from '../i18n/index.ts';
import { GRID_COLOR, finite, fittedAxis, frame, maxTextWidth, noDataMark, render, tickFormatter } from './common.ts';
import type { ChartCommon, ValueFormat } from './common.ts';

export interface TrendSeries {
  key: string;
  label: string;
  color: string;
  /** drawn dashed (a benchmark beside the series it is compared with) */
  dashed?: boolean;
  points: { x: number | string; y: number | null }[];
}

export interface TrendChartOptions extends ChartCommon {
  xLabel: string;
  yLabel: string;
  format: ValueFormat;
  series: TrendSeries[];
}

const DATE = /^\d{4}-\d{2}-\d{2}/;

export function trendChart(o: TrendChartOptions): string {
  const f = frame(o);
  const t = i18n(o.lang);
  const height = Math.round(finite(o.height) ?? (f.narrow ? 260 : 320));
  const all = o.series.flatMap((s) => s.points);
  const dates = all.length > 0 && all.every((p) => typeof p.x === 'string' && DATE.test(p.x));
  const rows = o.series.flatMap((s) =>
    s.points
      .map((p) => ({ key: s.key, color: s.color, dashed: s.dashed === true, x: dates ? new Date(`${String(p.x).slice(0, 10)}T00:00:00Z`) : Number(p.x), y: finite(p.y) }))
      .filter((p) => (dates ? !Number.isNaN((p.x as Date).getTime()) : Number.isFinite(p.x as number))),
  );
  const axis = fittedAxis(
    rows.map((r) => r.y),
    { count: f.narrow ? 4 : 5, percent: o.format === 'percent' },
    height - 60,
    f.font,
    (a) => tickFormatter(t, o.format, a.step, Math.max(Math.abs(a.domain[0]), Math.abs(a.domain[1]))),
  );
  const marginLeft = maxTextWidth(axis.ticks.map(axis.format), f.font) + 10;
  const marks: Plot.Markish[] = [
    Plot.gridY(axis.ticks, { stroke: GRID_COLOR, strokeOpacity: 1 }),
    Plot.axisY(axis.ticks, { tickFormat: axis.format, label: o.yLabel, labelAnchor: 'top', labelArrow: 'none', tickSize: 0 }),
    Plot.axisX({ ticks: f.narrow ? 4 : 7, label: o.xLabel, labelAnchor: 'center', labelArrow: 'none', tickSize: 4, ...(dates ? {} : { tickFormat: (v: number) => t.num(v, Number.isInteger(v) ? 0 : 1) }) }),
    Plot.ruleY([axis.domain[0]], { stroke: '#999999' }),
    Plot.lineY(rows.filter((r) => !r.dashed), { x: 'x', y: 'y', z: 'key', stroke: 'color', strokeWidth: 2, curve: 'linear' }),
    Plot.lineY(rows.filter((r) => r.dashed), { x: 'x', y: 'y', z: 'key', stroke: 'color', strokeWidth: 2.5, strokeDasharray: '6,4', curve: 'linear' }),
    Plot.dot(rows, { x: 'x', y: 'y', fill: 'color', r: rows.length > 120 ? 0 : 2.5 }),
  ];
  if (!rows.length) marks.push(noDataMark(f.font));
  return render(
    {
      height,
      marginLeft,
      marginRight: 16,
      marginTop: f.font + 12,
      marginBottom: 2 * (f.font + 4) + 10,
      x: dates ? { type: 'utc' } : { type: 'linear' },
      y: { domain: axis.domain },
      marks,
    },
    f,
    o,
  );
}
