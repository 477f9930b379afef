/**
 * Step 4, metrics: facts tables, then every summary of METRICS.md, returned for the outputs
 * step (which materialises them as the public `out_*` tables, outputs/output-tables.ts) and the site.
 */
import type { QunlensConfig } from '../core/config.ts';
import { createTable } from '../db/create-table.ts';
import type { Db } from '../db/db.ts';
import { kaplanMeier, survivalAt, type LogRankResult, type SurvivalCurve } from '../stats/index.ts';
import type { Model } from '../model/model.ts';
import { channelTypeMatrix, lifespanBy, placeSummaries, type CurveWithMedian, type MatrixCell, type PlaceSummary } from './breakdowns.ts';
import { buildBenchmarks, buildGroupFacts, buildMembershipFacts } from './facts.ts';
import { findings, type Finding } from './findings.ts';
import { buildCheckins, buildInviters, habitSummaries, type HabitSummaries } from './habits.ts';
import {
  channelSummaries,
  lifespanCurves,
  lifespanLogRank,
  lifespanSummaries,
  membershipCurves,
  survivalCounts,
  timeCutAfter,
  typeMembershipCurves,
  weeklyRetention,
  type ChannelSummary,
  type LifespanSummary,
  type WeekRetention,
} from './summaries.ts';

export interface MetricsResult {
  channels: ChannelSummary[];
  /** streaks, completion, habit and retention (check-ins) */
  habits: HabitSummaries;
  membershipCurves: Map<string, SurvivalCurve>;
  activityRetention: WeekRetention[];
  cohortRetention: WeekRetention[];
  lifespanCurves: Map<string, SurvivalCurve>;
  lifespans: LifespanSummary[];
  logRank: LogRankResult | null;
  matrix: MatrixCell[];
  regions: PlaceSummary[];
  stores: PlaceSummary[];
  lifespanByRegion: CurveWithMedian[];
  typeMembershipCurves: Map<string, SurvivalCurve>;
  findings: Finding[];
  counts: { groups: number; zombies: number; dissolved: number; alive: number; memberships: number; members: number };
}

/** Per group: Kaplan–Meier S(30) of its memberships with its band (f_group_km). */
async function groupKaplanMeier30(db: Db, config: QunlensConfig): Promise<void> {
  const counts = await survivalCounts(db, 'f_memberships', 'group_id', timeCutAfter('tenure_days', 30), 'left_by_asof');
  const rows = [...counts].map(([group, c]) => {
    const at = survivalAt(kaplanMeier(c, { confLevel: config.confLevel }), 30);
    return [group, at?.survival ?? null, at?.lower ?? null, at?.upper ?? null];
  });
  await createTable(db, 'f_group_km', [['group_id', 'VARCHAR'], ['km_retained_d30', 'DOUBLE'], ['km_retained_d30_lower', 'DOUBLE'], ['km_retained_d30_upper', 'DOUBLE']], rows);
}

export async function computeMetrics(db: Db, config: QunlensConfig, model: Model): Promise<MetricsResult> {
  const inputs = { hasActivity: model.hasActivity, hasOrders: model.hasOrders };
  await buildMembershipFacts(db, config, inputs);
  await buildGroupFacts(db, config, inputs);
  await buildBenchmarks(db);

  const curves = await membershipCurves(db, config);
  const channels = await channelSummaries(db, config, curves);
  const activityRetention = model.hasActivity ? await weeklyRetention(db, config, 'channel') : [];
  const cohortRetention = model.hasActivity ? await weeklyRetention(db, config, 'join_month') : [];
  const lifespan = await lifespanCurves(db, config);
  const lifespans = await lifespanSummaries(db, lifespan.curves);
  const logRank = lifespanLogRank(lifespan.counts);
  const matrix = await channelTypeMatrix(db, config, model.hasOrders);
  const regions = await placeSummaries(db, config, 'region', inputs);
  const stores = await placeSummaries(db, config, 'store', inputs);
  const lifespanByRegion = await lifespanBy(db, config, 'region');
  const typeCurves = await typeMembershipCurves(db, config);
  const found = await findings(db, config, channels, lifespans, logRank && logRank.df > 0 ? logRank.p : null, inputs);
  // habits and drivers: check-ins, team points, referrals (METRICS.md)
  await buildCheckins(db, model.hasCheckins);
  await buildInviters(db, config, model.hasOrders);
  const habits = await habitSummaries(db, config, model.hasCheckins);

  // per group, for out_groups (outputs/output-tables.ts)
  await groupKaplanMeier30(db, config);

  const [counts] = await db.rows<MetricsResult['counts']>(`SELECT
    (SELECT count(*) FROM f_groups)::INTEGER AS groups,
    (SELECT count(*) FILTER (WHERE status = 'zombie') FROM f_groups)::INTEGER AS zombies,
    (SELECT count(*) FILTER (WHERE status = 'dissolved') FROM f_groups)::INTEGER AS dissolved,
    (SELECT count(*) FILTER (WHERE status = 'alive') FROM f_groups)::INTEGER AS alive,
    (SELECT count(*) FROM f_memberships)::INTEGER AS memberships,
    (SELECT count(DISTINCT member_key) FROM f_memberships)::INTEGER AS members`);
  return {
    channels,
    membershipCurves: curves,
    activityRetention,
    cohortRetention,
    lifespanCurves: lifespan.curves,
    lifespans,
    logRank,
    matrix,
    regions,
    stores,
    lifespanByRegion,
    typeMembershipCurves: typeCurves,
    findings: found,
    habits,
    counts,
  };
}
