/**
 * A daily time series (a group's active members or messages per day): a line over a light area,
 * month ticks in the reader's language ("10月" / "Oct") and optional dated markers (a campaign).
 */
import * as Plot from '@observablehq/plot';
import { i18n } from '../i18n/index.ts';
import { GRID_COLOR, MUTED_TEXT, finite, frame, linearAxis, maxTextWidth, render, textWidth, tickFormatter, noDataMark } from './common.ts';
import type { ChartCommon } from './common.ts';
import type { Lang } from '../i18n/index.ts';

export interface DailyChartOptions extends ChartCommon {
  xLabel: string;
  yLabel: string;
  points: { date: string; value: number }[];
  color: string;
  markers?: { date: string; label: string }[];
}

const DAY = 86_400_000;
const ISO = /^(\d{4})-(\d{2})-(\d{2})/;

/** YYYY-MM-DD → UTC midnight in ms, or null. */
function day(s: string): number | null {
  const m = ISO.exec(s ?? '');
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isFinite(ms) ? ms : null;
}

const monthFormats = new Map<string, Intl.DateTimeFormat>();
function monthName(locale: string, ms: number): string {
  let f = monthFormats.get(locale);
  if (!f) monthFormats.set(locale, (f = new Intl.DateTimeFormat(locale, { month: 'short', timeZone: 'UTC' })));
  return f.format(ms);
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();
function dayName(locale: string, ms: number): string {
  let f = dayFormats.get(locale);
  if (!f) dayFormats.set(locale, (f = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' })));
  return f.format(ms);
}

const yearText = (lang: Lang, y: number) => (lang === 'zh' ? `${y}年` : String(y));

/**
 * Ticks on month starts (every 1, 2, 3, 6 or 12 months, fewer on a phone) with the year under the
 * first tick and under each January; spans under ~2 months get day ticks instead.
 */
export function dateTicks(lang: Lang, locale: string, start: number, end: number, narrow: boolean): { ticks: number[]; format: (ms: number) => string } {
  const maxTicks = narrow ? 4 : 8;
  const span = end - start;
  if (span < 62 * DAY) {
    const days = span / DAY;
    const step = [1, 2, 7, 14, 28].find((s) => days / s <= maxTicks - 1) ?? 28;
    const ticks: number[] = [];
    for (let ms = start; ms <= end; ms += step * DAY) ticks.push(ms);
    return { ticks, format: (ms) => dayName(locale, ms) };
  }
  const s = new Date(start);
  const e = new Date(end);
  const months = (e.getUTCFullYear() - s.getUTCFullYear()) * 12 + e.getUTCMonth() - s.getUTCMonth();
  const step = [1, 2, 3, 6, 12, 24].find((k) => months / k <= maxTicks - 1) ?? 24;
  const ticks: number[] = [];
  // first month start on the step grid (Jan, Apr… for quarters) inside the span
  let y = s.getUTCFullYear();
  let m = s.getUTCMonth() + (s.getUTCDate() > 1 ? 1 : 0);
  while (m % step !== 0) m++;
  for (let ms = Date.UTC(y, m, 1); ms <= end; ms = Date.UTC(y, (m += step), 1)) ticks.push(ms);
  const first = ticks[0];
  return {
    ticks,
    format: (ms) => {
      const d = new Date(ms);
      const month = monthName(locale, ms);
      return ms === first || d.getUTCMonth() < step ? `${month}\n${yearText(lang, d.getUTCFullYear())}` : month;
    },
  };
}

export function dailyChart(o: DailyChartOptions): string {
  const f = frame(o);
  const t = i18n(o.lang);
  const height = Math.round(finite(o.height) ?? (f.narrow ? 240 : 280));
  const points = o.points
    .map((p) => ({ t: day(p.date), value: finite(p.value) }))
    .filter((p): p is { t: number; value: number } => p.t !== null && p.value !== null)
    .sort((a, b) => a.t - b.t)
    .map((p) => ({ date: new Date(p.t), value: p.value }));
  const start = points.length ? points[0].date.getTime() : Date.UTC(2000, 0, 1);
  let end = points.length ? points[points.length - 1].date.getTime() : start + 30 * DAY;
  if (end <= start) end = start + DAY;

  const yAxis = linearAxis(points.map((p) => p.value), { count: f.narrow ? 3 : 4 });
  const yFormat = tickFormatter(t, 'number', yAxis.step, yAxis.domain[1]);
  const x = dateTicks(o.lang, t.locale, start, end, f.narrow);
  const twoLineTicks = x.ticks.some((ms) => x.format(ms).includes('\n'));

  const line = f.font + 4;
  const markers = (o.markers ?? [])
    .map((m) => ({ date: day(m.date), label: m.label ?? '' }))
    .filter((m): m is { date: number; label: string } => m.date !== null && m.date >= start && m.date <= end)
    .sort((a, b) => a.date - b.date);
  const marginLeft = maxTextWidth(yAxis.ticks.map(yFormat), f.font) + 10;
  const tickLabelHalf = Math.ceil(maxTextWidth(x.ticks.map((ms) => x.format(ms).split('\n')[0]), f.font) / 2);
  const marginRight = Math.max(10, tickLabelHalf + 2);
  const plotW = f.width - marginLeft - marginRight;
  const px = (ms: number) => marginLeft + ((ms - start) / (end - start)) * plotW;

  // Marker labels above the chart on as many lines as needed so none overlaps (at most 3).
  const markerFont = f.font - 2;
  const lanes: number[] = [];
  const placed = markers.map((m) => {
    const w = textWidth(m.label, markerFont);
    // labels start at their rule and run right; near the right edge they run left
    const anchor: 'start' | 'end' = px(m.date) + w > f.width - 2 ? 'end' : 'start';
    const x0 = anchor === 'start' ? px(m.date) - 2 : px(m.date) - w - 2;
    let lane = lanes.findIndex((right) => x0 > right + 6);
    if (lane < 0 && lanes.length < 3) lane = lanes.push(-Infinity) - 1;
    if (lane < 0) return null;
    lanes[lane] = x0 + w + 4;
    return { ...m, at: new Date(m.date), lane, anchor };
  });
  const marginTop = line + 8 + lanes.length * (markerFont + 3);
  const marginBottom = (twoLineTicks ? 2 : 1) * line + line + 10;

  const marks: Plot.Markish[] = [
    Plot.gridY(yAxis.ticks, { stroke: GRID_COLOR, strokeOpacity: 1 }),
    Plot.axisY(yAxis.ticks, { tickFormat: yFormat, label: o.yLabel, labelAnchor: 'top', labelArrow: 'none', tickSize: 0, tickPadding: 6 }),
    Plot.axisX(
      x.ticks.map((ms) => new Date(ms)),
      { tickFormat: (d: Date) => x.format(d.getTime()), label: o.xLabel, labelAnchor: 'center', labelArrow: 'none', tickSize: 4 },
    ),
  ];
  if (markers.length) {
    marks.push(Plot.ruleX(markers.map((m) => new Date(m.date)), { stroke: '#8A8A8A', strokeDasharray: '3,3' }));
  }
  if (points.length) {
    marks.push(Plot.areaY(points, { x: 'date', y1: 0, y2: 'value', fill: o.color, fillOpacity: 0.12 }));
    marks.push(Plot.lineY(points, { x: 'date', y: 'value', stroke: o.color, strokeWidth: f.narrow ? 1.25 : 1.5 }));
    if (points.length === 1) marks.push(Plot.dot(points, { x: 'date', y: 'value', r: 3, fill: o.color }));
  } else {
    marks.push(noDataMark(f.font));
  }
  marks.push(Plot.ruleY([0], { stroke: '#999999' }));
  for (let lane = 0; lane < lanes.length; lane++) {
    for (const anchor of ['start', 'end'] as const) {
      const some = placed.filter((p) => p !== null && p.lane === lane && p.anchor === anchor);
      if (!some.length) continue;
      marks.push(
        Plot.text(some, {
          x: 'at',
          text: 'label',
          frameAnchor: 'top',
          lineAnchor: 'bottom',
          dy: -3 - lane * (markerFont + 3),
          dx: anchor === 'start' ? -2 : 2,
          textAnchor: anchor,
          fill: MUTED_TEXT,
          fontSize: markerFont,
        }),
      );
    }
  }

  return render(
    {
      height,
      marginLeft,
      marginRight,
      marginTop,
      marginBottom,
      x: { type: 'utc', domain: [new Date(start), new Date(end)] },
      y: { type: 'linear', domain: yAxis.domain },
      marks,
    },
    f,
    o,
  );
}
