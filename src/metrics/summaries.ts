/**
 * Summary metrics from the facts tables: SQL aggregates to counts, then the shared pure
 * statistics (Kaplan–Meier, log-rank, Wilson) on those small count tables. The same functions
 * run in the browser over duckdb-wasm, so filtered views use exactly this code.
 */
import { CHANNEL_KEYS, type QunlensConfig } from '../core/config.ts';
import type { Db } from '../db/db.ts';
import { atRiskAt, kaplanMeier, logRank, survivalAt, survivalQuantile, wilson } from '../stats/index.ts';
import type { LogRankResult, SurvivalCurve, TimeCount } from '../stats/index.ts';
import { normalQuantile } from '../stats/index.ts';

export interface Rate {
  rate: number | null;
  lower: number | null;
  upper: number | null;
  /** denominator */
  n: number;
  /** numerator */
  x: number;
}

export function rateOf(x: number, n: number, confLevel: number): Rate {
  const ci = wilson(x, n, confLevel);
  return { rate: ci.rate, lower: ci.lower, upper: ci.upper, n, x };
}

export interface PointWithBand {
  value: number | null;
  lower: number | null;
  upper: number | null;
  /** memberships still followed at that day: what a small-sample grey of S(d) judges by */
  atRisk: number;
}

export interface ChannelSummary {
  channel: string;
  joins: number;
  activation: Rate;
  retention: { d7: PointWithBand; d30: PointWithBand; d90: PointWithBand };
  conversion30d: Rate;
  repurchase: Rate;
  /** mean GMV per eligible joiner, with a normal-approximation interval of the mean */
  gmv90: { mean: number | null; lower: number | null; upper: number | null; n: number; total: number };
}

/** A filter the browser may apply; the build computes the unfiltered view. */
export interface MembershipFilter {
  /** SQL boolean over f_memberships columns; 'true' for none. Placeholders $1, $2… may repeat when it is used more than once in a query. */
  where: string;
  /** the values of its placeholders, bound by the Db (db.ts), never spliced into SQL */
  params: readonly unknown[];
}

const NO_FILTER: MembershipFilter = { where: 'true', params: [] };

/**
 * Event and censoring counts per distinct time, per key: the input of every Kaplan–Meier curve
 * and log-rank test (a few hundred rows per key, however many memberships).
 */
export async function survivalCounts(db: Db, table: string, key: string, time: string, event: string, where = 'true', params: readonly unknown[] = []): Promise<Map<string, TimeCount[]>> {
  const rows = await db.rows<{ k: string; time: number; events: number; censored: number }>(`
    SELECT ${key} AS k, ${time} AS time,
      count(*) FILTER (WHERE ${event})::INTEGER AS events,
      count(*) FILTER (WHERE NOT (${event}))::INTEGER AS censored
    FROM ${table} WHERE ${where} GROUP BY ALL ORDER BY k, time`, params);
  const byKey = new Map<string, TimeCount[]>();
  for (const r of rows) {
    const list = byKey.get(r.k) ?? [];
    list.push({ time: r.time, events: r.events, censored: r.censored });
    byKey.set(r.k, list);
  }
  return byKey;
}

/**
 * A time expression with every time after `day` counted as day + 1: enough for S(day), its band
 * and the n at risk at `day` (survivalAt, atRiskAt), which depend only on the counts up to `day`
 * and their total, and the same to the last bit (the product runs over the same times in the
 * same order). Per group, S(30) from all distinct tenures sent 478,000 rows through JavaScript
 * at the benchmark's scale; this way at most 32 per group.
 */
export const timeCutAfter = (time: string, day: number) => `CASE WHEN ${time} > ${day} THEN ${day + 1} ELSE ${time} END`;

export async function membershipCurves(db: Db, config: QunlensConfig, filter = NO_FILTER): Promise<Map<string, SurvivalCurve>> {
  const counts = await survivalCounts(db, 'f_memberships', 'channel', 'tenure_days', 'left_by_asof', filter.where, filter.params);
  const curves = new Map<string, SurvivalCurve>();
  for (const [channel, c] of counts) curves.set(channel, kaplanMeier(c, { confLevel: config.confLevel }));
  return curves;
}

function band(curve: SurvivalCurve | undefined, day: number): PointWithBand {
  const at = curve ? survivalAt(curve, day) : null;
  const atRisk = curve ? atRiskAt(curve, day) : 0;
  return at ? { value: at.survival, lower: at.lower, upper: at.upper, atRisk } : { value: null, lower: null, upper: null, atRisk };
}

export async function channelSummaries(db: Db, config: QunlensConfig, curves: Map<string, SurvivalCurve>, filter = NO_FILTER): Promise<ChannelSummary[]> {
  const rows = await db.rows<{
    channel: string;
    joins: number;
    act_n: number;
    act_x: number;
    conv_n: number;
    conv_x: number;
    rep_n: number;
    rep_x: number;
    gmv_n: number;
    gmv_total: number;
    gmv_sumsq: number;
  }>(`
    SELECT channel, count(*)::INTEGER AS joins,
      count(*) FILTER (WHERE activation_eligible AND activated IS NOT NULL)::INTEGER AS act_n,
      count(*) FILTER (WHERE activation_eligible AND activated)::INTEGER AS act_x,
      count(*) FILTER (WHERE conversion_eligible AND converted_30d IS NOT NULL)::INTEGER AS conv_n,
      count(*) FILTER (WHERE conversion_eligible AND converted_30d)::INTEGER AS conv_x,
      count(*) FILTER (WHERE orders_to_asof >= 1)::INTEGER AS rep_n,
      count(*) FILTER (WHERE orders_to_asof >= 2)::INTEGER AS rep_x,
      count(*) FILTER (WHERE gmv_eligible AND gmv_90d IS NOT NULL)::INTEGER AS gmv_n,
      CAST(coalesce(sum(gmv_90d) FILTER (WHERE gmv_eligible), 0) AS DOUBLE) AS gmv_total,
      -- exact DECIMAL sums, so DuckDB native and duckdb-wasm (the filters) agree to the last bit;
      -- a floating-point stddev depends on how threads split the rows. Squared as DECIMAL(38, 8):
      -- DECIMAL(18, 4) squared stays DECIMAL(18, 8), which overflows from 100,000 CNY up.
      CAST(coalesce(sum(CAST(gmv_90d AS DECIMAL(38, 4)) * CAST(gmv_90d AS DECIMAL(38, 4))) FILTER (WHERE gmv_eligible), 0) AS DOUBLE) AS gmv_sumsq
    FROM f_memberships WHERE ${filter.where} GROUP BY ALL`, filter.params);
  const byChannel = new Map(rows.map((r) => [r.channel, r]));
  const z = normalQuantile(1 - (1 - config.confLevel) / 2);
  return CHANNEL_KEYS.map((channel) => {
    const r = byChannel.get(channel);
    const curve = curves.get(channel);
    const gmvN = r?.gmv_n ?? 0;
    const mean = gmvN > 0 ? r!.gmv_total / gmvN : null;
    // sample standard deviation from the exact sums: (Σx² − (Σx)²/n) / (n − 1)
    const sd = gmvN > 1 ? Math.sqrt(Math.max(0, (r!.gmv_sumsq - (r!.gmv_total * r!.gmv_total) / gmvN) / (gmvN - 1))) : null;
    const half = mean !== null && sd !== null ? (z * sd) / Math.sqrt(gmvN) : null;
    return {
      channel,
      joins: r?.joins ?? 0,
      activation: rateOf(r?.act_x ?? 0, r?.act_n ?? 0, config.confLevel),
      retention: { d7: band(curve, 7), d30: band(curve, 30), d90: band(curve, 90) },
      conversion30d: rateOf(r?.conv_x ?? 0, r?.conv_n ?? 0, config.confLevel),
      repurchase: rateOf(r?.rep_x ?? 0, r?.rep_n ?? 0, config.confLevel),
      gmv90: {
        mean,
        lower: half === null ? null : Math.max(0, mean! - half),
        upper: half === null ? null : mean! + half,
        n: gmvN,
        total: r?.gmv_total ?? 0,
      },
    };
  });
}

export interface WeekRetention {
  key: string;
  week: number;
  eligible: number;
  retained: number;
  rate: Rate;
}

/**
 * Weekly activity retention, week k: memberships whose whole week k is observed
 * (joined_date + 7(k+1) - 1 <= T), share with a message on days [7k, 7k+7).
 * `key` is an SQL expression over f_memberships (channel, or the join month for cohorts).
 */
export async function weeklyRetention(db: Db, config: QunlensConfig, key: string, filter = NO_FILTER): Promise<WeekRetention[]> {
  // each membership carries a bit per week with a message (facts.ts): no join needed. Counted
  // once per key and number of whole weeks observed (week k is whole when days_observed >=
  // 7(k+1) - 1, i.e. k < (days_observed + 1) // 7), then summed over the weeks: a million
  // memberships × maxWeeks rows took 0.3 s per call at the benchmark's scale.
  const weeks = Array.from({ length: config.maxWeeks }, (_, k) => `count(*) FILTER (WHERE (weeks >> ${k}) & 1 = 1)`);
  const rows = await db.rows<{ k: string; week: number; eligible: number; retained: number }>(`
    WITH per AS (
      SELECT ${key} AS k, least((days_observed + 1) // 7, ${config.maxWeeks}) AS whole, count(*) AS n, [${weeks.join(', ')}] AS r
      FROM f_memberships m WHERE days_observed >= 6 AND ${filter.where}
      GROUP BY ALL)
    SELECT k, w.week::INTEGER AS week, sum(n)::INTEGER AS eligible, sum(r[w.week + 1])::INTEGER AS retained
    FROM per, range(0, ${config.maxWeeks}) w(week)
    WHERE w.week < whole
    GROUP BY ALL ORDER BY k, week`, filter.params);
  return rows.map((r) => ({ key: r.k, week: r.week, eligible: r.eligible, retained: r.retained, rate: rateOf(r.retained, r.eligible, config.confLevel) }));
}

export interface LifespanSummary {
  groupType: string;
  groups: number;
  deaths: number;
  dissolved: number;
  zombies: number;
  alive: number;
  median: number | null;
  medianLower: number | null;
  medianUpper: number | null;
}

export async function lifespanCurves(db: Db, config: QunlensConfig, where = 'true'): Promise<{ curves: Map<string, SurvivalCurve>; counts: Map<string, TimeCount[]> }> {
  const counts = await survivalCounts(db, 'f_groups', 'group_type', 'lifespan_days', 'lifespan_event', where);
  const curves = new Map<string, SurvivalCurve>();
  for (const [type, c] of counts) curves.set(type, kaplanMeier(c, { confLevel: config.confLevel }));
  return { curves, counts };
}

export async function lifespanSummaries(db: Db, curves: Map<string, SurvivalCurve>): Promise<LifespanSummary[]> {
  const rows = await db.rows<{ group_type: string; groups: number; deaths: number; dissolved: number; zombies: number; alive: number }>(`
    SELECT group_type, count(*)::INTEGER AS groups, count(*) FILTER (WHERE lifespan_event)::INTEGER AS deaths,
      count(*) FILTER (WHERE status = 'dissolved')::INTEGER AS dissolved,
      count(*) FILTER (WHERE status = 'zombie')::INTEGER AS zombies,
      count(*) FILTER (WHERE status = 'alive')::INTEGER AS alive
    FROM f_groups GROUP BY ALL ORDER BY groups DESC, group_type`);
  return rows.map((r) => {
    // METRICS.md: the median as R's quantile.survfit (midpoint where S sits at exactly 0.5)
    const m = survivalQuantile(curves.get(r.group_type)!, 0.5);
    return {
      groupType: r.group_type,
      groups: r.groups,
      deaths: r.deaths,
      dissolved: r.dissolved,
      zombies: r.zombies,
      alive: r.alive,
      median: m.quantile,
      medianLower: m.lower,
      medianUpper: m.upper,
    };
  });
}

export function lifespanLogRank(counts: Map<string, TimeCount[]>): LogRankResult | null {
  if (counts.size < 2) return null;
  return logRank([...counts.entries()].map(([key, c]) => ({ key, counts: c })));
}

/** Membership retention by group type: the benchmark curve each group page compares with. */
export async function typeMembershipCurves(db: Db, config: QunlensConfig): Promise<Map<string, SurvivalCurve>> {
  const byType = await survivalCounts(db, 'f_memberships', 'group_type', 'tenure_days', 'left_by_asof');
  return new Map([...byType].map(([type, counts]) => [type, kaplanMeier(counts, { confLevel: config.confLevel })]));
}
