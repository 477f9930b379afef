/**
 * The Benchmarks page's range figures as data, drawn at build time by the page and again in
 * the browser by the filters from the same percentiles query (metrics/facts.ts benchmarksSql).
 */
import { rangeChart } from '../charts/ranges.ts';
import type { I18n } from '../i18n/index.ts';
import { BENCHMARK_METRICS } from '../metrics/facts.ts';
import type { FigureModel } from './channel-figures.ts';
import type { SiteData } from '../page-data/site-data.ts';
import { formatMetric, metricLabel, PERCENT_METRICS, typeColorOf, typeLabel } from './view.ts';

export type BenchmarkRow = SiteData['benchmarks'][number];
export type TypeNames = Pick<SiteData, 'types' | 'typeLabels'>;

export function benchmarkFigures(benchmarks: BenchmarkRow[], names: TypeNames, f: I18n): FigureModel[] {
  const site = names as SiteData;
  const fmt = (metric: string, v: number | null) => formatMetric(f, metric, v);
  return BENCHMARK_METRICS.map((metric) => {
    const rows = benchmarks
      .filter((b) => b.metric === metric)
      .map((b) => ({ key: b.groupType, name: typeLabel(site, f, b.groupType), label: `${typeLabel(site, f, b.groupType)} (${b.groups})`, color: typeColorOf(site, b.groupType), p25: b.p25, p50: b.p50, p75: b.p75 }));
    const top = [...rows].sort((a, b) => b.p50 - a.p50)[0];
    const chart = (width: number) => rangeChart({ lang: f.lang, width, ariaLabel: metricLabel(f, metric), xLabel: metricLabel(f, metric), format: PERCENT_METRICS.has(metric) ? 'percent' : 'number', rows });
    return {
      id: `range-${metric}`,
      title: metricLabel(f, metric),
      takeaway: top ? f.t('benchmarks.takeaway', { type: top.name, value: fmt(metric, top.p50) }) : f.t('channels.takeaway.none'),
      desktop: chart(560),
      phone: chart(360),
      columns: [{ label: f.t('col.type') }, { label: 'P25' }, { label: 'P50' }, { label: 'P75' }],
      rows: rows.map((r) => [r.label, fmt(metric, r.p25), fmt(metric, r.p50), fmt(metric, r.p75)]),
      smallRows: [],
      csv: 'type_benchmarks.csv',
    };
  });
}
