/**
 * Horizontal bars with their values printed at the bar ends (joins by channel, groups by
 * status…). A missing value shows "—" instead of a bar of length 0.
 */
import * as Plot from '@observablehq/plot';
import { i18n } from '../i18n/index.ts';
import { GRID_COLOR, MUTED_TEXT, TEXT_COLOR, finite, fittedAxis, formatValue, frame, maxTextWidth, render, rowLabels, tickFormatter, uniqueKeys, noDataMark } from './common.ts';
import type { ChartCommon } from './common.ts';

export interface BarRow {
  key: string;
  label: string;
  color: string;
  value: number | null;
}

export interface BarsChartOptions extends ChartCommon {
  xLabel: string;
  format: 'percent' | 'number' | 'money';
  rows: BarRow[];
}

export function barsChart(o: BarsChartOptions): string {
  const f = frame(o);
  const t = i18n(o.lang);
  const rows = uniqueKeys(o.rows).map((r) => {
    const value = finite(r.value);
    return { ...r, value, text: formatValue(t, o.format, value), at: value ?? 0 };
  });
  const { marginLeft, labelOf, full } = rowLabels(f, rows.map((r) => ({ key: r.id, label: r.label })));
  const valueFont = f.font - 1;
  // The longest bar may end at the right edge: its value goes into the right margin.
  const marginRight = maxTextWidth(rows.map((r) => r.text), valueFont) + 12;
  const axis = fittedAxis(
    rows.map((r) => r.value),
    { count: f.narrow ? 4 : 5, percent: o.format === 'percent' },
    f.width - marginLeft - marginRight,
    f.font,
    (a) => tickFormatter(t, o.format, a.step, Math.max(Math.abs(a.domain[0]), Math.abs(a.domain[1]))),
  );
  const tickFormat = axis.format;
  const line = f.font + 4;
  const marginTop = 6;
  const marginBottom = 2 * line + 10;
  const rowH = f.narrow ? 28 : 30;
  const height = Math.round(finite(o.height) ?? marginTop + marginBottom + Math.max(1, rows.length) * rowH);

  const positive = rows.filter((r) => r.at >= 0);
  const negative = rows.filter((r) => r.at < 0);
  const marks: Plot.Markish[] = [
    Plot.gridX(axis.ticks, { stroke: GRID_COLOR, strokeOpacity: 1 }),
    Plot.axisX(axis.ticks, { tickFormat, label: o.xLabel, labelAnchor: 'center', labelArrow: 'none', tickSize: 4 }),
    Plot.axisY({ tickFormat: labelOf, tickSize: 0, tickPadding: 8, label: null }),
    Plot.barX(rows.filter((r) => r.value !== null), { y: 'id', x1: 0, x2: 'value', fill: 'color', insetTop: 5, insetBottom: 5 }),
    Plot.ruleX([0], { stroke: '#999999' }),
    Plot.text(positive, { x: 'at', y: 'id', text: 'text', dx: 5, textAnchor: 'start', fill: (d) => (d.value === null ? MUTED_TEXT : TEXT_COLOR), fontSize: valueFont }),
  ];
  if (negative.length) marks.push(Plot.text(negative, { x: 'at', y: 'id', text: 'text', dx: -5, textAnchor: 'end', fill: TEXT_COLOR, fontSize: valueFont }));
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
