/**
 * A rate (or amount) per row with its interval: a rule from lower to upper, a dot at the value
 * and the value printed at the right. Small samples are grey with their n; missing values "—".
 */
import * as Plot from '@observablehq/plot';
import { i18n } from '../i18n/index.ts';
import { SMALL_SAMPLE_COLOR } from './colors.ts';
import { GRID_COLOR, MUTED_TEXT, TEXT_COLOR, finite, fittedAxis, formatValue, frame, maxTextWidth, render, rowLabels, tickFormatter, uniqueKeys, noDataMark } from './common.ts';
import type { ChartCommon } from './common.ts';

export interface IntervalRow {
  key: string;
  label: string;
  color: string;
  value: number | null;
  lower: number | null;
  upper: number | null;
  n: number;
  small: boolean;
}

export interface IntervalChartOptions extends ChartCommon {
  xLabel: string;
  format: 'percent' | 'money' | 'number';
  rows: IntervalRow[];
  domain?: [number, number];
}

export function intervalChart(o: IntervalChartOptions): string {
  const f = frame(o);
  const t = i18n(o.lang);
  const rows = uniqueKeys(o.rows).map((r) => {
    const value = finite(r.value);
    const lower = finite(r.lower);
    const upper = finite(r.upper);
    const valueText = formatValue(t, o.format, value);
    return {
      ...r,
      value,
      lower,
      upper,
      color: r.small ? SMALL_SAMPLE_COLOR : r.color,
      text: r.small && value !== null && finite(r.n) !== null ? `${valueText} · n=${t.int(r.n)}` : valueText,
      textFill: r.small || value === null ? MUTED_TEXT : TEXT_COLOR,
    };
  });

  const { marginLeft, labelOf, full } = rowLabels(f, rows.map((r) => ({ key: r.id, label: r.label })));
  const valueFont = f.font - 1;
  const marginRight = maxTextWidth(rows.map((r) => r.text), valueFont) + 14;
  const axis = fittedAxis(
    rows.flatMap((r) => [r.value, r.lower, r.upper]),
    { count: f.narrow ? 4 : 6, percent: o.format === 'percent', domain: o.domain },
    f.width - marginLeft - marginRight,
    f.font,
    (a) => tickFormatter(t, o.format, a.step, Math.max(Math.abs(a.domain[0]), Math.abs(a.domain[1]))),
  );
  const tickFormat = axis.format;
  const line = f.font + 4;
  const marginTop = 6;
  const marginBottom = 2 * line + 10;
  const rowH = f.narrow ? 30 : 32;
  const height = Math.round(finite(o.height) ?? marginTop + marginBottom + Math.max(1, rows.length) * rowH);

  const withInterval = rows.filter((r) => r.lower !== null && r.upper !== null);
  const withValue = rows.filter((r) => r.value !== null);
  const marks: Plot.Markish[] = [
    Plot.gridX(axis.ticks, { stroke: GRID_COLOR, strokeOpacity: 1 }),
    Plot.axisX(axis.ticks, { tickFormat, label: o.xLabel, labelAnchor: 'center', labelArrow: 'none', tickSize: 4 }),
    Plot.axisY({ tickFormat: labelOf, tickSize: 0, tickPadding: 8, label: null }),
    Plot.ruleY(withInterval, { y: 'id', x1: 'lower', x2: 'upper', stroke: 'color', strokeWidth: 2.5, strokeLinecap: 'round', strokeOpacity: 0.75, clip: true }),
    // Small samples get hollow dots as well as grey, so the difference survives greyscale print.
    Plot.dot(withValue, { x: 'value', y: 'id', r: f.narrow ? 4.5 : 5, fill: (d) => (d.small ? 'white' : d.color), stroke: (d) => (d.small ? d.color : 'white'), strokeWidth: 1.5, clip: true }),
    Plot.text(rows, { y: 'id', text: 'text', fill: 'textFill', frameAnchor: 'right', textAnchor: 'start', dx: 12, fontSize: valueFont }),
  ];
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
