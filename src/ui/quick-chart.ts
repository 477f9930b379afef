/**
 * Explore's quick chart: which chart a query result makes, and the result reshaped for it.
 * Arquero does the reshaping (a long table into its largest series, repeated labels summed),
 * in the browser on rows already fetched, where another SQL round trip would say the same.
 */
import * as aq from 'arquero';

export interface ResultColumn {
  name: string;
  type: string;
}

export type QuickChart =
  | { kind: 'line'; x: string; y: string; series: string | null; dates: boolean; data: Record<string, unknown>[] }
  | { kind: 'dot'; x: string; y: string; data: Record<string, unknown>[] }
  | { kind: 'bar'; x: string; y: string; data: { label: string; value: number }[] };

/** Most series a line chart draws, and most bars: beyond that a chart is a blur (the table has all). */
export const MAX_SERIES = 8;
export const MAX_BARS = 40;

const isNumeric = (c: ResultColumn, rows: Record<string, unknown>[]) => rows.some((r) => typeof r[c.name] === 'number') && rows.every((r) => r[c.name] === null || typeof r[c.name] === 'number');
const isDate = (c: ResultColumn) => /^(Date|Timestamp|DATE|TIMESTAMP)/.test(c.type);

export function quickChart(columns: ResultColumn[], rows: Record<string, unknown>[]): QuickChart | null {
  if (!rows.length) return null;
  // x is the first column, y the first number after it (else: the first number, x the first other column)
  let x: ResultColumn | undefined = columns[0];
  let y = columns.find((c) => c !== x && isNumeric(c, rows));
  if (!y) {
    y = columns.find((c) => isNumeric(c, rows));
    x = columns.find((c) => c !== y);
  }
  if (!y || !x) return null;
  const table = aq.from(rows);
  if (isDate(x) || isNumeric(x, rows)) {
    const series = columns.find((c) => c !== x && c !== y && !isNumeric(c, rows) && !isDate(c)) ?? null;
    if (!series) return isDate(x) ? { kind: 'line', x: x.name, y: y.name, series: null, dates: true, data: table.orderby(x.name).objects() as Record<string, unknown>[] } : { kind: 'dot', x: x.name, y: y.name, data: rows };
    // long format: one line per series value, the largest MAX_SERIES by total
    const keep = table
      .derive({ __size: aq.escape((d: Record<string, unknown>) => Math.abs(Number(d[y.name] ?? 0))) })
      .groupby(series.name)
      .rollup({ total: aq.op.sum('__size') })
      .orderby(aq.desc('total'))
      .slice(0, MAX_SERIES)
      .array(series.name) as unknown[];
    const kept = new Set(keep);
    const data = table
      .filter(aq.escape((d: Record<string, unknown>) => kept.has(d[series.name])))
      .orderby(series.name, x.name)
      .objects() as Record<string, unknown>[];
    return { kind: 'line', x: x.name, y: y.name, series: series.name, dates: isDate(x), data };
  }
  // labels: repeated labels summed, in the order the result first gives them, the first MAX_BARS
  const order = new Map<unknown, number>();
  rows.forEach((r, i) => order.has(r[x.name]) || order.set(r[x.name], i));
  const data = (table.groupby(x.name).rollup({ value: aq.op.sum(y.name) }).objects() as Record<string, unknown>[])
    .sort((a, b) => order.get(a[x.name])! - order.get(b[x.name])!)
    .map((d) => ({ label: d[x.name] === null ? '—' : String(d[x.name]), value: Number(d.value) }));
  return { kind: 'bar', x: x.name, y: y.name, data: data.slice(0, MAX_BARS) };
}
