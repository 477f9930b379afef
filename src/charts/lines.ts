/**
 * Lines by series over a numeric x (weeks since joining…), with points and their intervals: a
 * light band when a series has many points, rules when it has few. Points from small samples
 * are hollow; a series made only of small samples is dashed. Missing values break the line.
 */
import * as Plot from '@observablehq/plot';
import { i18n } from '../i18n/index.ts';
import { GRID_COLOR, MUTED_TEXT, finite, fittedAxis, placeLineEnds, frame, linearAxis, maxTextWidth, render, textColor, textWidth, tickFormatter, noDataMark } from './common.ts';
import type { ChartCommon } from './common.ts';

export interface LinePoint {
  x: number;
  y: number | null;
  lower?: number | null;
  upper?: number | null;
  small?: boolean;
}

export interface LineSeries {
  key: string;
  label: string;
  color: string;
  points: LinePoint[];
}

export interface LinesChartOptions extends ChartCommon {
  xLabel: string;
  yLabel: string;
  format: 'percent' | 'number';
  series: LineSeries[];
}

export function linesChart(o: LinesChartOptions): string {
  const f = frame(o);
  const t = i18n(o.lang);
  const height = Math.round(finite(o.height) ?? (f.narrow ? 280 : 340));
  const series = o.series.map((s) => {
    const points = s.points
      .filter((p) => finite(p.x) !== null)
      .map((p) => {
        const y = finite(p.y);
        const lower = finite(p.lower ?? null);
        const upper = finite(p.upper ?? null);
        return { x: p.x, y, lower: lower !== null && upper !== null ? lower : null, upper: lower !== null && upper !== null ? upper : null, small: p.small === true };
      })
      .sort((a, b) => a.x - b.x);
    const present = points.filter((p) => p.y !== null);
    return { s, points, present, allSmall: present.length > 0 && present.every((p) => p.small) };
  });

  const allX = series.flatMap((s) => s.points.map((p) => p.x));
  const integers = allX.every((x) => Number.isInteger(x));
  const percent = o.format === 'percent';
  const yAxis = linearAxis(
    series.flatMap((s) => s.points.flatMap((p) => [p.y, p.lower, p.upper])),
    { count: f.narrow ? 4 : 5, percent },
  );
  const yFormat = tickFormatter(t, o.format, yAxis.step, yAxis.domain[1]);

  const line = f.font + 4;
  const marginLeft = maxTextWidth(yAxis.ticks.map(yFormat), f.font) + 10;
  const xAxis = fittedAxis(allX, { count: f.narrow ? 6 : 8, zero: false, exact: true }, f.width - marginLeft - f.width * 0.2, f.font, (a) => {
    // weeks are whole: never tick at 1.5
    if (integers && a.step < 1) {
      a.step = 1;
      a.ticks = a.ticks.filter((v) => Number.isInteger(v));
    }
    return tickFormatter(t, 'number', a.step, a.domain[1]);
  });
  const xFormat = xAxis.format;
  const marginTop = line + 8;
  const marginBottom = 2 * line + 10;
  const plotH = height - marginTop - marginBottom;
  const py = (y: number) => marginTop + (1 - (y - yAxis.domain[0]) / (yAxis.domain[1] - yAxis.domain[0])) * plotH;

  // Direct labels at the line ends (as on the survival chart).
  const labelFont = f.font - 1;
  const ends = series.filter((s) => s.present.length);
  const lastX = (s: (typeof series)[number]) => s.present[s.present.length - 1].x;
  const span = xAxis.domain[1] - xAxis.domain[0];
  const atEdge = (s: (typeof series)[number]) => lastX(s) >= xAxis.domain[1] - span * 0.02;
  const labelWidth = maxTextWidth(ends.filter(atEdge).map((s) => s.s.label), labelFont);
  const tickHalf = Math.ceil(textWidth(xFormat(xAxis.domain[1]), f.font) / 2) + 6;
  let marginRight = tickHalf;
  let labels: { text: string; x: number; y: number; fill: string }[] | null = null;
  if (ends.length && labelWidth + 12 <= f.width * 0.26) {
    const right = Math.max(tickHalf, labelWidth ? labelWidth + 14 : 0);
    const plotW = f.width - marginLeft - right;
    const px = (x: number) => marginLeft + ((x - xAxis.domain[0]) / span) * plotW;
    labels = placeLineEnds(
      ends.map((s) => ({
        text: s.s.label,
        fill: s.allSmall ? MUTED_TEXT : textColor(s.s.color),
        x: px(lastX(s)),
        y: py(s.present[s.present.length - 1].y!),
        atEdge: atEdge(s),
      })),
      { plotRight: f.width - right, width: f.width, top: marginTop, bottom: height - marginBottom, font: labelFont },
    );
    if (labels) {
      marginRight = right;
      labels = labels.map((l) => ({
        ...l,
        x: xAxis.domain[0] + ((l.x - marginLeft) / plotW) * span,
        y: yAxis.domain[0] + (1 - (l.y - marginTop) / plotH) * (yAxis.domain[1] - yAxis.domain[0]),
      }));
    }
  }

  const marks: Plot.Markish[] = [
    Plot.gridY(yAxis.ticks, { stroke: GRID_COLOR, strokeOpacity: 1 }),
    Plot.axisY(yAxis.ticks, { tickFormat: yFormat, label: o.yLabel, labelAnchor: 'top', labelArrow: 'none', tickSize: 0, tickPadding: 6 }),
    Plot.axisX(xAxis.ticks, { tickFormat: xFormat, label: o.xLabel, labelAnchor: 'center', labelArrow: 'none', tickSize: 4 }),
  ];
  if (yAxis.domain[0] <= 0 && yAxis.domain[1] >= 0) marks.push(Plot.ruleY([0], { stroke: '#999999' }));
  for (const { s, points, allSmall } of series) {
    const withBand = points.filter((p) => p.lower !== null);
    if (!withBand.length) continue;
    // Few points: a rule per point reads better than a band with corners.
    if (points.length > 8) {
      marks.push(Plot.areaY(points, { x: 'x', y1: 'lower', y2: 'upper', fill: s.color, fillOpacity: allSmall ? 0.05 : 0.1 }));
    } else {
      marks.push(Plot.ruleX(withBand, { x: 'x', y1: 'lower', y2: 'upper', stroke: s.color, strokeOpacity: 0.45, strokeWidth: 2 }));
    }
  }
  for (const { s, points, present, allSmall } of series) {
    if (!present.length) continue;
    marks.push(Plot.lineY(points, { x: 'x', y: 'y', stroke: s.color, strokeWidth: 2, strokeDasharray: allSmall ? '5,4' : undefined, title: () => s.label }));
    const big = present.filter((p) => !p.small);
    const small = present.filter((p) => p.small);
    const r = f.narrow ? 2.5 : 3;
    if (big.length) marks.push(Plot.dot(big, { x: 'x', y: 'y', r, fill: s.color }));
    if (small.length) marks.push(Plot.dot(small, { x: 'x', y: 'y', r, fill: 'white', stroke: s.color, strokeWidth: 1.5 }));
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
      x: { type: 'linear', domain: xAxis.domain },
      y: { type: 'linear', domain: yAxis.domain },
      marks,
    },
    f,
    o,
  );
}
