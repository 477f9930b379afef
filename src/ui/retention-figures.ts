/**
 * The Retention page's figures as data, drawn at build time by the page and again in the
 * browser by the filters (client/filters.ts) from the same metric functions' output.
 */
import { heatmapChart } from '../charts/heatmap.ts';
import { linesChart } from '../charts/lines.ts';
import { survivalChart } from '../charts/survival.ts';
import type { I18n } from '../i18n/index.ts';
import type { WeekRetention } from '../metrics/summaries.ts';
import type { SurvivalCurve } from '../stats/index.ts';
import type { FigureModel } from './channel-figures.ts';
import { channelColor } from '../charts/colors.ts';
import { channelLabel, curvePoints, survivalAtDay } from './view.ts';

export interface RetentionView {
  smallSample: number;
  hasActivity: boolean;
  membershipCurves: { channel: string; curve: SurvivalCurve }[];
  activityRetention: WeekRetention[];
  cohortRetention: WeekRetention[];
}

const DAYS = [7, 30, 90, 180];

export function retentionFigures(view: RetentionView, f: I18n): FigureModel[] {
  const isSmall = (n: number) => n < view.smallSample;
  // a curve from a handful of members says nothing: such channels stay in the table, not the chart
  const series = view.membershipCurves
    .filter(({ curve }) => !isSmall(curve.n))
    .map(({ channel, curve }) => ({ key: channel, label: channelLabel(f, channel), color: channelColor(channel), n: curve.n, points: curvePoints(curve) }));
  const omitted = view.membershipCurves.filter(({ curve }) => isSmall(curve.n)).map(({ channel }) => channelLabel(f, channel));
  const membershipChart = (width: number) =>
    survivalChart({ lang: f.lang, width, ariaLabel: f.t('retention.km.title'), xLabel: f.t('axis.daysSinceJoined'), yLabel: f.t('axis.stillMember'), series, xMax: 180, markers: [7, 30, 90] });
  const at90 = view.membershipCurves
    .filter((c) => c.channel !== 'other')
    .map((c) => ({ channel: c.channel, s: survivalAtDay(c.curve, 90) }))
    .filter((c) => c.s !== null)
    .sort((a, b) => b.s! - a.s!);
  const figures: FigureModel[] = [
    {
      id: 'km-channels',
      title: f.t('retention.km.title'),
      takeaway: at90.length >= 2 ? f.t('retention.km.takeaway', { best: channelLabel(f, at90[0].channel), bestValue: f.pct(at90[0].s), worst: channelLabel(f, at90.at(-1)!.channel), worstValue: f.pct(at90.at(-1)!.s) }) : f.t('retention.km.none'),
      desktop: membershipChart(960),
      phone: membershipChart(360),
      legend: series.map((s) => ({ label: `${s.label} (n=${f.int(s.n)})`, color: s.color })),
      columns: [{ label: f.t('col.channel') }, ...DAYS.map((d) => ({ label: f.t('col.stillMemberAt', { days: d }) }))],
      rows: view.membershipCurves.map(({ channel, curve }) => [channelLabel(f, channel), ...DAYS.map((d) => f.pct(survivalAtDay(curve, d)))]),
      smallRows: [],
      csv: 'membership_survival.csv',
      note: `${f.t('retention.km.note')}${omitted.length ? ` ${f.t('retention.omitted', { list: omitted.join(f.lang === 'zh' ? '、' : ', '), n: view.smallSample })}` : ''}`,
    },
  ];
  if (!view.hasActivity) return figures;

  const weeklyRows = view.activityRetention;
  const channelsWithWeeks = [...new Set(weeklyRows.map((r) => r.key))].filter((k) => weeklyRows.some((r) => r.key === k && r.week === 0 && !isSmall(r.eligible)));
  const weekly = channelsWithWeeks.map((channel) => ({
    key: channel,
    label: channelLabel(f, channel),
    color: channelColor(channel),
    points: weeklyRows.filter((r) => r.key === channel).map((r) => ({ x: r.week, y: r.rate.rate, lower: r.rate.lower, upper: r.rate.upper, small: isSmall(r.eligible) })),
  }));
  const weeklyChart = (width: number) => linesChart({ lang: f.lang, width, ariaLabel: f.t('retention.weekly.title'), xLabel: f.t('axis.weekSinceJoined'), yLabel: f.t('axis.activeShare'), format: 'percent', series: weekly });
  const week4 = weeklyRows.filter((r) => r.week === 4 && r.key !== 'other' && !isSmall(r.eligible)).sort((a, b) => (b.rate.rate ?? 0) - (a.rate.rate ?? 0));
  figures.push({
    id: 'weekly-activity',
    title: f.t('retention.weekly.title'),
    takeaway: week4.length >= 2 ? f.t('retention.weekly.takeaway', { best: channelLabel(f, week4[0].key), bestValue: f.pct(week4[0].rate.rate), worst: channelLabel(f, week4.at(-1)!.key), worstValue: f.pct(week4.at(-1)!.rate.rate) }) : f.t('retention.km.none'),
    desktop: weeklyChart(960),
    phone: weeklyChart(360),
    legend: weekly.map((s) => ({ label: s.label, color: s.color })),
    columns: [{ label: f.t('col.channel') }, { label: f.t('col.week') }, { label: f.t('col.eligible') }, { label: f.t('col.active') }, { label: f.t('axis.activeShare') }, { label: f.t('meta.ci') }],
    rows: weeklyRows.map((r) => [channelLabel(f, r.key), String(r.week), f.int(r.eligible), f.int(r.retained), f.pct(r.rate.rate), f.pctRange(r.rate.lower, r.rate.upper)]),
    smallRows: weeklyRows.flatMap((r, i) => (isSmall(r.eligible) ? [i] : [])),
    csv: 'activity_retention.csv',
    note: f.t('retention.weekly.note'),
  });

  const cohortRows = view.cohortRetention;
  const cohorts = [...new Set(cohortRows.map((r) => r.key))].sort();
  const weeks = [...new Set(cohortRows.map((r) => r.week))].sort((a, b) => a - b);
  const cohortChart = (width: number) =>
    heatmapChart({
      lang: f.lang,
      width,
      ariaLabel: f.t('retention.cohort.title'),
      xLabel: f.t('axis.weekSinceJoined'),
      yLabel: f.t('axis.joinMonth'),
      format: 'percent',
      rows: cohorts,
      columns: weeks.map(String),
      cells: cohortRows.map((r) => ({ row: r.key, column: String(r.week), value: r.rate.rate, n: r.eligible })),
      smallSample: view.smallSample,
    });
  figures.push({
    id: 'cohorts',
    title: f.t('retention.cohort.title'),
    takeaway: f.t('retention.cohort.takeaway'),
    desktop: cohortChart(960),
    phone: cohortChart(360),
    columns: [{ label: f.t('axis.joinMonth') }, { label: f.t('col.week') }, { label: f.t('col.eligible') }, { label: f.t('col.active') }, { label: f.t('axis.activeShare') }],
    rows: cohortRows.map((r) => [r.key, String(r.week), f.int(r.eligible), f.int(r.retained), f.pct(r.rate.rate)]),
    smallRows: cohortRows.flatMap((r, i) => (isSmall(r.eligible) ? [i] : [])),
    csv: 'cohort_retention.csv',
    note: f.t('retention.cohort.note', { n: view.smallSample }),
  });
  return figures;
}
