/**
 * The Channels page's summary table and figures as data: the page renders them at build time,
 * and the filters (client/filters.ts) render them again in the browser from channel summaries
 * the same metric code computed over duckdb-wasm. One function, two places, the same output.
 */
import { intervalChart } from '../charts/intervals.ts';
import { quantityQualityChart } from '../charts/quantity-quality.ts';
import { escapeHtml } from '../core/escape.ts';
import type { I18n, MessageKey } from '../i18n/index.ts';
import type { ChannelSummary, PointWithBand, Rate } from '../metrics/summaries.ts';
import { channelColor, SMALL_SAMPLE_COLOR } from '../charts/colors.ts';
import { labelHtml } from './long-label.ts';
import { channelLabel } from './view.ts';

export interface ChannelView {
  smallSample: number;
  hasActivity: boolean;
  hasOrders: boolean;
  channels: ChannelSummary[];
}

export interface FigureModel {
  id: string;
  title: string;
  takeaway: string;
  desktop: string;
  phone: string;
  columns: { label: string; align?: 'left' | 'right' }[];
  rows: string[][];
  smallRows: number[];
  csv: string;
  note?: string;
  legend?: { label: string; color: string }[];
}

type Format = 'percent' | 'money';

interface MetricView {
  id: string;
  key: MessageKey;
  format: Format;
  pick: (c: ChannelSummary) => Rate;
  needs: 'activity' | 'orders' | null;
  csv: string;
}

/** S(d) as a rate whose n is the memberships still followed at day d: the small-sample grey
 * judges a Kaplan–Meier figure by them, not by joins. */
const asRate = (v: PointWithBand): Rate => ({ rate: v.value, lower: v.lower, upper: v.upper, n: v.atRisk, x: 0 });

export const CHANNEL_METRICS: MetricView[] = [
  { id: 'activation', key: 'metric.activation_rate', format: 'percent', pick: (c) => c.activation, needs: 'activity', csv: 'channel_summary.csv' },
  { id: 'retention-d30', key: 'metric.retention_d30', format: 'percent', pick: (c) => asRate(c.retention.d30), needs: null, csv: 'channel_summary.csv' },
  { id: 'conversion', key: 'metric.conversion_30d', format: 'percent', pick: (c) => c.conversion30d, needs: 'orders', csv: 'channel_summary.csv' },
  { id: 'repurchase', key: 'metric.repurchase_rate', format: 'percent', pick: (c) => c.repurchase, needs: 'orders', csv: 'channel_summary.csv' },
  { id: 'gmv', key: 'metric.gmv_per_joiner_90d', format: 'money', pick: (c) => ({ rate: c.gmv90.mean, lower: c.gmv90.lower, upper: c.gmv90.upper, n: c.gmv90.n, x: 0 }), needs: 'orders', csv: 'channel_summary.csv' },
];

export function channelPage(view: ChannelView, f: I18n) {
  const small = (n: number) => n < view.smallSample;
  const used = view.channels.filter((c) => c.joins > 0);
  const fmt = (format: Format, v: number | null) => (format === 'percent' ? f.pct(v) : f.money(v));
  const range = (format: Format, r: Rate) => (r.lower === null || r.upper === null ? '—' : `${fmt(format, r.lower)}–${fmt(format, r.upper)}`);

  function bestAndWorst(pick: (c: ChannelSummary) => Rate) {
    const rows = used.filter((c) => c.channel !== 'other' && pick(c).rate !== null && !small(pick(c).n));
    const sorted = [...rows].sort((a, b) => pick(b).rate! - pick(a).rate!);
    return { best: sorted[0], worst: sorted[sorted.length - 1] };
  }
  function takeaway(m: MetricView): string {
    const { best, worst } = bestAndWorst(m.pick);
    if (!best || !worst || best === worst) return f.t('channels.takeaway.none');
    const b = m.pick(best);
    const w = m.pick(worst);
    const overlap = b.lower !== null && w.upper !== null && b.lower <= w.upper;
    return f.t(overlap ? 'channels.takeaway.overlap' : 'channels.takeaway.clear', {
      best: channelLabel(f, best.channel),
      bestValue: fmt(m.format, b.rate),
      worst: channelLabel(f, worst.channel),
      worstValue: fmt(m.format, w.rate),
    });
  }
  const rateRows = (pick: (c: ChannelSummary) => Rate) =>
    used.map((c) => {
      const r = pick(c);
      const isSmall = small(r.n);
      return { key: c.channel, label: channelLabel(f, c.channel), color: isSmall ? SMALL_SAMPLE_COLOR : channelColor(c.channel), value: r.rate, lower: r.lower, upper: r.upper, n: r.n, small: isSmall };
    });

  /** The summary table's body, as HTML (every value escaped). */
  const summaryRows = view.channels
    .map((c) => {
      const cell = (r: Rate, format: Format = 'percent') =>
        `<td${small(r.n) ? ' class="small"' : ''}>${escapeHtml(fmt(format, r.rate))}<br><span class="ci">${escapeHtml(range(format, r))}</span>${small(r.n) && r.n > 0 ? `<span class="ci"> n=${r.n}</span>` : ''}</td>`;
      return `<tr><th scope="row" class="left"><span class="swatch" style="background:${channelColor(c.channel)}"></span>${escapeHtml(channelLabel(f, c.channel))}</th><td>${escapeHtml(f.int(c.joins))}</td>${view.hasActivity ? cell(c.activation) : ''}${cell(asRate(c.retention.d7))}${cell(asRate(c.retention.d30))}${cell(asRate(c.retention.d90))}${view.hasOrders ? cell(c.conversion30d) + cell(c.repurchase) + cell({ rate: c.gmv90.mean, lower: c.gmv90.lower, upper: c.gmv90.upper, n: c.gmv90.n, x: 0 }, 'money') : ''}</tr>`;
    })
    .join('');

  // quantity vs quality: joins (x) against 30-day retention and conversion (y)
  const qq = (pick: (c: ChannelSummary) => Rate) =>
    used.map((c) => {
      const r = pick(c);
      return { key: c.channel, label: channelLabel(f, c.channel), color: small(r.n) ? SMALL_SAMPLE_COLOR : channelColor(c.channel), x: c.joins, y: r.rate, lower: r.lower, upper: r.upper, small: small(r.n) };
    });
  const mostJoins = [...used].sort((a, b) => b.joins - a.joins)[0];
  const bestKept = bestAndWorst((c) => asRate(c.retention.d30)).best;
  const qqFigure = (id: string, titleKey: MessageKey, yKey: MessageKey, pick: (c: ChannelSummary) => Rate, take: string, extraN: boolean): FigureModel => {
    const chart = (width: number) => quantityQualityChart({ lang: f.lang, width, ariaLabel: f.t(titleKey), xLabel: f.t('axis.joins'), yLabel: f.t(yKey), points: qq(pick) });
    return {
      id,
      title: f.t(titleKey),
      takeaway: take,
      desktop: chart(560),
      phone: chart(360),
      columns: [{ label: f.t('col.channel') }, { label: f.t('metric.joins') }, { label: f.t(yKey) }, { label: f.t('meta.ci') }, ...(extraN ? [{ label: 'n' }] : [])],
      rows: used.map((c) => {
        const r = pick(c);
        return [channelLabel(f, c.channel), f.int(c.joins), f.pct(r.rate), f.pctRange(r.lower, r.upper), ...(extraN ? [f.int(r.n)] : [])];
      }),
      smallRows: [],
      csv: 'channel_summary.csv',
    };
  };
  const quantityQuality: FigureModel[] = [
    qqFigure('quantity-retention', 'channels.qq.retention', 'metric.retention_d30', (c) => asRate(c.retention.d30), mostJoins && bestKept ? f.t('channels.qq.takeaway', { most: channelLabel(f, mostJoins.channel), best: channelLabel(f, bestKept.channel) }) : f.t('channels.takeaway.none'), false),
    ...(view.hasOrders ? [qqFigure('quantity-conversion', 'channels.qq.conversion', 'metric.conversion_30d', (c) => c.conversion30d, takeaway(CHANNEL_METRICS[2]), true)] : []),
  ];

  const available = CHANNEL_METRICS.filter((m) => (m.needs === 'activity' ? view.hasActivity : m.needs === 'orders' ? view.hasOrders : true));
  const rates: FigureModel[] = available.map((m) => {
    const rows = rateRows(m.pick);
    const chart = (width: number) => intervalChart({ lang: f.lang, width, ariaLabel: f.t(m.key), xLabel: m.format === 'percent' ? f.t('axis.share') : f.t('axis.cny'), format: m.format, rows, domain: m.format === 'percent' ? [0, 1] : undefined });
    return {
      id: m.id,
      title: f.t(m.key),
      takeaway: takeaway(m),
      desktop: chart(560),
      phone: chart(360),
      columns: [{ label: f.t('col.channel') }, { label: f.t(m.key) }, { label: f.t('meta.ci') }, { label: 'n' }],
      rows: rows.map((r) => [r.label, fmt(m.format, r.value), r.lower === null ? '—' : `${fmt(m.format, r.lower)}–${fmt(m.format, r.upper)}`, f.int(r.n)]),
      smallRows: rows.flatMap((r, i) => (r.small ? [i] : [])),
      csv: m.csv,
      note: f.t(`channels.note.${m.id}` as MessageKey),
    };
  });
  return { summaryRows, quantityQuality, rates };
}

/** A figure's data table body, as the Figure component writes it (long labels boxed, as Label.astro does). */
export function figureRowsHtml(model: FigureModel): string {
  return model.rows
    .map((r, i) => `<tr${model.smallRows.includes(i) ? ' class="small"' : ''}>${r.map((v, j) => (j === 0 ? `<th scope="row" class="left">${labelHtml(v)}</th>` : `<td${model.columns[j]?.align === 'left' ? ' class="left"' : ''}>${labelHtml(v)}</td>`)).join('')}</tr>`)
    .join('');
}

/** A figure's legend items, as the Figure component writes them. */
export function legendHtml(model: FigureModel): string {
  return (model.legend ?? []).map((l) => `<li><span class="swatch" style="background:${l.color}"></span>${escapeHtml(l.label)}</li>`).join('');
}
