/**
 * Kaplan–Meier curves: step-after lines from (0, 100%) with their confidence bands, optional
 * day markers (d7, d30…) and direct labels at the curve ends.
 */
import * as Plot from '@observablehq/plot';
import { i18n } from '../i18n/index.ts';
import { GRID_COLOR, MUTED_TEXT, finite, frame, keepApart, maxTextWidth, placeLineEnds, render, textColor, textWidth, tickFormatter, noDataMark } from './common.ts';
import type { ChartCommon } from './common.ts';

export interface SurvivalPoint {
  time: number;
  survival: number;
  lower: number | null;
  upper: number | null;
}

export interface SurvivalSeries {
  key: string;
  label: string;
  color: string;
  n: number;
  points: SurvivalPoint[];
}

export interface SurvivalChartOptions extends ChartCommon {
  xLabel: string;
  yLabel: string;
  series: SurvivalSeries[];
  /** Clip the x axis (days), e.g. 180. */
  xMax?: number;
  /** Vertical reference lines, e.g. [7, 30, 90], labelled "d7" etc. */
  markers?: number[];
}

/** Day ticks on steps people count in (a week, a month, a quarter), fewer on a phone. */
export function dayTicks(end: number, narrow: boolean): number[] {
  const maxIntervals = narrow ? 4 : 7;
  const steps = [1, 2, 5, 7, 14, 30, 60, 90, 180, 365, 730, 1825];
  const step = steps.find((s) => end / s <= maxIntervals) ?? Math.ceil(end / maxIntervals);
  const out: number[] = [];
  for (let v = 0; v <= end + 1e-9; v += step) out.push(v);
  return out;
}

interface Row {
  t: number;
  s: number;
}
interface BandRow {
  t: number;
  lo: number | null;
  hi: number | null;
}

/** Steps closer than 1/STEP_RESOLUTION of the x axis are drawn as one (about 2 px apart). */
const STEP_RESOLUTION = 360;

/**
 * Points of a step curve (sorted by time), at most one per `width` of time: of the points
 * falling into one slot the last is kept, carrying the level and interval reached after all of
 * them. A lifespan curve over thousands of groups has a step for nearly every day; at this
 * resolution the drawing looks the same and the SVG is a fraction of the size (the table and CSV
 * behind the chart keep every point).
 */
export function thinSteps<P extends { time: number }>(points: P[], width: number): P[] {
  if (!(width > 0) || points.length < 2) return points;
  const out: P[] = [];
  let slot = Number.NaN;
  for (const p of points) {
    const k = Math.floor(p.time / width);
    if (k === slot) out[out.length - 1] = p;
    else out.push(p);
    slot = k;
  }
  return out;
}

export function survivalChart(o: SurvivalChartOptions): string {
  const f = frame(o);
  const t = i18n(o.lang);
  const height = Math.round(finite(o.height) ?? (f.narrow ? 300 : 360));

  const cleaned = o.series.map((s) => ({
    s,
    points: s.points
      .filter((p) => finite(p.time) !== null && p.time >= 0 && finite(p.survival) !== null)
      .sort((a, b) => a.time - b.time),
  }));
  const xMax = finite(o.xMax);
  let dataEnd = 0;
  for (const c of cleaned) for (const p of c.points) dataEnd = Math.max(dataEnd, p.time);
  const xEnd = xMax !== null && xMax > 0 ? xMax : dataEnd > 0 ? dataEnd : 30;
  for (const c of cleaned) c.points = thinSteps(c.points, xEnd / STEP_RESOLUTION);

  // Lines and bands as explicit step rows: a band segment spans [t_i, t_i+1) at point i's
  // interval, and a null interval breaks the band instead of being drawn at 0.
  const curves = cleaned.map(({ s, points }) => {
    const line: Row[] = [{ t: 0, s: 1 }];
    const band: BandRow[] = [];
    const inRange = points.filter((p) => p.time <= xEnd);
    for (let i = 0; i < inRange.length; i++) {
      const p = inRange[i];
      line.push({ t: p.time, s: clamp01(p.survival) });
      const next = i + 1 < inRange.length ? inRange[i + 1].time : inRange.length < points.length ? xEnd : p.time;
      const lo = finite(p.lower);
      const hi = finite(p.upper);
      if (lo !== null && hi !== null && next > p.time) {
        band.push({ t: p.time, lo: clamp01(lo), hi: clamp01(hi) }, { t: next, lo: clamp01(lo), hi: clamp01(hi) });
      } else if (band.length && band[band.length - 1].lo !== null) band.push({ t: p.time, lo: null, hi: null });
    }
    // Follow-up past the clip: carry the curve to the edge at its value there.
    if (inRange.length < points.length) line.push({ t: xEnd, s: line[line.length - 1].s });
    return { s, line, band };
  });

  const yFormat = tickFormatter(t, 'percent', 0.25, 1);
  const yTicks = [0, 0.25, 0.5, 0.75, 1];
  const xTicks = dayTicks(xEnd, f.narrow);
  const marginLeft = maxTextWidth(yTicks.map(yFormat), f.font) + 10;
  const markers = (o.markers ?? []).filter((m) => finite(m) !== null && m > 0 && m < xEnd);
  const line = f.font + 4;
  const marginTop = line + 6 + (markers.length ? line : 0);
  const marginBottom = 2 * line + 12;

  // Direct labels at the curve ends; dropped when they would not fit or would collide (the page
  // has a legend).
  const ends = curves.filter((c) => c.line.length > 1);
  const labelFont = f.font - 1;
  const edgeEnds = ends.filter((c) => c.line[c.line.length - 1].t >= xEnd * 0.98);
  const labelWidth = maxTextWidth(edgeEnds.map((c) => c.s.label), labelFont);
  const tickHalf = Math.ceil(textWidth(String(xTicks[xTicks.length - 1]), f.font) / 2) + 4;
  let marginRight = tickHalf;
  let labels: { text: string; x: number; y: number; fill: string }[] | null = null;
  if (ends.length && labelWidth + 12 <= f.width * 0.26) {
    const right = Math.max(tickHalf, edgeEnds.length ? labelWidth + 12 : 0);
    const plotW = f.width - marginLeft - right;
    const plotH = height - marginTop - marginBottom;
    labels = placeLineEnds(
      ends.map((c) => {
        const last = c.line[c.line.length - 1];
        return { text: c.s.label, fill: textColor(c.s.color), x: marginLeft + (last.t / xEnd) * plotW, y: marginTop + (1 - last.s) * plotH, atEdge: last.t >= xEnd * 0.98 };
      }),
      { plotRight: f.width - right, width: f.width, top: marginTop, bottom: height - marginBottom, font: labelFont },
    );
    if (labels) {
      marginRight = right;
      // back to data coordinates for Plot (labels in the margin lie past the x domain)
      labels = labels.map((l) => ({ ...l, x: ((l.x - marginLeft) / plotW) * xEnd, y: 1 - (l.y - marginTop) / plotH }));
    }
  }
  const plotW = f.width - marginLeft - marginRight;

  const marks: Plot.Markish[] = [
    Plot.gridY(yTicks, { stroke: GRID_COLOR, strokeOpacity: 1 }),
    Plot.axisY(yTicks, { tickFormat: yFormat, label: o.yLabel, labelAnchor: 'top', labelArrow: 'none', tickSize: 0, tickPadding: 6 }),
    Plot.axisX(xTicks, { label: o.xLabel, labelAnchor: 'center', labelArrow: 'none', tickSize: 4, tickFormat: (d: number) => t.int(d) }),
    Plot.ruleY([0], { stroke: '#999999' }),
  ];
  if (markers.length) {
    marks.push(Plot.ruleX(markers, { stroke: '#8A8A8A', strokeDasharray: '3,3', strokeWidth: 1 }));
    const kept = keepApart(markers, (m) => marginLeft + (m / xEnd) * plotW, (m) => textWidth(`d${m}`, f.font - 2) + 6);
    marks.push(
      Plot.text(kept, { x: (d: number) => d, text: (d: number) => `d${d}`, frameAnchor: 'top', lineAnchor: 'bottom', dy: -3, fill: MUTED_TEXT, fontSize: f.font - 2 }),
    );
  }
  for (const c of curves) {
    if (c.band.length) {
      marks.push(Plot.areaY(c.band, { x: 't', y1: 'lo', y2: 'hi', fill: c.s.color, fillOpacity: 0.14, curve: 'linear' }));
    }
  }
  for (const c of curves) {
    if (c.line.length > 1) {
      marks.push(Plot.lineY(c.line, { x: 't', y: 's', stroke: c.s.color, strokeWidth: f.narrow ? 1.75 : 2, curve: 'step-after', title: () => c.s.label }));
    }
  }
  if (labels) {
    marks.push(Plot.text(labels, { x: 'x', y: 'y', text: 'text', fill: 'fill', textAnchor: 'start', fontSize: labelFont, stroke: 'white', strokeWidth: 3, paintOrder: 'stroke' }));
  }
  if (!ends.length) marks.push(noDataMark(f.font));

  return render(
    {
      height,
      marginLeft,
      marginRight,
      marginTop,
      marginBottom,
      x: { type: 'linear', domain: [0, xEnd] },
      y: { type: 'linear', domain: [0, 1] },
      marks,
    },
    f,
    o,
  );
}

function clamp01(v: number): number {
  return Math.max(0, Math.min(1, v));
}
