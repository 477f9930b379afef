/**
 * The public output tables (PRODUCT.md "Machine-readable outputs"): the schema of every out_*
 * table the metrics step's summaries become, one column per published CSV column in order.
 * Column order is part of the public interface: add columns, never rename. (The check-in,
 * team-point and inviter tables are made by the metrics' own SQL, metrics/habits.ts; the data
 * quality and label tables by outputs.ts.)
 */
import { CHANNEL_KEYS, type QunlensConfig } from '../core/config.ts';
import { createTable, type SqlType } from '../db/create-table.ts';
import { sqlIdent, type Db } from '../db/db.ts';
import type { SurvivalCurve } from '../stats/index.ts';
import type { Model } from '../model/model.ts';
import type { PlaceSummary } from '../metrics/breakdowns.ts';
import { BENCHMARK_METRICS } from '../metrics/facts.ts';
import type { MetricsResult } from '../metrics/index.ts';
import type { WeekRetention } from '../metrics/summaries.ts';

function curveRows(key: string, curve: SurvivalCurve): unknown[][] {
  return curve.points.map((p) => [key, p.time, p.atRisk, p.events, p.survival, p.lower, p.upper, p.censored, p.stdErr]);
}
const CURVE_COLUMNS = (key: string): [string, SqlType][] => [
  [key, 'VARCHAR'],
  ['day', 'INTEGER'],
  ['at_risk', 'INTEGER'],
  ['events', 'INTEGER'],
  ['survival', 'DOUBLE'],
  ['lower', 'DOUBLE'],
  ['upper', 'DOUBLE'],
  ['censored', 'INTEGER'],
  ['std_err', 'DOUBLE'],
];

/** Materialise the metrics as the out_* tables the CSVs and the browser's database are copied from. */
export async function outputTables(db: Db, config: QunlensConfig, model: Pick<Model, 'hasActivity' | 'hasOrders'>, metrics: MetricsResult): Promise<void> {
  const { channels, membershipCurves, activityRetention, cohortRetention, lifespanCurves, lifespans, logRank, matrix, regions, stores, lifespanByRegion } = metrics;
  await createTable(
    db,
    'out_channel_summary',
    [
      ['channel', 'VARCHAR'],
      ['joins', 'INTEGER'],
      ['activation_rate', 'DOUBLE'],
      ['retention_d7', 'DOUBLE'],
      ['retention_d30', 'DOUBLE'],
      ['retention_d90', 'DOUBLE'],
      ['conversion_30d', 'DOUBLE'],
      ['repurchase_rate', 'DOUBLE'],
      ['gmv_per_joiner_90d', 'DOUBLE'],
      ['channel_zh', 'VARCHAR'],
      ['activation_n', 'INTEGER'],
      ['activation_lower', 'DOUBLE'],
      ['activation_upper', 'DOUBLE'],
      ['retention_d7_lower', 'DOUBLE'],
      ['retention_d7_upper', 'DOUBLE'],
      ['retention_d30_lower', 'DOUBLE'],
      ['retention_d30_upper', 'DOUBLE'],
      ['retention_d90_lower', 'DOUBLE'],
      ['retention_d90_upper', 'DOUBLE'],
      ['conversion_30d_n', 'INTEGER'],
      ['conversion_30d_lower', 'DOUBLE'],
      ['conversion_30d_upper', 'DOUBLE'],
      ['repurchase_n', 'INTEGER'],
      ['repurchase_lower', 'DOUBLE'],
      ['repurchase_upper', 'DOUBLE'],
      ['gmv_n', 'INTEGER'],
      ['gmv_lower', 'DOUBLE'],
      ['gmv_upper', 'DOUBLE'],
      // Kaplan–Meier n at risk at day 30: the memberships retention_d30 rests on
      ['at_risk_d30', 'INTEGER'],
    ],
    // Denominators of metrics whose input file is missing are unknown, not 0.
    channels.map((c) => [
      c.channel,
      c.joins,
      c.activation.rate,
      c.retention.d7.value,
      c.retention.d30.value,
      c.retention.d90.value,
      c.conversion30d.rate,
      c.repurchase.rate,
      c.gmv90.mean,
      config.channels[c.channel as (typeof CHANNEL_KEYS)[number]].zh,
      model.hasActivity ? c.activation.n : null,
      c.activation.lower,
      c.activation.upper,
      c.retention.d7.lower,
      c.retention.d7.upper,
      c.retention.d30.lower,
      c.retention.d30.upper,
      c.retention.d90.lower,
      c.retention.d90.upper,
      model.hasOrders ? c.conversion30d.n : null,
      c.conversion30d.lower,
      c.conversion30d.upper,
      model.hasOrders ? c.repurchase.n : null,
      c.repurchase.lower,
      c.repurchase.upper,
      model.hasOrders ? c.gmv90.n : null,
      c.gmv90.lower,
      c.gmv90.upper,
      c.retention.d30.atRisk,
    ]),
  );
  await createTable(db, 'out_membership_survival', CURVE_COLUMNS('channel'), CHANNEL_KEYS.flatMap((k) => (membershipCurves.has(k) ? curveRows(k, membershipCurves.get(k)!) : [])));
  const weekColumns = (key: string): [string, SqlType][] => [
    [key, 'VARCHAR'],
    ['week', 'INTEGER'],
    ['eligible', 'INTEGER'],
    ['retained', 'INTEGER'],
    ['rate', 'DOUBLE'],
    ['lower', 'DOUBLE'],
    ['upper', 'DOUBLE'],
  ];
  const weekRows = (rows: WeekRetention[]) => rows.map((r) => [r.key, r.week, r.eligible, r.retained, r.rate.rate, r.rate.lower, r.rate.upper]);
  await createTable(db, 'out_activity_retention', weekColumns('channel'), weekRows(activityRetention));
  await createTable(db, 'out_cohort_retention', weekColumns('cohort'), weekRows(cohortRetention));
  await createTable(
    db,
    'out_group_survival',
    CURVE_COLUMNS('group_type'),
    lifespans.flatMap((l) => curveRows(l.groupType, lifespanCurves.get(l.groupType)!)),
  );
  await createTable(
    db,
    'out_lifespan_summary',
    [
      ['group_type', 'VARCHAR'],
      ['groups', 'INTEGER'],
      ['deaths', 'INTEGER'],
      ['median_days', 'DOUBLE'],
      ['median_lower', 'DOUBLE'],
      ['median_upper', 'DOUBLE'],
      ['dissolved', 'INTEGER'],
      ['zombies', 'INTEGER'],
      ['alive', 'INTEGER'],
      ['group_type_zh', 'VARCHAR'],
    ],
    lifespans.map((l) => [l.groupType, l.groups, l.deaths, l.median, l.medianLower, l.medianUpper, l.dissolved, l.zombies, l.alive, config.types[l.groupType]?.zh ?? l.groupType]),
  );
  await createTable(
    db,
    'out_lifespan_logrank',
    [
      ['group_type', 'VARCHAR'],
      ['groups', 'INTEGER'],
      ['observed', 'DOUBLE'],
      ['expected', 'DOUBLE'],
      ['chisq', 'DOUBLE'],
      ['df', 'INTEGER'],
      ['p', 'DOUBLE'],
    ],
    logRank ? logRank.strata.map((s) => [s.key, s.n, s.observed, s.expected, logRank.chisq, logRank.df, logRank.p]) : [],
  );
  await db.exec(`
    CREATE OR REPLACE TABLE out_type_benchmarks AS
    SELECT group_type, metric, groups, p25, p50, p75 FROM f_benchmarks ORDER BY group_type, metric_order`);
  const rankColumns = BENCHMARK_METRICS.map(
    (m) => `max(r.percent_rank) FILTER (WHERE r.metric = '${m}') AS ${sqlIdent(`rank_${m}`)}`,
  ).join(',\n      ');
  await db.exec(`
    CREATE OR REPLACE TABLE out_groups AS
    WITH ranks AS (
      SELECT r.group_id, ${rankColumns},
        list(CASE WHEN r.below_p25 THEN 'below_p25:' || r.metric END ORDER BY r.metric) AS below
      FROM f_group_ranks r GROUP BY ALL
    )
    SELECT m.public_id AS group_id, g.group_type, g.size, g.weekly_active_ratio, g.lifespan_days, g.status,
      nullif(array_to_string(list_sort(list_concat(g.rule_flags, list_filter(coalesce(ranks.below, []), x -> x IS NOT NULL))), ';'), '') AS flags,
      g.name, g.type_label, g.owner, g.store, g.region,
      g.created_date, g.dissolved_date, g.last_message_date, g.last_active_date, g.days_silent,
      g.lifespan_event, g.joins, g.messages_per_member_week, g.messages_28d, g.active_members_7d,
      g.activation_rate, g.activation_n, g.conversion_30d, g.conversion_n, g.retained_d30, g.retained_d30_n,
      g.dominant_channel,
      ranks.* EXCLUDE (group_id, below),
      -- added after the published columns: retained_d30 is the observed day-30 stay; these
      -- are the group's Kaplan–Meier 30-day retention and its n at risk at day 30
      g.at_risk_d30, km.km_retained_d30, km.km_retained_d30_lower, km.km_retained_d30_upper
    FROM f_groups g JOIN m_groups m USING (group_id) LEFT JOIN ranks USING (group_id) LEFT JOIN f_group_km km USING (group_id)
    ORDER BY g.group_type, g.created_date, g.group_id`);

  await createTable(
    db,
    'out_channel_type_matrix',
    [
      ['channel', 'VARCHAR'],
      ['group_type', 'VARCHAR'],
      ['joins', 'INTEGER'],
      ['retention_d30', 'DOUBLE'],
      ['retention_d30_lower', 'DOUBLE'],
      ['retention_d30_upper', 'DOUBLE'],
      ['observed_30d', 'INTEGER'],
      ['conversion_30d', 'DOUBLE'],
      ['conversion_30d_n', 'INTEGER'],
      ['conversion_30d_lower', 'DOUBLE'],
      ['conversion_30d_upper', 'DOUBLE'],
      ['at_risk_d30', 'INTEGER'],
    ],
    matrix.map((m) => [
      m.channel,
      m.groupType,
      m.joins,
      m.retentionD30.value,
      m.retentionD30.lower,
      m.retentionD30.upper,
      m.eligible30,
      m.conversion30d.rate,
      model.hasOrders ? m.conversion30d.n : null,
      m.conversion30d.lower,
      m.conversion30d.upper,
      m.atRisk30,
    ]),
  );
  const placeColumns = (key: string): [string, SqlType][] => [
    [key, 'VARCHAR'],
    ...(key === 'store' ? ([['region', 'VARCHAR']] as [string, SqlType][]) : []),
    ['groups', 'INTEGER'],
    ['alive', 'INTEGER'],
    ['zombies', 'INTEGER'],
    ['dissolved', 'INTEGER'],
    ['members', 'INTEGER'],
    ['memberships', 'INTEGER'],
    ['median_weekly_active_ratio', 'DOUBLE'],
    ['median_messages_per_member_week', 'DOUBLE'],
    ['activation_rate', 'DOUBLE'],
    ['activation_n', 'INTEGER'],
    ['activation_lower', 'DOUBLE'],
    ['activation_upper', 'DOUBLE'],
    ['retained_d30', 'DOUBLE'],
    ['retained_d30_n', 'INTEGER'],
    ['retained_d30_lower', 'DOUBLE'],
    ['retained_d30_upper', 'DOUBLE'],
    ['conversion_30d', 'DOUBLE'],
    ['conversion_30d_n', 'INTEGER'],
    ['conversion_30d_lower', 'DOUBLE'],
    ['conversion_30d_upper', 'DOUBLE'],
    // added, not renamed: retained_d30 is the observed day-30 stay; these are the Kaplan–Meier
    // 30-day retention of the same memberships and its n at risk at day 30
    ['at_risk_d30', 'INTEGER'],
    ['km_retained_d30', 'DOUBLE'],
    ['km_retained_d30_lower', 'DOUBLE'],
    ['km_retained_d30_upper', 'DOUBLE'],
  ];
  const placeRows = (places: PlaceSummary[], store: boolean) =>
    places.map((p) => [
      p.key,
      ...(store ? [p.region] : []),
      p.groups,
      p.alive,
      p.zombies,
      p.dissolved,
      p.members,
      p.memberships,
      p.medianWeeklyActiveRatio,
      p.medianMessagesPerMemberWeek,
      p.activation.rate,
      model.hasActivity ? p.activation.n : null,
      p.activation.lower,
      p.activation.upper,
      p.retainedD30.rate,
      p.retainedD30.n,
      p.retainedD30.lower,
      p.retainedD30.upper,
      p.conversion30d.rate,
      model.hasOrders ? p.conversion30d.n : null,
      p.conversion30d.lower,
      p.conversion30d.upper,
      p.atRisk30,
      p.kmRetainedD30.value,
      p.kmRetainedD30.lower,
      p.kmRetainedD30.upper,
    ]);
  await createTable(db, 'out_region_summary', placeColumns('region'), placeRows(regions, false));
  await createTable(db, 'out_store_summary', placeColumns('store'), placeRows(stores, true));
  await createTable(db, 'out_group_survival_by_region', CURVE_COLUMNS('region'), lifespanByRegion.flatMap((r) => curveRows(r.key, r.curve)));
  await createTable(
    db,
    'out_lifespan_by_region',
    [
      ['region', 'VARCHAR'],
      ['groups', 'INTEGER'],
      ['median_days', 'DOUBLE'],
      ['median_lower', 'DOUBLE'],
      ['median_upper', 'DOUBLE'],
    ],
    lifespanByRegion.map((r) => [r.key, r.groups, r.median, r.medianLower, r.medianUpper]),
  );
}
