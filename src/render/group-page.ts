/**
 * A group's page content, as HTML text. Group pages are the one page kind that comes in
 * thousands, so they are written by this function into the page shell Astro rendered (layout,
 * navigation, styles), with the light SVG charts of charts/svg.ts: microseconds per page, and
 * like every page they read with JavaScript off and print.
 */
import { barChart, rhythmGrid, stepChart, weeklyChart } from '../charts/svg.ts';
import { escapeHtml as esc } from '../core/escape.ts';
import { i18n, type I18n, type Lang } from '../i18n/index.ts';
import type { GroupPage } from '../page-data/group-pages.ts';
import { memo, type MemoCache } from '../core/memo.ts';
import { channelColor } from '../charts/colors.ts';
import { csvDataUri } from '../ui/csv.ts';
import type { SiteData } from '../page-data/site-data.ts';
import { labelHtml } from '../ui/long-label.ts';
import { tableWrap } from '../ui/table-wrap.ts';
import { channelLabel, flagLabel, formatMetric, metricLabel, survivalAtDay, typeColorOf, typeLabel } from '../ui/view.ts';


interface FigureInput {
  id: string;
  title: string;
  takeaway: string;
  desktop: string;
  phone: string;
  legend?: { label: string; color: string }[];
  columns: string[];
  rows: (string | number)[][];
  csvHref: string;
  csvName: string;
}

/** The markup of components/Figure.astro, for pages written outside Astro. */
export function figureHtml(f: I18n, o: FigureInput): string {
  const legend = o.legend?.length
    ? `<ul class="legend" aria-hidden="true">${o.legend.map((l) => `<li><span class="swatch" style="background:${l.color}"></span>${esc(l.label)}</li>`).join('')}</ul>`
    : '';
  const head = o.columns.map((c, i) => `<th scope="col"${i === 0 ? ' class="left"' : ''}>${esc(c)}</th>`).join('');
  const body = o.rows.map((r) => `<tr>${r.map((v, j) => (j === 0 ? `<th scope="row" class="left">${labelHtml(String(v))}</th>` : `<td>${esc(String(v))}</td>`)).join('')}</tr>`).join('');
  return `<figure class="figure" id="${o.id}" aria-labelledby="${o.id}-title"><figcaption><h3 id="${o.id}-title">${esc(o.title)}</h3><p class="takeaway">${esc(o.takeaway)}</p></figcaption>${legend}<div class="chart chart-desktop">${o.desktop}</div><div class="chart chart-phone">${o.phone}</div><div class="figure-actions"><details class="data"><summary>${esc(f.t('meta.table'))}</summary>${tableWrap(o.title, `<table><caption>${esc(o.title)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`)}</details><a class="download" href="${o.csvHref}" download="${esc(o.csvName)}">${esc(f.t('meta.download'))}</a></div></figure>`;
}

/**
 * What a group's page shows the same in both languages (CSV links, chart points), made once:
 * the charts keep their traced paths by the points' identity (charts/svg.ts).
 */
const PER_GROUP: MemoCache<unknown> = new WeakMap();
const perGroup = <T>(g: GroupPage, name: string, make: () => T): T => memo(PER_GROUP, g, name, make) as T;
const groupCsv = (g: GroupPage, name: string, columns: string[], rows: () => (string | number | null)[][]) => perGroup(g, `csv:${name}`, () => csvDataUri(columns, rows()));

/** The longest stretch the weekly chart draws: five years (about 1.8 px a week at 520 px). */
export const WEEKLY_MAX_DAYS = 5 * 365;
const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The weeks a group's activity chart shows and its takeaway speaks of: the group's whole life,
 * from its creation to its dissolution or the report date, stretched to any activity outside it
 * (messages dated before the group was created or after it was dissolved are kept by the
 * pipeline), and at most the last WEEKLY_MAX_DAYS of it (`capped`). Weeks without a message
 * are drawn at zero. The busiest week is one of the weeks shown: chart and sentence agree.
 */
export function weeklyWindow(g: Pick<GroupPage, 'created' | 'dissolved' | 'weekly'>, asOf: string): { from: string; to: string; weeks: GroupPage['weekly']; busiest: GroupPage['weekly'][number] | null; capped: boolean } {
  const end = g.dissolved && g.dissolved <= asOf ? g.dissolved : asOf;
  const firstWeek = g.weekly[0]?.week;
  const lastWeek = g.weekly[g.weekly.length - 1]?.week;
  let from = firstWeek && firstWeek < g.created ? firstWeek : g.created;
  const to = lastWeek && lastWeek > end ? lastWeek : end;
  let weeks = g.weekly;
  const capped = Date.parse(to) - Date.parse(from) > WEEKLY_MAX_DAYS * DAY_MS;
  if (capped) {
    from = isoDay(Date.parse(to) - WEEKLY_MAX_DAYS * DAY_MS);
    weeks = g.weekly.filter((w) => w.week >= from);
  }
  let busiest: GroupPage['weekly'][number] | null = null;
  for (const w of weeks) if (!busiest || w.activeMembers > busiest.activeMembers) busiest = w;
  return { from, to, weeks, busiest, capped };
}

export function groupPageMain(site: SiteData, g: GroupPage & { slug: string }, lang: Lang, pageUrl: (path: string) => string): string {
  const f = i18n(lang);
  const fmt = (metric: string, v: number | null) => formatMetric(f, metric, v);
  const name = g.name ?? g.id;
  const typeName = typeLabel(site, f, g.groupType);
  const badge = (cls: string, text: string) => `<span class="badge ${cls}">${esc(text)}</span>`;
  const parts: string[] = [];

  parts.push(`<p class="crumbs"><a href="${pageUrl('groups/')}">${esc(f.t('nav.groups'))}</a> › ${esc(typeName)}</p><h1>${esc(name)}</h1>`);
  const where = [typeName, g.store, g.region, g.owner && `${f.t('col.owner')} ${g.owner}`, f.t('group.created', { date: f.date(g.created) }), g.dissolved && f.t('group.dissolvedOn', { date: f.date(g.dissolved) })].filter(Boolean) as string[];
  parts.push(`<p class="lede">${badge(g.status, f.t(`status.${g.status}`))} ${esc(where.join(' · '))}</p>`);
  if (g.flags.length) parts.push(`<p>${g.flags.map((fl) => badge('flag', flagLabel(f, fl))).join('')}</p>`);

  const stat = (label: string, value: string, detail?: string, warn = false) =>
    `<div class="stat${warn ? ' warn' : ''}"><div class="stat-label">${esc(label)}</div><div class="stat-value">${esc(value)}</div>${detail ? `<div class="stat-detail">${esc(detail)}</div>` : ''}</div>`;
  const war = g.metrics.find((m) => m.metric === 'weekly_active_ratio')?.value ?? null;
  parts.push(
    `<section class="stats" aria-label="${esc(f.t('overview.headline'))}">${stat(f.t('metric.size'), f.int(g.size), f.t('group.joins', { n: f.int(g.joins) }))}${stat(f.t('metric.weekly_active_ratio'), fmt('weekly_active_ratio', war))}${stat(f.t('metric.days_silent'), f.int(g.daysSilent), f.t('group.lastActive', { date: f.date(g.lastActive) }), g.status === 'zombie')}${stat(f.t('metric.lifespan_days'), f.int(g.lifespanDays), g.status === 'alive' ? f.t('group.stillAlive') : f.t(`status.${g.status}`))}</section>`,
  );

  // the group against its type: value, P25/P50/P75, rank, and its position as a range bar
  const rows = g.metrics
    .map((m) => {
      const lo = Math.min(m.p25 ?? 0, m.value ?? Infinity, 0);
      const hi = Math.max((m.p75 ?? 0) * 1.5, m.value ?? 0, m.p75 ?? 0) || 1;
      const x = (v: number) => `${((100 * (v - lo)) / (hi - lo)).toFixed(1)}%`;
      const bar =
        m.p25 !== null && m.p75 !== null
          ? `<span class="range" role="img" aria-label="${esc(f.t('group.rangeLabel', { value: fmt(m.metric, m.value), p25: fmt(m.metric, m.p25), p75: fmt(m.metric, m.p75) }))}"><span class="iqr" style="left:${x(m.p25)};width:calc(${x(m.p75)} - ${x(m.p25)})"></span>${m.p50 !== null ? `<span class="median" style="left:${x(m.p50)}"></span>` : ''}${m.value !== null ? `<span class="dot" style="left:${x(m.value)}"></span>` : ''}</span>`
          : '';
      // the day-30 stay of a group with few members still followed at day 30 is a small sample
      const small = m.metric === 'retained_d30' && m.value !== null && g.retainedD30.atRisk < site.meta.smallSample;
      const value = `<b>${esc(fmt(m.metric, m.value))}</b>${small ? `<span class="ci"> ${esc(f.t('metric.at_risk_d30'))} ${esc(f.int(g.retainedD30.atRisk))}</span>` : ''}`;
      return `<tr${m.belowP25 ? ' class="below"' : ''}><th scope="row" class="left">${esc(metricLabel(f, m.metric))}</th><td${small ? ' class="small"' : ''}>${value}</td><td>${esc(fmt(m.metric, m.p25))}</td><td>${esc(fmt(m.metric, m.p50))}</td><td>${esc(fmt(m.metric, m.p75))}</td><td>${m.rank === null ? '—' : esc(f.pct(m.rank, 0))}</td><td class="range-col">${bar}</td></tr>`;
    })
    .join('');
  parts.push(
    `<h2>${esc(f.t('group.benchmark.title', { type: typeName }))}</h2>${tableWrap(f.t('group.benchmark.caption'), `<table class="bench"><caption>${esc(f.t('group.benchmark.caption'))}</caption><thead><tr><th scope="col">${esc(f.t('col.metric'))}</th><th scope="col">${esc(f.t('group.value'))}</th><th scope="col">P25</th><th scope="col">P50</th><th scope="col">P75</th><th scope="col">${esc(f.t('metric.rank'))}</th><th scope="col" class="range-col">${esc(f.t('group.position'))}</th></tr></thead><tbody>${rows}</tbody></table>`)}<p class="muted small-print">${esc(f.t('group.benchmark.note'))}</p>`,
  );

  // membership retention against all members of its type
  const typeCurve = site.typeMembershipCurves.find((c) => c.groupType === g.groupType)?.curve;
  const series = [
    // the group's own points, not a copy: their traced paths are kept for the other language
    { label: f.t('group.thisGroup'), color: '#1f2328', points: g.retention.points, band: true, n: g.retention.n },
    ...(typeCurve ? [{ label: f.t('group.typeAll', { type: typeName }), color: typeColorOf(site, g.groupType), points: typeCurve.points, band: false, n: typeCurve.n }] : []),
  ];
  const retention = (width: number) =>
    stepChart({ f, width, ariaLabel: f.t('group.retention.title'), xLabel: f.t('axis.daysSinceJoined'), yLabel: f.t('axis.stillMember'), xMax: 180, markers: [30, 90], series });
  const g30 = survivalAtDay(g.retention, 30);
  const t30 = typeCurve ? survivalAtDay(typeCurve, 30) : null;
  const figures: string[] = [
    figureHtml(f, {
      id: 'retention',
      title: f.t('group.retention.title'),
      takeaway: g30 !== null && t30 !== null ? f.t('group.retention.takeaway', { value: f.pct(g30), typeValue: f.pct(t30), type: typeName }) : f.t('group.retention.none'),
      desktop: retention(520),
      phone: retention(360),
      legend: series.map((s) => ({ label: `${s.label} (n=${f.int(s.n)})`, color: s.color })),
      columns: [f.t('col.series'), ...[7, 30, 90].map((d) => f.t('col.stillMemberAt', { days: d }))],
      rows: [[f.t('group.thisGroup'), ...[7, 30, 90].map((d) => f.pct(survivalAtDay(g.retention, d)))], ...(typeCurve ? [[typeName, ...[7, 30, 90].map((d) => f.pct(survivalAtDay(typeCurve, d)))]] : [])],
      csvHref: groupCsv(g, 'retention', ['day', 'at_risk', 'events', 'survival', 'lower', 'upper'], () => g.retention.points.map((p) => [p.time, p.atRisk, p.events, p.survival, p.lower, p.upper])),
      csvName: `${g.slug}-retention.csv`,
    }),
  ];
  if (g.channels.length) {
    const bars = g.channels.map((c) => ({ label: channelLabel(f, c.channel), color: channelColor(c.channel), value: c.joins }));
    const top = g.channels[0];
    figures.push(
      figureHtml(f, {
        id: 'channels',
        title: f.t('group.channels.title'),
        takeaway: f.t('group.channels.takeaway', { channel: channelLabel(f, top.channel), share: f.pct(top.joins / Math.max(1, g.joins)) }),
        desktop: barChart({ width: 520, ariaLabel: f.t('group.channels.title'), xLabel: f.t('metric.joins'), rows: bars, format: (v) => f.int(v) }),
        phone: barChart({ width: 360, ariaLabel: f.t('group.channels.title'), xLabel: f.t('metric.joins'), rows: bars, format: (v) => f.int(v) }),
        columns: [f.t('col.channel'), f.t('metric.joins')],
        rows: g.channels.map((c) => [channelLabel(f, c.channel), f.int(c.joins)]),
        csvHref: groupCsv(g, 'channels', ['channel', 'joins'], () => g.channels.map((c) => [c.channel, c.joins])),
        csvName: `${g.slug}-channels.csv`,
      }),
    );
  }
  parts.push(`<div class="grid-2">${figures.join('')}</div>`);

  if (site.meta.activitySource === null) {
    parts.push(`<p class="notice">${esc(f.t('meta.missing.activity'))}</p>`);
  } else {
    const span = perGroup(g, 'weekly window', () => weeklyWindow(g, site.meta.asOf));
    const { busiest } = span;
    const weekly = (width: number) =>
      weeklyChart({
        f, width, ariaLabel: f.t('group.weekly.title'), yLabel: f.t('axis.activeMembers'), xLabel: f.t('axis.week'), color: typeColorOf(site, g.groupType),
        points: perGroup(g, 'weekly', () => span.weeks.map((w) => ({ week: w.week, value: w.activeMembers }))), from: span.from, to: span.to, zeroGaps: 7,
      });
    const weeklyTakeaway = !busiest
      ? f.t('group.weekly.none')
      : f.t(span.capped ? 'group.weekly.takeawayRecent' : 'group.weekly.takeaway', { week: f.date(busiest.week), n: f.int(busiest.activeMembers), years: WEEKLY_MAX_DAYS / 365 });
    const activity = [
      figureHtml(f, {
        id: 'weekly',
        title: f.t('group.weekly.title'),
        takeaway: weeklyTakeaway,
        desktop: weekly(520),
        phone: weekly(360),
        columns: [f.t('col.week'), f.t('axis.activeMembers'), f.t('col.messages')],
        rows: g.weekly.map((w) => [w.week, f.int(w.activeMembers), f.int(w.messages)]),
        csvHref: groupCsv(g, 'weekly', ['week', 'active_members', 'messages'], () => g.weekly.map((w) => [w.week, w.activeMembers, w.messages])),
        csvName: `${g.slug}-weekly.csv`,
      }),
    ];
    if (site.meta.hasHourly) {
      const days = lang === 'zh' ? ['一', '二', '三', '四', '五', '六', '日'] : ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
      const peak = [...g.hourly].sort((a, b) => b.messages - a.messages)[0];
      const byCell = new Map(g.hourly.map((c) => [c.weekday * 24 + c.hour, c.messages]));
      const grid = (width: number) => rhythmGrid({ width, ariaLabel: f.t('group.rhythm.title'), weekdayLabels: days, hourLabel: f.t('axis.hour'), cells: g.hourly });
      activity.push(
        figureHtml(f, {
          id: 'rhythm',
          title: f.t('group.rhythm.title'),
          takeaway: peak ? f.t('group.rhythm.takeaway', { day: days[peak.weekday - 1], hour: peak.hour }) : f.t('group.weekly.none'),
          desktop: grid(520),
          phone: grid(360),
          // weekdays × hours, as the chart: 7 rows to read across, not 168 to scroll through
          columns: [`${f.t('col.weekday')} \\ ${f.t('axis.hour')}`, ...Array.from({ length: 24 }, (_, h) => String(h))],
          rows: days.map((day, d) => [day, ...Array.from({ length: 24 }, (_, h) => f.int(byCell.get((d + 1) * 24 + h) ?? 0))]),
          csvHref: groupCsv(g, 'rhythm', ['weekday', 'hour', 'messages'], () => g.hourly.map((h) => [h.weekday, h.hour, h.messages])),
          csvName: `${g.slug}-rhythm.csv`,
        }),
      );
    }
    parts.push(`<div class="grid-2">${activity.join('')}</div>`);
  }

  // check-in camps: the group's daily check-in rate against its type's camps on the same camp
  // day (Habits page for all camps)
  if (g.checkins?.length) {
    const rated = g.checkins.filter((c) => c.rate !== null);
    const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
    const rate = mean(rated.map((c) => c.rate!));
    const benchmark = mean(rated.filter((c) => c.benchmark !== null).map((c) => c.benchmark!));
    const color = typeColorOf(site, g.groupType);
    const chart = (width: number) =>
      weeklyChart({
        f, width, ariaLabel: f.t('group.checkins.title'), yLabel: f.t('habits.rate'), xLabel: f.t('col.date'), color, percent: true,
        points: perGroup(g, 'checkins', () => rated.map((c) => ({ week: c.date, value: c.rate! }))),
        reference: perGroup(g, 'checkins benchmark', () => rated.filter((c) => c.benchmark !== null).map((c) => ({ week: c.date, value: c.benchmark! }))),
      });
    parts.push(
      figureHtml(f, {
        id: 'checkins',
        title: f.t('group.checkins.title'),
        takeaway: f.t('group.checkins.takeaway', { days: f.int(g.checkins.length), rate: f.pct(rate), type: typeName, benchmark: f.pct(benchmark) }),
        legend: [{ label: name, color }, { label: f.t('group.checkins.benchmark', { type: typeName }), color: '#59636e' }],
        desktop: chart(960),
        phone: chart(360),
        columns: [f.t('col.date'), f.t('metric.size'), f.t('habits.checkedIn'), f.t('habits.rate'), f.t('habits.camps.benchmark')],
        rows: g.checkins.map((c) => [c.date, f.int(c.size), f.int(c.checkedIn), f.pct(c.rate), f.pct(c.benchmark)]),
        csvHref: groupCsv(g, 'checkins', ['date', 'size', 'checked_in', 'rate', 'type_median'], () => g.checkins.map((c) => [c.date, c.size, c.checkedIn, c.rate, c.benchmark])),
        csvName: `${g.slug}-checkins.csv`,
      }),
    );
  }
  return parts.join('\n');
}
