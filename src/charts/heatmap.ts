/**
 * A value per (row, column) cell on a sequential single-hue scale: cohort × week retention,
 * channel × group type. Empty cells stay blank, small samples are hatched grey without a
 * value, and a small colour ramp explains the scale (drawn in the SVG: the page cannot know it).
 */
import * as Plot from '@observablehq/plot';
import { i18n } from '../i18n/index.ts';
import { SMALL_SAMPLE_COLOR } from './colors.ts';
import { MUTED_TEXT, compactNumber, finite, frame, hashId, maxTextWidth, onColor, ramp, render, svgElement, textWidth, truncateNoting, wrap, noDataMark } from './common.ts';
import type { ChartCommon, Frame, FullTexts } from './common.ts';
import type { I18n } from '../i18n/index.ts';

export interface HeatmapCell {
  row: string;
  column: string;
  value: number | null;
  n: number;
}

export interface HeatmapChartOptions extends ChartCommon {
  xLabel: string;
  yLabel: string;
  format: 'percent' | 'number';
  /** Display order and labels. */
  rows: string[];
  columns: string[];
  cells: HeatmapCell[];
  /** Print values in cells (default: when there are at most 120 cells and the values fit). */
  showValues?: boolean;
  /** Cells with n below this are hatched grey, without a value. */
  smallSample?: number;
}

export function heatmapChart(o: HeatmapChartOptions): string {
  const f = frame(o);
  const t = i18n(o.lang);
  return heatGrid(o, f, t, {
    rows: o.rows,
    columns: o.columns,
    cells: o.cells,
    xLabel: o.xLabel,
    yLabel: o.yLabel,
    legendLabel: '',
    cellFormat: (v) => cellText(t, o.format, v),
    showValues: o.showValues,
    smallSample: finite(o.smallSample ?? null) ?? 0,
  });
}

function cellText(t: I18n, format: 'percent' | 'number', v: number): string {
  if (format === 'percent') return t.pct(v, 0);
  return Math.abs(v) >= 10000 ? compactNumber(t, v) : Number.isInteger(v) || Math.abs(v) >= 100 ? t.int(v) : t.num(v, 1);
}


export interface HeatGrid {
  rows: string[];
  columns: string[];
  cells: { row: string; column: string; value: number | null; n: number }[];
  xLabel: string;
  yLabel: string;
  /** Title of the colour ramp (e.g. "messages"); empty for none. */
  legendLabel: string;
  cellFormat: (v: number) => string;
  showValues?: boolean;
  smallSample: number;
  /** Column tick labels to show (all by default; thinned when they do not fit). */
  columnTicks?: string[];
  cellHeight?: number;
}

/** The cell grid shared by the heatmap and the weekly rhythm chart. */
export function heatGrid(o: ChartCommon, f: Frame, t: I18n, g: HeatGrid): string {
  const rows = [...new Set(g.rows)];
  const columns = [...new Set(g.columns)];
  const rowSet = new Set(rows);
  const colSet = new Set(columns);
  const cells = g.cells.filter((c) => rowSet.has(c.row) && colSet.has(c.column));

  const small = (c: { n: number }) => g.smallSample > 0 && !(c.n >= g.smallSample);
  // The scale spans the cells drawn in colour: a small sample's extreme value must not stretch it.
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of cells) {
    const v = finite(c.value);
    if (v === null || small(c)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo === Infinity) [lo, hi] = [0, 1];
  lo = Math.min(0, lo);
  if (hi <= lo) hi = lo + 1;

  const font = f.font;
  const line = font + 4;
  const cap = Math.round(f.width * (f.narrow ? 0.3 : 0.25));
  const full: FullTexts = new Map();
  const rowLabel = new Map(rows.map((r) => [r, truncateNoting(full, r, cap - 10, font)]));
  const marginLeft = Math.min(cap, maxTextWidth(rowLabel.values(), font) + 10);
  const marginRight = 8;
  const plotW = f.width - marginLeft - marginRight;
  const cellW = plotW / Math.max(1, columns.length);

  // Column labels: all when they fit; ordered labels (weeks, hours, months) are thinned to every
  // k-th; names are wrapped on up to three lines, or turned 45° when even that does not fit (each
  // category must stay readable).
  const colFont = font - 1;
  const colWidest = maxTextWidth(columns, colFont);
  const ordinal = columns.every((c) => /\d/.test(c));
  let columnTicks = g.columnTicks ?? columns;
  let rotate = 0;
  let colLines = 1;
  const colLabel = new Map(columns.map((c) => [c, c]));
  if (colWidest + 6 > cellW) {
    const wrapped = columns.map((c) => wrap(c, cellW - 6, colFont, 3));
    if (ordinal || g.columnTicks) {
      const k = Math.ceil((colWidest + 8) / cellW);
      columnTicks = columnTicks.filter((c) => columns.indexOf(c) % k === 0);
    } else if (wrapped.every((w) => w !== null)) {
      columns.forEach((c, i) => colLabel.set(c, wrapped[i]!.join('\n')));
      colLines = Math.max(...wrapped.map((w) => w!.length));
    } else {
      rotate = -45;
      for (const c of columns) colLabel.set(c, truncateNoting(full, c, 12 * colFont, colFont));
    }
  }
  const tickBlock = rotate ? Math.ceil(maxTextWidth(colLabel.values(), colFont) * 0.71 + colFont * 0.71) + 6 : colLines * (colFont + 2) + 6;
  const marginBottom = tickBlock + line + 8;

  // The colour ramp sits on the top line with the y label; it takes a second line when both do not fit.
  const rampW = f.narrow ? 72 : 110;
  const loText = g.cellFormat(lo);
  const hiText = g.cellFormat(hi);
  const legendFont = font - 2;
  const legendW = (g.legendLabel ? textWidth(g.legendLabel, legendFont) + 8 : 0) + textWidth(loText, legendFont) + rampW + textWidth(hiText, legendFont) + 12;
  const legendOwnLine = textWidth(g.yLabel, font) + 16 + legendW > f.width;
  const marginTop = (legendOwnLine ? 2 * line : line) + 8;

  const cellH = g.cellHeight ?? (f.narrow ? 22 : 26);
  const height = Math.round(finite(o.height) ?? marginTop + marginBottom + Math.max(1, rows.length) * cellH);
  const realCellH = (height - marginTop - marginBottom) / Math.max(1, rows.length);

  const filled = cells
    .filter((c) => finite(c.value) !== null && !small(c))
    .map((c) => {
      const fill = ramp((c.value! - lo) / (hi - lo));
      return { row: c.row, column: c.column, fill, text: g.cellFormat(c.value!), textFill: onColor(fill) };
    });
  const hatched = cells.filter((c) => small(c) && finite(c.value) !== null);

  // Values: by default only when there are few cells; always only when they fit the cell.
  let valueFont = font - 1;
  const widest = maxTextWidth(filled.map((c) => c.text), valueFont);
  const want = g.showValues ?? cells.length <= 120;
  if (want && g.showValues) while (valueFont > 9 && widest * (valueFont / (font - 1)) + 4 > cellW) valueFont--;
  const valuesFit = widest * (valueFont / (font - 1)) + 4 <= cellW && valueFont + 4 <= realCellH;
  const showValues = want && valuesFit;

  // unique per drawing (the desktop and phone copies share a page), stable from build to build
  const patternId = `qh-${hashId(o.ariaLabel, f.width, height, rows.join('|'), columns.join('|'), cells.length)}`;
  const marks: Plot.Markish[] = [
    Plot.axisY({ tickFormat: (r: string) => rowLabel.get(r) ?? r, tickSize: 0, tickPadding: 6, label: g.yLabel || null, labelAnchor: 'top', labelArrow: 'none' }),
    Plot.axisX(columnTicks, {
      tickFormat: (c: string) => colLabel.get(c) ?? c,
      tickSize: 0,
      tickPadding: 5,
      tickRotate: rotate,
      fontSize: colFont,
      label: g.xLabel,
      labelAnchor: 'center',
      labelArrow: 'none',
    }),
    Plot.cell(filled, { x: 'column', y: 'row', fill: 'fill', inset: 0.5 }),
  ];
  if (hatched.length) {
    marks.push(Plot.cell(hatched, { x: 'column', y: 'row', fill: '#F2F2F2', inset: 0.5 }));
    marks.push(Plot.cell(hatched, { x: 'column', y: 'row', fill: `url(#${patternId})`, inset: 0.5 }));
  }
  if (showValues) {
    marks.push(Plot.text(filled, { x: 'column', y: 'row', text: 'text', fill: 'textFill', fontSize: valueFont }));
  }
  if (!filled.length && !hatched.length) marks.push(noDataMark(font));

  return render(
    {
      height,
      marginLeft,
      marginRight,
      marginTop,
      marginBottom,
      x: { type: 'band', domain: columns, padding: 0 },
      y: { type: 'band', domain: rows, padding: 0 },
      marks,
    },
    f,
    o,
    (svg) => {
      if (hatched.length) {
        const defs = svgElement('defs', {});
        const pattern = svgElement('pattern', { id: patternId, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
        pattern.appendChild(svgElement('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: SMALL_SAMPLE_COLOR, 'stroke-width': 1.5 }));
        defs.appendChild(pattern);
        svg.insertBefore(defs, svg.firstChild!.nextSibling);
      }
      if (filled.length) drawRamp(svg, { right: f.width - marginRight, y: legendOwnLine ? line + 4 : 3, rampW, loText, hiText, label: g.legendLabel, font: legendFont });
    },
    full,
  );
}

/** "label  lo ▮▮▮▮▮ hi", right-aligned at the top; stepped rects so no gradient id is needed. */
function drawRamp(svg: Element, r: { right: number; y: number; rampW: number; loText: string; hiText: string; label: string; font: number }): void {
  const g = svgElement('g', { 'aria-hidden': 'true', 'font-size': r.font, fill: MUTED_TEXT });
  const h = r.font;
  const hiX = r.right - textWidth(r.hiText, r.font);
  const rampX = hiX - 4 - r.rampW;
  const steps = 24;
  const sw = r.rampW / steps;
  for (let i = 0; i < steps; i++) {
    g.appendChild(svgElement('rect', { x: (rampX + i * sw).toFixed(1), y: r.y, width: (sw + 0.3).toFixed(1), height: h, fill: ramp((i + 0.5) / steps) }));
  }
  const mid = r.y + h / 2;
  g.appendChild(svgElement('text', { x: hiX, y: mid, dy: '0.32em', 'text-anchor': 'start' }, r.hiText));
  g.appendChild(svgElement('text', { x: rampX - 4, y: mid, dy: '0.32em', 'text-anchor': 'end' }, r.loText));
  if (r.label) {
    g.appendChild(svgElement('text', { x: rampX - 8 - textWidth(r.loText, r.font), y: mid, dy: '0.32em', 'text-anchor': 'end' }, r.label));
  }
  svg.appendChild(g);
}
