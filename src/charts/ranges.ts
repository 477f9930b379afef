/**
 * Benchmark ranges per group type: the middle half (p25–p75) as a bar, the median as a tick,
 * and optionally one group's own value as a dark marker, labelled ("this group").
 */
import * as Plot from '@observablehq/plot';
import { i18n } from '../i18n/index.ts';
import { GRID_COLOR, TEXT_COLOR, finite, fittedAxis, formatValue, frame, maxTextWidth, render, rowLabels, textColor, tickFormatter, uniqueKeys, noDataMark } from './common.ts';
import type { ChartCommon } from './common.ts';

export interface RangeRow {
  key: string;
  label: string;
  color: string;
  p25: number;
  p50: number;
  p75: number;
  marker?: number | null;
  markerLabel?: string;
}

export interface RangeChartOptions extends ChartCommon {
  xLabel: string;
  format: 'percent' | 'number';
  rows: RangeRow[];
  domain?: [number, number];
}

const MARKER_COLOR = '#1A1A1A';

export function rangeChart(o: RangeChartOptions): string {
  const f = frame(o);
  const t = i18n(o.lang);
  const rows = uniqueKeys(o.rows).map((r) => ({
    ...r,
    p25: finite(r.p25),
    p50: finite(r.p50),
    p75: finite(r.p75),
    marker: finite(r.marker ?? null),
    tickColor: textColor(r.color),
    text: formatValue(t, o.format, finite(r.p50)),
  }));
  const { marginLeft, labelOf, full } = rowLabels(f, rows.map((r) => ({ key: r.id, label: r.label })));
  const valueFont = f.font - 1;
  const marginRight = maxTextWidth(rows.map((r) => r.text), valueFont) + 14;
  const axis = fittedAxis(
    rows.flatMap((r) => [r.p25, r.p50, r.p75, r.marker]),
    { count: f.narrow ? 4 : 6, percent: o.format === 'percent', domain: o.domain },
    f.width - marginLeft - marginRight,
    f.font,
    (a) => tickFormatter(t, o.format, a.step, Math.max(Math.abs(a.domain[0]), Math.abs(a.domain[1]))),
  );
  const tickFormat = axis.format;
  const line = f.font + 4;
  const labelled = rows.filter((r) => r.marker !== null && r.markerLabel);
  // Rows with a labelled marker need room above the bar for the label.
  const rowH = (f.narrow ? 30 : 32) + (labelled.length ? 10 : 0);
  const marginTop = 6;
  const marginBottom = 2 * line + 10;
  const height = Math.round(finite(o.height) ?? marginTop + marginBottom + Math.max(1, rows.length) * rowH);
  const realRowH = (height - marginTop - marginBottom) / Math.max(1, rows.length);
  const barH = Math.max(8, Math.min(14, realRowH * 0.4));
  const inset = (realRowH - barH) / 2;

  const bars = rows.filter((r) => r.p25 !== null && r.p75 !== null);
  const medians = rows.filter((r) => r.p50 !== null);
  const markers = rows.filter((r) => r.marker !== null);
  const marks: Plot.Markish[] = [
    Plot.gridX(axis.ticks, { stroke: GRID_COLOR, strokeOpacity: 1 }),
    Plot.axisX(axis.ticks, { tickFormat, label: o.xLabel, labelAnchor: 'center', labelArrow: 'none', tickSize: 4 }),
    Plot.axisY({ tickFormat: labelOf, tickSize: 0, tickPadding: 8, label: null }),
    Plot.barX(bars, { y: 'id', x1: 'p25', x2: 'p75', fill: 'color', fillOpacity: 0.4, insetTop: inset, insetBottom: inset, rx: 2, clip: true }),
    Plot.tickX(medians, { x: 'p50', y: 'id', stroke: 'tickColor', strokeWidth: 3, insetTop: inset - 3, insetBottom: inset - 3, clip: true }),
    Plot.text(rows, { y: 'id', text: 'text', fill: TEXT_COLOR, frameAnchor: 'right', textAnchor: 'start', dx: 12, fontSize: valueFont }),
  ];
  if (markers.length) {
    marks.push(Plot.dot(markers, { x: 'marker', y: 'id', symbol: 'diamond', r: f.narrow ? 5 : 5.5, fill: MARKER_COLOR, stroke: 'white', strokeWidth: 1.5, clip: true }));
  }
  if (labelled.length) {
    marks.push(
      Plot.text(labelled, {
        x: 'marker',
        y: 'id',
        text: 'markerLabel',
        dy: -(barH / 2 + 5),
        lineAnchor: 'bottom',
        fill: MARKER_COLOR,
        fontSize: f.font - 2,
        stroke: 'white',
        strokeWidth: 3,
        paintOrder: 'stroke',
      }),
    );
  }
  if (!rows.length) marks.push(noDataMark(f.font));

  return render(
    {
      height,
      marginLeft,
      marginRight,
      marginTop,
      marginBottom,
      x: { type: 'linear', domain: axis.domain },
      y: { type: 'band', domain: rows.map((r) => r.id), padding: 0 },
      marks,
    },
    f,
    o,
    undefined,
    full,
  );
}
