/**
 * From site data to what pages show: labels, chart inputs, finding sentences. Pages stay thin
 * over these; no number is computed here that the pipeline did not compute (only picked,
 * ordered and formatted).
 */
import type { Finding } from '../metrics/findings.ts';
import type { Rate } from '../metrics/summaries.ts';
import type { I18n, Lang, MessageKey } from '../i18n/index.ts';
import type { DrawnCurve } from '../stats/index.ts';
import { channelColor, SMALL_SAMPLE_COLOR, typeColor } from '../charts/colors.ts';
import type { SiteData } from '../page-data/site-data.ts';

/** Long lists of groups on a page (zombies, flagged) show this many; the CSV has them all. */
export const LIST_LIMIT = 100;

export function channelLabel(f: I18n, channel: string): string {
  return f.t(`channel.${channel}` as MessageKey);
}

export function typeLabel(site: SiteData, f: I18n, type: string): string {
  const labels = site.typeLabels[type];
  return labels ? labels[f.lang] : type;
}

export function typeColorOf(site: SiteData, type: string): string {
  return typeColor(type, site.types);
}

export function metricLabel(f: I18n, metric: string): string {
  return f.t(`metric.${metric}` as MessageKey);
}

export function isSmall(site: SiteData, n: number): boolean {
  return n < site.meta.smallSample;
}

/** Rows of an interval chart: one per channel with joins, in the fixed channel order. */
export function channelRateRows(site: SiteData, f: I18n, pick: (c: SiteData['channels'][number]) => Rate) {
  return site.channels
    .filter((c) => c.joins > 0)
    .map((c) => {
      const r = pick(c);
      const small = isSmall(site, r.n);
      return {
        key: c.channel,
        label: channelLabel(f, c.channel),
        color: small ? SMALL_SAMPLE_COLOR : channelColor(c.channel),
        value: r.rate,
        lower: r.lower,
        upper: r.upper,
        n: r.n,
        small,
      };
    });
}

/** Curve points for the survival chart. */
export function curvePoints(curve: DrawnCurve) {
  return curve.points.map((p) => ({ time: p.time, survival: p.survival, lower: p.lower, upper: p.upper }));
}

/** S(t) of a curve read as a step function (for the tables behind survival charts). */
export function survivalAtDay(curve: DrawnCurve, day: number): number | null {
  if (!curve.points.length) return null;
  const last = curve.points[curve.points.length - 1];
  if (day > last.time) return null;
  let s = 1;
  for (const p of curve.points) {
    if (p.time <= day) s = p.survival;
    else break;
  }
  return s;
}

/** A confidence interval of days, also when one side is not reached (R gives NA). */
export function daysInterval(f: I18n, lower: number | null, upper: number | null): string {
  if (lower === null && upper === null) return '—';
  if (upper === null) return `≥ ${f.int(lower)}`;
  if (lower === null) return `≤ ${f.int(upper)}`;
  return `${f.int(lower)}–${f.int(upper)}`;
}

export function pValue(f: I18n, p: number | null): string {
  if (p === null) return '—';
  if (p < 0.001) return '< 0.001';
  return `= ${f.num(p, 3)}`;
}

/** A finding as a sentence in the page's language, plus its significance note. */
export function findingText(site: SiteData, f: I18n, finding: Finding): { text: string; note: string; tone: 'strong' | 'weak' | 'info' } {
  switch (finding.kind) {
    case 'retention_d30':
    case 'conversion_30d':
    case 'activation_rate': {
      const text = f.t(`finding.${finding.kind}` as MessageKey, {
        best: channelLabel(f, finding.best),
        worst: channelLabel(f, finding.worst),
        bestValue: f.pct(finding.bestValue),
        worstValue: f.pct(finding.worstValue),
      });
      const test = f.t(finding.test === 'log-rank' ? 'finding.test.logrank' : 'finding.test.proportions');
      const note = finding.significant
        ? f.t('finding.significant', { test, p: pValue(f, finding.p) })
        : f.t('finding.notSignificant', { test, p: pValue(f, finding.p) });
      return { text, note, tone: finding.significant ? 'strong' : 'weak' };
    }
    case 'lifespan': {
      const longest =
        finding.longestMedian === null
          ? f.t('finding.lifespan.alive', { type: typeLabel(site, f, finding.longest) })
          : f.t('finding.lifespan.median', { type: typeLabel(site, f, finding.longest), days: f.int(finding.longestMedian) });
      const text = f.t('finding.lifespan', { type: typeLabel(site, f, finding.shortest), days: f.int(finding.shortestMedian), longest });
      const test = f.t('finding.test.logrank');
      const note = finding.significant
        ? f.t('finding.significant', { test, p: pValue(f, finding.p) })
        : f.t('finding.notSignificant', { test, p: pValue(f, finding.p) });
      return { text, note, tone: finding.significant ? 'strong' : 'weak' };
    }
    case 'zombies': {
      const text = f.t('finding.zombies', {
        zombies: f.int(finding.zombies),
        share: f.pct(finding.share),
        days: site.meta.silenceDays,
        type: finding.worstType ? typeLabel(site, f, finding.worstType) : '—',
        typeZombies: f.int(finding.worstTypeZombies),
      });
      return { text, note: f.t('finding.zombies.note'), tone: 'info' };
    }
  }
}

/** Statuses and flags as text. */
export function flagLabel(f: I18n, flag: string): string {
  if (flag.startsWith('below_p25:')) return f.t('flag.below_p25', { metric: metricLabel(f, flag.slice('below_p25:'.length)) });
  if (flag.startsWith('core_user_over_')) return f.t('flag.core_user_over_100');
  return f.t(`flag.${flag}` as MessageKey);
}

/** What the filters' script needs to recompute a page (Filters.astro passes it as data). */
export function filterView(site: SiteData, lang: Lang) {
  return {
    lang,
    confLevel: site.meta.confLevel,
    maxWeeks: site.meta.maxWeeks,
    smallSample: site.meta.smallSample,
    hasActivity: site.meta.activitySource !== null,
    hasOrders: site.meta.hasOrders,
    typeNames: { types: site.types, typeLabels: site.typeLabels },
  };
}

/** Group metrics that are shares (shown as %); the others are counts or averages. */
export const PERCENT_METRICS = new Set(['weekly_active_ratio', 'activation_rate', 'conversion_30d', 'retained_d30']);

/** A group metric's value as pages show it: a share as %, size whole, averages to 2 places. */
export function formatMetric(f: I18n, metric: string, v: number | null): string {
  return PERCENT_METRICS.has(metric) ? f.pct(v) : f.num(v, metric === 'size' ? 0 : 2);
}
