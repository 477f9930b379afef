/**
 * Per-membership and per-group facts, in SQL, once. Every metric of METRICS.md is an aggregate
 * of these two tables, which are also what the browser filters (issue: filters) recompute from.
 *
 * f_memberships   one row per customer membership: tenure, activation, conversion, orders, GMV,
 *                 and `weeks`, a bit per week k (0…maxWeeks-1) with a message while a member
 * f_groups        one row per group: size, activity, lifespan, status, per-group rates
 */
import type { QunlensConfig } from '../core/config.ts';

/**
 * The month a membership joined in, 'YYYY-MM' (cohorts, the period filter), and whether a group
 * was dissolved by the report date: one definition each, for the build's facts tables and the
 * views the browser's database ships (outputs.ts), which the same metric code reads there.
 */
export const joinMonthSql = (joinedDate: string) => `strftime(${joinedDate}, '%Y-%m')`;
export const dissolvedByAsOfSql = (dissolvedDate: string, asOf: string) => `(${dissolvedDate} IS NOT NULL AND ${dissolvedDate} <= ${asOf})`;
import type { Db } from '../db/db.ts';

/** Which optional inputs exist: metrics that need a missing one are NULL, never 0. */
export interface Inputs {
  hasActivity: boolean;
  hasOrders: boolean;
}

export async function buildMembershipFacts(db: Db, config: QunlensConfig, inputs: Inputs): Promise<void> {
  const T = 'qz_asof()';
  const ifActivity = (expr: string) => (inputs.hasActivity ? expr : 'NULL::BOOLEAN');
  const ifOrders = (expr: string, type = 'BOOLEAN') => (inputs.hasOrders ? expr : `NULL::${type}`);
  // f_activity (active first week, weeks bitmask) is built by the model step.
  // An order names a group → counts for that group's memberships only; without a group → for
  // every membership of the member. Refunded orders never count. Days are counted from the join day.
  await db.exec(`
    CREATE OR REPLACE TABLE f_orders AS
    SELECT m.membership_id, (o.ordered_date - m.joined_date)::INTEGER AS day, o.amount
    FROM m_memberships m
    JOIN m_orders o ON o.member_id = m.member_id AND (o.group_id IS NULL OR o.group_id = m.group_id)
    WHERE NOT o.refunded AND o.ordered_date >= m.joined_date`);
  await db.exec(`
    CREATE OR REPLACE TABLE f_memberships AS
    WITH act AS (SELECT * FROM f_activity WHERE membership_id IS NOT NULL), ord AS (
      SELECT membership_id,
        count(*) FILTER (WHERE day < 30)::INTEGER AS orders_30d,
        count(*)::INTEGER AS orders_to_asof,
        coalesce(sum(amount) FILTER (WHERE day < 90), 0) AS gmv_90d
      FROM f_orders GROUP BY ALL
    )
    SELECT m.membership_id, m.member_key, m.group_id, m.group_type, m.region, m.store, m.channel,
      m.joined_date, m.left_date, m.left_by_asof, m.tenure_days,
      ${T} - m.joined_date AS days_observed,
      ${joinMonthSql('m.joined_date')} AS join_month,
      (${T} - m.joined_date >= 7) AS activation_eligible,
      ${ifActivity('coalesce(act.active_first_week, false)')} AS activated,
      ${inputs.hasActivity ? 'coalesce(act.weeks, 0)' : 'NULL::INTEGER'} AS weeks,
      (${T} - m.joined_date >= 30) AS conversion_eligible,
      ${ifOrders('coalesce(ord.orders_30d, 0) > 0')} AS converted_30d,
      ${ifOrders('coalesce(ord.orders_to_asof, 0)', 'INTEGER')} AS orders_to_asof,
      (${T} - m.joined_date >= 90) AS gmv_eligible,
      ${ifOrders('CAST(coalesce(ord.gmv_90d, 0) AS DECIMAL(18, 4))', 'DECIMAL(18, 4)')} AS gmv_90d,
      -- METRICS.md retained_d30: did not leave within 30 days of joining
      NOT (m.left_by_asof AND m.left_date - m.joined_date <= 30) AS retained_d30
    FROM m_memberships m
    LEFT JOIN act USING (membership_id)
    LEFT JOIN ord USING (membership_id)`);
}

export async function buildGroupFacts(db: Db, config: QunlensConfig, inputs: Inputs): Promise<void> {
  const { hasActivity, hasOrders } = inputs;
  const T = 'qz_asof()';
  const silence = config.silenceDays;
  const quietDays = Math.ceil(config.silenceDays * config.flags.quietShareOfSilence);
  const convType = config.types.conversion;
  const expected = convType?.expectedLifespanDays ?? 21;
  await db.exec(`
    CREATE OR REPLACE TABLE f_groups AS
    WITH size AS (
      SELECT group_id, count(*) FILTER (WHERE NOT left_by_asof)::INTEGER AS size, count(*)::INTEGER AS joins
      FROM m_memberships GROUP BY ALL
    ), recent AS (
      -- the member-days are gone by now: per group and day is all this needs (model.ts)
      SELECT t.group_id, a.active_members_7d, t.messages_28d, t.messages_total, t.last_message_date
      FROM (
        SELECT group_id,
          coalesce(sum(messages) FILTER (WHERE date > ${T} - 28), 0)::BIGINT AS messages_28d,
          sum(messages)::BIGINT AS messages_total,
          max(date) AS last_message_date
        FROM m_group_daily GROUP BY ALL) t
      LEFT JOIN m_active_7d a USING (group_id)
    ), rates AS (
      SELECT group_id,
        count(*) FILTER (WHERE activation_eligible AND activated IS NOT NULL)::INTEGER AS activation_n,
        count(*) FILTER (WHERE activation_eligible AND activated)::INTEGER AS activation_x,
        count(*) FILTER (WHERE conversion_eligible AND converted_30d IS NOT NULL)::INTEGER AS conversion_n,
        count(*) FILTER (WHERE conversion_eligible AND converted_30d)::INTEGER AS conversion_x,
        count(*) FILTER (WHERE conversion_eligible)::INTEGER AS retained_d30_n,
        count(*) FILTER (WHERE conversion_eligible AND retained_d30)::INTEGER AS retained_d30_x,
        -- Kaplan–Meier n at risk at day 30 (R summary(fit, times = 30)$n.risk): the small-sample
        -- grey of a day-30 figure judges by these, not by joins
        count(*) FILTER (WHERE tenure_days >= 30)::INTEGER AS at_risk_d30
      FROM f_memberships GROUP BY ALL
    ), channel_mix AS (
      SELECT group_id, first(channel ORDER BY n DESC, channel) AS dominant_channel
      FROM (SELECT group_id, channel, count(*) AS n FROM m_memberships GROUP BY ALL) GROUP BY ALL
    ), last_order AS (
      SELECT m.group_id, max(m.joined_date + o.day) AS last_order_date
      FROM f_orders o JOIN m_memberships m USING (membership_id) GROUP BY ALL
    ), base AS (
      SELECT g.group_id, g.name, g.group_type, g.type_label, g.owner, g.store, g.region,
        g.created_date, g.dissolved_date,
        coalesce(size.size, 0) AS size, coalesce(size.joins, 0) AS joins,
        coalesce(recent.active_members_7d, 0) AS active_members_7d,
        coalesce(recent.messages_28d, 0) AS messages_28d,
        coalesce(recent.messages_total, 0) AS messages_total,
        recent.last_message_date,
        -- a group with no message is silent since its creation
        greatest(g.created_date, coalesce(recent.last_message_date, g.created_date)) AS last_active_date,
        ${dissolvedByAsOfSql('g.dissolved_date', T)} AS dissolved_by_asof,
        rates.* EXCLUDE (group_id),
        channel_mix.dominant_channel,
        last_order.last_order_date
      FROM m_groups g
      LEFT JOIN size USING (group_id)
      LEFT JOIN recent USING (group_id)
      LEFT JOIN rates USING (group_id)
      LEFT JOIN channel_mix USING (group_id)
      LEFT JOIN last_order USING (group_id)
    ), lived AS (
      SELECT *,
        ${T} - last_active_date AS days_silent,
        -- silence is only known when activity data was given
        ${hasActivity ? `(NOT dissolved_by_asof AND ${T} - last_active_date >= ${silence})` : 'false'} AS silent
      FROM base
    )
    SELECT *,
      CASE WHEN dissolved_by_asof THEN 'dissolved' WHEN silent THEN 'zombie' ELSE 'alive' END AS status,
      (dissolved_by_asof OR silent) AS lifespan_event,
      CASE WHEN dissolved_by_asof THEN dissolved_date WHEN silent THEN last_active_date ELSE ${T} END - created_date AS lifespan_days,
      CASE WHEN size > 0 AND ${hasActivity} THEN active_members_7d / size END AS weekly_active_ratio,
      CASE WHEN size > 0 AND ${hasActivity} THEN messages_28d / size / 4 END AS messages_per_member_week,
      CASE WHEN activation_n > 0 THEN activation_x / activation_n END AS activation_rate,
      CASE WHEN conversion_n > 0 THEN conversion_x / conversion_n END AS conversion_30d,
      CASE WHEN retained_d30_n > 0 THEN retained_d30_x / retained_d30_n END AS retained_d30,
      -- rule flags from practice (configurable)
      list_filter([
        CASE WHEN group_type = 'core_user' AND NOT dissolved_by_asof AND size > ${config.flags.coreUserMaxSize} THEN 'core_user_over_${config.flags.coreUserMaxSize}' END,
        CASE WHEN ${hasActivity} AND NOT dissolved_by_asof AND NOT silent AND ${T} - last_active_date >= ${quietDays} THEN 'quiet' END,
        CASE WHEN ${hasOrders} AND group_type = 'conversion' AND NOT dissolved_by_asof AND ${T} - created_date > ${expected}
              AND (last_order_date IS NULL OR ${T} - last_order_date >= ${config.flags.conversionPushDays}) THEN 'conversion_overdue' END
      ], x -> x IS NOT NULL) AS rule_flags
    FROM lived`);
}

/** Per-group metrics compared within a type (METRICS.md "Per-type benchmarks"), in this order. */
export const BENCHMARK_METRICS = ['size', 'weekly_active_ratio', 'messages_per_member_week', 'activation_rate', 'conversion_30d', 'retained_d30'] as const;
export type BenchmarkMetric = (typeof BENCHMARK_METRICS)[number];

/** One row per group and metric: the groups a type's percentiles are taken over. */
export function groupMetricsSql(where = 'true'): string {
  return BENCHMARK_METRICS.map(
    (m, i) => `SELECT group_id, group_type, '${m}' AS metric, ${i} AS metric_order, CAST(${m} AS DOUBLE) AS value FROM f_groups WHERE NOT dissolved_by_asof AND ${m} IS NOT NULL AND (${where})`,
  ).join(' UNION ALL ');
}

/** Per type and metric: groups and P25/P50/P75 (R type 7 = quantile_cont), over group metric rows. */
const PERCENTILES_SQL = `SELECT group_type, metric, any_value(metric_order) AS metric_order, count(*)::INTEGER AS groups,
      quantile_cont(value, 0.25) AS p25, quantile_cont(value, 0.5) AS p50, quantile_cont(value, 0.75) AS p75`;

/**
 * The benchmarks as the site shows them, for a subset of groups (`where` over f_groups, used once
 * per metric: its $n placeholders repeat, bound once by the caller): the browser's filters run
 * this over the shipped groups table, the build its unfiltered result.
 */
export function benchmarksSql(where = 'true'): string {
  return `SELECT group_type AS "groupType", metric, groups, p25, p50, p75 FROM (${PERCENTILES_SQL} FROM (${groupMetricsSql(where)}) GROUP BY ALL) ORDER BY group_type, metric_order`;
}

/**
 * Percentiles per type over groups not dissolved by T with a defined value (R type 7 =
 * quantile_cont), each group's percent_rank in its type, and the below-p25 flags.
 */
export async function buildBenchmarks(db: Db): Promise<void> {
  await db.exec(`CREATE OR REPLACE TABLE f_group_metrics AS ${groupMetricsSql()}`);
  await db.exec(`CREATE OR REPLACE TABLE f_benchmarks AS ${PERCENTILES_SQL} FROM f_group_metrics GROUP BY ALL`);
  await db.exec(`
    CREATE OR REPLACE TABLE f_group_ranks AS
    SELECT gm.group_id, gm.metric, gm.value,
      percent_rank() OVER (PARTITION BY gm.group_type, gm.metric ORDER BY gm.value) AS percent_rank,
      gm.value < b.p25 AS below_p25
    FROM f_group_metrics gm JOIN f_benchmarks b USING (group_type, metric)`);
}
