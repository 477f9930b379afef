/**
 * Quantity against quality: joins (x) against a quality rate (y), one labelled dot per channel
 * with its vertical interval, so "many but poor" and "few but good" channels stand apart.
 */
import * as Plot from '@observablehq/plot';
import { i18n } from '../i18n/index.ts';
import { SMALL_SAMPLE_COLOR } from './colors.ts';
import { GRID_COLOR, MUTED_TEXT, finite, fittedAxis, frame, linearAxis, maxTextWidth, render, textColor, textWidth, tickFormatter, noDataMark } from './common.ts';
import type { ChartCommon } from './common.ts';

export interface QuantityQualityPoint {
  key: string;
  label: string;
  color: string;
  x: number;
  y: number | null;
  lower: number | null;
  upper: number | null;
  small: boolean;
}

export interface QuantityQualityChartOptions extends ChartCommon {
  xLabel: string;
  yLabel: string;
  points: QuantityQualityPoint[];
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const overlap = (a: Box, b: Box) => Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0)) * Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));

export function quantityQualityChart(o: QuantityQualityChartOptions): string {
  const f = frame(o);
  const t = i18n(o.lang);
  const height = Math.round(finite(o.height) ?? (f.narrow ? 300 : 380));
  const points = o.points
    .filter((p) => finite(p.x) !== null)
    .map((p) => ({ ...p, y: finite(p.y), lower: finite(p.lower), upper: finite(p.upper), color: p.small ? SMALL_SAMPLE_COLOR : p.color }));

  const yAxis = linearAxis(points.flatMap((p) => [p.y, p.lower, p.upper]), { count: 5, percent: true });
  const yFormat = tickFormatter(t, 'percent', yAxis.step, yAxis.domain[1]);
  const line = f.font + 4;
  const marginLeft = maxTextWidth(yAxis.ticks.map(yFormat), f.font) + 10;
  const xAxis = fittedAxis(points.map((p) => p.x), { count: f.narrow ? 4 : 6 }, f.width - marginLeft - 24, f.font, (a) =>
    tickFormatter(t, 'number', a.step, a.domain[1]),
  );
  const xFormat = xAxis.format;
  const marginTop = line + 8;
  const marginBottom = 2 * line + 10;
  const marginRight = Math.ceil(textWidth(xFormat(xAxis.ticks[xAxis.ticks.length - 1] ?? 0), f.font) / 2) + 6;
  const plotW = f.width - marginLeft - marginRight;
  const plotH = height - marginTop - marginBottom;
  const px = (x: number) => marginLeft + ((x - xAxis.domain[0]) / (xAxis.domain[1] - xAxis.domain[0])) * plotW;
  const py = (y: number) => marginTop + (1 - (y - yAxis.domain[0]) / (yAxis.domain[1] - yAxis.domain[0])) * plotH;

  // Label placement: try right, left, above, below each dot; keep the spot that covers the fewest
  // other dots, intervals and labels and stays inside the chart.
  const shown = points.filter((p) => p.y !== null);
  const labelFont = f.font - 1;
  const obstacles: Box[] = [];
  for (const p of shown) {
    const cx = px(p.x);
    const cy = py(p.y!);
    obstacles.push({ x0: cx - 6, y0: cy - 6, x1: cx + 6, y1: cy + 6 });
    if (p.lower !== null && p.upper !== null) obstacles.push({ x0: cx - 1.5, y0: py(p.upper), x1: cx + 1.5, y1: py(p.lower) });
  }
  const labels: { x: number; y: number; text: string; fill: string; anchor: 'start' | 'end' | 'middle' }[] = [];
  for (const p of shown) {
    const cx = px(p.x);
    const cy = py(p.y!);
    const w = textWidth(p.label, labelFont);
    const h = labelFont + 2;
    const options: { box: Box; anchor: 'start' | 'end' | 'middle'; x: number; y: number }[] = [
      { anchor: 'start', x: cx + 9, y: cy, box: { x0: cx + 9, y0: cy - h / 2, x1: cx + 9 + w, y1: cy + h / 2 } },
      { anchor: 'end', x: cx - 9, y: cy, box: { x0: cx - 9 - w, y0: cy - h / 2, x1: cx - 9, y1: cy + h / 2 } },
      { anchor: 'middle', x: cx, y: cy - 9 - h / 2, box: { x0: cx - w / 2, y0: cy - 9 - h, x1: cx + w / 2, y1: cy - 9 } },
      { anchor: 'middle', x: cx, y: cy + 9 + h / 2, box: { x0: cx - w / 2, y0: cy + 9, x1: cx + w / 2, y1: cy + 9 + h } },
    ];
    let best = options[0];
    let bestCost = Infinity;
    for (const opt of options) {
      const b = opt.box;
      let cost = 0;
      // leaving the drawing is worse than touching a neighbour
      if (b.x0 < marginLeft - 4 || b.x1 > f.width - 2 || b.y0 < marginTop - 4 || b.y1 > height - marginBottom) cost += 10 * w * h;
      for (const ob of obstacles) cost += overlap(b, ob);
      if (cost < bestCost) [best, bestCost] = [opt, cost];
      if (cost === 0) break;
    }
    obstacles.push(best.box);
    labels.push({
      x: xAxis.domain[0] + ((best.x - marginLeft) / plotW) * (xAxis.domain[1] - xAxis.domain[0]),
      y: yAxis.domain[0] + (1 - (best.y - marginTop) / plotH) * (yAxis.domain[1] - yAxis.domain[0]),
      text: p.label,
      fill: p.small ? MUTED_TEXT : textColor(p.color),
      anchor: best.anchor,
    });
  }

  const marks: Plot.Markish[] = [
    Plot.gridY(yAxis.ticks, { stroke: GRID_COLOR, strokeOpacity: 1 }),
    Plot.gridX(xAxis.ticks, { stroke: GRID_COLOR, strokeOpacity: 1 }),
    Plot.axisY(yAxis.ticks, { tickFormat: yFormat, label: o.yLabel, labelAnchor: 'top', labelArrow: 'none', tickSize: 0, tickPadding: 6 }),
    Plot.axisX(xAxis.ticks, { tickFormat: xFormat, label: o.xLabel, labelAnchor: 'center', labelArrow: 'none', tickSize: 4 }),
    Plot.ruleX(
      shown.filter((p) => p.lower !== null && p.upper !== null),
      { x: 'x', y1: 'lower', y2: 'upper', stroke: 'color', strokeWidth: 2.5, strokeOpacity: 0.6, strokeLinecap: 'round' },
    ),
    Plot.dot(shown, { x: 'x', y: 'y', r: f.narrow ? 5 : 6, fill: (d) => (d.small ? 'white' : d.color), stroke: (d) => (d.small ? d.color : 'white'), strokeWidth: 1.5, title: 'label' }),
  ];
  for (const anchor of ['start', 'end', 'middle'] as const) {
    const some = labels.filter((l) => l.anchor === anchor);
    if (some.length) {
      marks.push(Plot.text(some, { x: 'x', y: 'y', text: 'text', fill: 'fill', textAnchor: anchor, fontSize: labelFont, stroke: 'white', strokeWidth: 3, paintOrder: 'stroke' }));
    }
  }
  if (!shown.length) marks.push(noDataMark(f.font));

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
