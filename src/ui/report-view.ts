/**
 * How a notebook report's results look on its page: cell values formatted per locale, and
 * report charts drawn with the site's chart library (channel and group-type values get their
 * fixed colours and labels, as everywhere else on the site).
 */
import { barsChart } from '../charts/bars.ts';
import { trendChart } from '../charts/trend.ts';
import type { I18n } from '../i18n/index.ts';
import type { ChartSpec } from '../notebook/parse.ts';
import type { Cell, CellResult } from '../notebook/run.ts';
import { CHANNEL_COLORS } from '../charts/colors.ts';
import { csvDataUri } from './csv.ts';
import type { SiteData } from '../page-data/site-data.ts';
import { channelLabel, typeColorOf, typeLabel } from './view.ts';

const ACCENT = '#0072B2';
const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;

export function isNumericColumn(type: string): boolean {
  return NUMERIC.test(type);
}

/**
 * A cell value as the table shows it: numbers per locale, and channel and group-type keys (in
 * columns named channel / group_type) by their names, as on every other page; the CSV and the
 * SQL keep the keys.
 */
export function formatCell(f: I18n, value: Cell, type: string, column = '', site?: SiteData): string {
  if (value === null) return '—';
  if (site && typeof value === 'string' && (column === 'channel' || column === 'group_type')) return valueStyle(site, f, value).label;
  if (typeof value === 'boolean') return value ? '✓' : '✗';
  if (typeof value === 'number') {
    if (Number.isInteger(value) && !/FLOAT|DOUBLE|DECIMAL/.test(type)) return f.int(value);
    const digits = Math.abs(value) >= 100 ? 1 : Math.abs(value) >= 1 ? 2 : 4;
    return new Intl.NumberFormat(f.locale, { maximumFractionDigits: digits }).format(value);
  }
  return String(value);
}

/** Label and colour of a value drawn as a bar or a line: channels and types keep theirs. */
export function valueStyle(site: SiteData, f: I18n, value: string): { label: string; color: string } {
  if (value in CHANNEL_COLORS) return { label: channelLabel(f, value), color: CHANNEL_COLORS[value] };
  if (site.types.includes(value)) return { label: typeLabel(site, f, value), color: typeColorOf(site, value) };
  return { label: value, color: ACCENT };
}

export function cellCsvHref(cell: CellResult): string {
  return csvDataUri(cell.columns.map((c) => c.name), cell.rows.map((r) => r.map((v) => (typeof v === 'boolean' ? String(v) : v))));
}

/** The chart of a report, at a width; its table is the cell's. */
export function reportChart(site: SiteData, f: I18n, spec: ChartSpec, cell: CellResult, width: number): string {
  const col = (name: string) => cell.columns.findIndex((c) => c.name === name);
  const xi = col(spec.x);
  const yi = col(spec.y);
  const num = (v: Cell) => (typeof v === 'number' ? v : v === null ? null : Number(v));
  if (spec.type === 'bar') {
    return barsChart({
      lang: f.lang,
      width,
      ariaLabel: spec.title,
      xLabel: spec.xLabel ?? spec.x,
      format: spec.format,
      rows: cell.rows.map((r) => {
        const key = String(r[yi] ?? '—');
        const style = valueStyle(site, f, key);
        return { key, label: style.label, color: style.color, value: num(r[xi]) };
      }),
    });
  }
  const si = spec.series ? col(spec.series) : -1;
  const series = new Map<string, { x: number | string; y: number | null }[]>();
  for (const r of cell.rows) {
    const key = si >= 0 ? String(r[si] ?? '—') : spec.y;
    if (!series.has(key)) series.set(key, []);
    series.get(key)!.push({ x: r[xi] as number | string, y: num(r[yi]) });
  }
  return trendChart({
    lang: f.lang,
    width,
    ariaLabel: spec.title,
    xLabel: spec.xLabel ?? spec.x,
    yLabel: spec.yLabel ?? spec.y,
    format: spec.format === 'money' ? 'money' : spec.format,
    series: [...series].map(([key, points]) => {
      const style = si >= 0 ? valueStyle(site, f, key) : { label: spec.yLabel ?? spec.y, color: ACCENT };
      return { key, label: style.label, color: style.color, points };
    }),
  });
}

/** The legend of a line chart with series (bars carry their labels). */
export function reportLegend(site: SiteData, f: I18n, spec: ChartSpec, cell: CellResult): { label: string; color: string }[] | undefined {
  if (spec.type !== 'line' || !spec.series) return undefined;
  const si = cell.columns.findIndex((c) => c.name === spec.series);
  const keys = [...new Set(cell.rows.map((r) => String(r[si] ?? '—')))];
  return keys.map((k) => valueStyle(site, f, k));
}
