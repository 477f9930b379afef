/**
 * What the pages read: documents prepared by the pipeline, so pages never recompute a number.
 * Written to the work folder (not published): site.json for the global pages and
 * site-groups.json for the group pages.
 */
import { createHash } from 'node:crypto';
import { CHANNEL_KEYS, type QunlensConfig } from '../core/config.ts';
import type { CurveWithMedian, MatrixCell, PlaceSummary } from '../metrics/breakdowns.ts';
import type { Finding } from '../metrics/findings.ts';
import type { GroupPage } from './group-pages.ts';
import type { MetricsResult } from '../metrics/index.ts';
import type { ChannelSummary, LifespanSummary, WeekRetention } from '../metrics/summaries.ts';
import type { LabelMapping, Model } from '../model/model.ts';
import type { FileQuality } from '../validate/validate.ts';
import type { HabitSummaries } from '../metrics/habits.ts';
import { EMPTY_HABIT_PAGE, type HabitPage } from './habits-page.ts';
import type { ShippedTable } from '../notebook/index.ts';
import type { ReportView } from '../notebook/run.ts';
import type { LogRankResult, SurvivalCurve } from '../stats/index.ts';

export interface Labels {
  zh: string;
  en: string;
}

export interface GroupListItem {
  id: string;
  slug: string;
  name: string | null;
  groupType: string;
  owner: string | null;
  store: string | null;
  region: string | null;
  created: string;
  status: 'alive' | 'zombie' | 'dissolved';
  size: number;
  weeklyActiveRatio: number | null;
  messagesPerMemberWeek: number | null;
  daysSilent: number;
  lifespanDays: number;
  flags: string[];
  ranks: Record<string, number | null>;
}

export interface QualityIssue {
  file: string;
  /** the physical line, or a workbook's Excel row (then `sheet` names its sheet) */
  line: number | null;
  column: string | null;
  severity: 'error' | 'warning';
  message: string;
  sheet: string | null;
}

export interface SiteData {
  meta: {
    asOf: string;
    asOfSource: 'option' | 'data';
    builtAt: string;
    timeZone: string;
    silenceDays: number;
    confLevel: number;
    smallSample: number;
    activitySource: 'messages' | 'activity' | null;
    hasOrders: boolean;
    hasHourly: boolean;
    /** weeks of weekly activity retention */
    maxWeeks: number;
    /** share of their days in a camp a member checks in on to complete it */
    completionShare: number;
    /** the CSV preview checks as the build does: dates from this day on, the amount warning */
    earliestDate: string;
    orderAmountCeiling: number;
  };
  counts: MetricsResult['counts'] & { unattributed: number };
  channelLabels: Record<string, Labels>;
  typeLabels: Record<string, Labels & { description?: string }>;
  /** all group types present, biggest first */
  types: string[];
  channels: ChannelSummary[];
  membershipCurves: { channel: string; curve: SurvivalCurve }[];
  activityRetention: WeekRetention[];
  cohortRetention: WeekRetention[];
  matrix: MatrixCell[];
  lifespans: LifespanSummary[];
  lifespanCurves: { groupType: string; curve: SurvivalCurve }[];
  logRank: LogRankResult | null;
  lifespanByRegion: CurveWithMedian[];
  typeMembershipCurves: { groupType: string; curve: SurvivalCurve }[];
  benchmarks: { groupType: string; metric: string; groups: number; p25: number; p50: number; p75: number }[];
  groups: GroupListItem[];
  regions: PlaceSummary[];
  stores: PlaceSummary[];
  findings: Finding[];
  /** notebook reports from src/reports/, run (notebook/) */
  reports: ReportView[];
  /** the tables of dist/data/qunlens.duckdb (Explore lists them) */
  tables: ShippedTable[];
  /** region → its own database file in dist/data (region-N.duckdb) and its size: what a region filter reads */
  regionDatabases: Record<string, { file: string; bytes: number }>;
  /** check-ins, streaks, completion, habit and retention, inviters (the Habits page) */
  habits: HabitPage & { streaks: HabitSummaries['streaks']; completion: HabitSummaries['completion']; habit: HabitSummaries['habit'] };
  quality: {
    files: FileQuality[];
    errors: number;
    warnings: number;
    /** every issue, in file and line order */
    issues: QualityIssue[];
    labels: LabelMapping[];
  };
}

/** A URL-safe page name for a group: its ID when that is safe, else a stable hash. */
export function groupSlug(id: string): string {
  // (qz-shell is the page shell every group page is written into; page-N are group list pages)
  if (/^[A-Za-z0-9_-]{1,64}$/.test(id) && id !== 'qz-shell' && !/^page-\d+$/.test(id)) return id;
  return `g-${createHash('sha256').update(id).digest('hex').slice(0, 12)}`;
}

/** A group as the group lists show it: a few facts of its page. */
export function groupListItem(g: GroupPage): GroupListItem {
  return {
    id: g.id,
    slug: groupSlug(g.id),
    name: g.name,
    groupType: g.groupType,
    owner: g.owner,
    store: g.store,
    region: g.region,
    created: g.created,
    status: g.status,
    size: g.size,
    weeklyActiveRatio: g.metrics.find((m) => m.metric === 'weekly_active_ratio')?.value ?? null,
    messagesPerMemberWeek: g.metrics.find((m) => m.metric === 'messages_per_member_week')?.value ?? null,
    daysSilent: g.daysSilent,
    lifespanDays: g.lifespanDays,
    flags: g.flags,
    ranks: Object.fromEntries(g.metrics.map((m) => [m.metric, m.rank])),
  };
}

export function siteData(input: {
  config: QunlensConfig;
  model: Model;
  metrics: MetricsResult;
  files: FileQuality[];
  builtAt: string;
  benchmarks: SiteData['benchmarks'];
  /** each group as the lists show it (groupListItem) */
  groups: GroupListItem[];
  issues: QualityIssue[];
  reports?: ReportView[];
  tables?: ShippedTable[];
  regionDatabases?: SiteData['regionDatabases'];
  habits?: HabitPage;
}): SiteData {
  const { config, model, metrics } = input;
  const types = metrics.lifespans.map((l) => l.groupType);
  const typeLabels: SiteData['typeLabels'] = {};
  for (const type of types) {
    const known = config.types[type];
    typeLabels[type] = known ? { zh: known.zh, en: known.en, description: known.description } : { zh: type, en: type };
  }
  const curves = (map: Map<string, SurvivalCurve>, order: readonly string[]) =>
    order.filter((k) => map.has(k)).map((k) => ({ key: k, curve: map.get(k)! }));
  return {
    meta: {
      asOf: model.asOf,
      asOfSource: model.asOfSource,
      builtAt: input.builtAt,
      timeZone: config.timeZone,
      silenceDays: config.silenceDays,
      confLevel: config.confLevel,
      smallSample: config.smallSample,
      activitySource: model.activitySource,
      hasOrders: model.hasOrders,
      hasHourly: model.hasHourly,
      maxWeeks: config.maxWeeks,
      completionShare: config.completionShare,
      earliestDate: config.earliestDate,
      orderAmountCeiling: config.orderAmountCeiling,
    },
    counts: { ...metrics.counts, unattributed: model.counts.unattributed },
    channelLabels: config.channels,
    typeLabels,
    types,
    channels: metrics.channels,
    membershipCurves: curves(metrics.membershipCurves, CHANNEL_KEYS).map(({ key, curve }) => ({ channel: key, curve })),
    activityRetention: metrics.activityRetention,
    cohortRetention: metrics.cohortRetention,
    matrix: metrics.matrix,
    lifespans: metrics.lifespans,
    lifespanCurves: curves(metrics.lifespanCurves, types).map(({ key, curve }) => ({ groupType: key, curve })),
    logRank: metrics.logRank,
    lifespanByRegion: metrics.lifespanByRegion,
    typeMembershipCurves: curves(metrics.typeMembershipCurves, types).map(({ key, curve }) => ({ groupType: key, curve })),
    benchmarks: input.benchmarks,
    groups: input.groups,
    regions: metrics.regions,
    stores: metrics.stores,
    findings: metrics.findings,
    reports: input.reports ?? [],
    tables: input.tables ?? [],
    regionDatabases: input.regionDatabases ?? {},
    habits: { ...(input.habits ?? EMPTY_HABIT_PAGE), ...metrics.habits },
    quality: {
      files: input.files,
      errors: input.files.reduce((s, f) => s + f.rowsRejected, 0),
      warnings: input.files.reduce((s, f) => s + f.warnings, 0),
      issues: input.issues,
      labels: model.labels,
    },
  };
}

async function readJson<T>(variable: string): Promise<T> {
  const file = process.env[variable];
  if (!file) throw new Error(`${variable} is not set: build the site with \`npm run build\`, which prepares the data first`);
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

let siteCache: Promise<SiteData> | null = null;

/** For pages: the document the build prepared (read once per build). */
export function loadSiteData(): Promise<SiteData> {
  siteCache ??= readJson<SiteData>('QUNLENS_SITE_DATA');
  return siteCache;
}
