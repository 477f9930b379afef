/**
 * Breakdowns the pages show beside the main summaries: channel × group type, regions and
 * stores (who executes the SOP well), lifespans by region. Same definitions as the summaries
 * (METRICS.md), computed from the facts tables; results become out_* tables and CSVs.
 */
import type { QunlensConfig } from '../core/config.ts';
import type { Db } from '../db/db.ts';
import { atRiskAt, kaplanMeier, survivalAt, survivalQuantile, type SurvivalCurve } from '../stats/index.ts';
import { rateOf, survivalCounts, timeCutAfter, type Rate } from './summaries.ts';

export interface MatrixCell {
  channel: string;
  groupType: string;
  joins: number;
  retentionD30: { value: number | null; lower: number | null; upper: number | null };
  /** observed for at least 30 days (the denominator readers can weigh) */
  eligible30: number;
  /** still followed at day 30 (Kaplan–Meier n at risk): what the small-sample grey of S(30) judges by */
  atRisk30: number;
  conversion30d: Rate;
}

/** Channel × group type: joins, Kaplan–Meier S(30) and 30-day conversion per cell. */
export async function channelTypeMatrix(db: Db, config: QunlensConfig, hasOrders: boolean): Promise<MatrixCell[]> {
  const byCell = await survivalCounts(db, 'f_memberships', `channel || chr(31) || group_type`, timeCutAfter('tenure_days', 30), 'left_by_asof');
  const rates = await db.rows<{ channel: string; group_type: string; joins: number; eligible30: number; conv_n: number; conv_x: number }>(`
    SELECT channel, group_type, count(*)::INTEGER AS joins,
      count(*) FILTER (WHERE days_observed >= 30)::INTEGER AS eligible30,
      count(*) FILTER (WHERE conversion_eligible AND converted_30d IS NOT NULL)::INTEGER AS conv_n,
      count(*) FILTER (WHERE conversion_eligible AND converted_30d)::INTEGER AS conv_x
    FROM f_memberships GROUP BY ALL ORDER BY channel, group_type`);
  return rates.map((r) => {
    const curve = kaplanMeier(byCell.get(`${r.channel}\u001f${r.group_type}`) ?? [], { confLevel: config.confLevel });
    const at = survivalAt(curve, 30);
    return {
      channel: r.channel,
      groupType: r.group_type,
      joins: r.joins,
      retentionD30: at ? { value: at.survival, lower: at.lower, upper: at.upper } : { value: null, lower: null, upper: null },
      eligible30: r.eligible30,
      atRisk30: atRiskAt(curve, 30),
      conversion30d: hasOrders ? rateOf(r.conv_x, r.conv_n, config.confLevel) : { rate: null, lower: null, upper: null, n: 0, x: 0 },
    };
  });
}

export interface PlaceSummary {
  /** region, or store (with its region) */
  key: string;
  region: string | null;
  groups: number;
  alive: number;
  zombies: number;
  dissolved: number;
  members: number;
  memberships: number;
  /** median over the place's groups that are not dissolved */
  medianWeeklyActiveRatio: number | null;
  medianMessagesPerMemberWeek: number | null;
  activation: Rate;
  /** day-30 stay (observed): of the memberships followed 30 days, the share still in at day 30 */
  retainedD30: Rate;
  /** 30-day retention (Kaplan–Meier S(30)) of the place's memberships, with its band */
  kmRetainedD30: { value: number | null; lower: number | null; upper: number | null };
  /** still followed at day 30 (Kaplan–Meier n at risk): what the small-sample grey judges by */
  atRisk30: number;
  conversion30d: Rate;
}

/**
 * Regions and stores: pooled membership rates (activation, still in the group at day 30,
 * 30-day conversion, with Wilson intervals) and medians of the group metrics.
 */
export async function placeSummaries(db: Db, config: QunlensConfig, level: 'region' | 'store', inputs: { hasActivity: boolean; hasOrders: boolean }): Promise<PlaceSummary[]> {
  const key = level === 'region' ? `coalesce(region, '')` : `coalesce(store, '')`;
  const rows = await db.rows<{
    k: string;
    region: string | null;
    groups: number;
    alive: number;
    zombies: number;
    dissolved: number;
    members: number;
    war: number | null;
    mpmw: number | null;
  }>(`
    SELECT ${key} AS k, ${level === 'store' ? 'mode(region)' : 'NULL'} AS region, count(*)::INTEGER AS groups,
      count(*) FILTER (WHERE status = 'alive')::INTEGER AS alive,
      count(*) FILTER (WHERE status = 'zombie')::INTEGER AS zombies,
      count(*) FILTER (WHERE status = 'dissolved')::INTEGER AS dissolved,
      sum(size)::INTEGER AS members,
      quantile_cont(weekly_active_ratio, 0.5) FILTER (WHERE NOT dissolved_by_asof) AS war,
      quantile_cont(messages_per_member_week, 0.5) FILTER (WHERE NOT dissolved_by_asof) AS mpmw
    FROM f_groups ${level === 'store' ? 'WHERE store IS NOT NULL' : ''} GROUP BY ALL`);
  const rates = await db.rows<{ k: string; memberships: number; act_n: number; act_x: number; ret_n: number; ret_x: number; conv_n: number; conv_x: number }>(`
    SELECT ${key} AS k, count(*)::INTEGER AS memberships,
      count(*) FILTER (WHERE activation_eligible AND activated IS NOT NULL)::INTEGER AS act_n,
      count(*) FILTER (WHERE activation_eligible AND activated)::INTEGER AS act_x,
      count(*) FILTER (WHERE conversion_eligible)::INTEGER AS ret_n,
      count(*) FILTER (WHERE conversion_eligible AND retained_d30)::INTEGER AS ret_x,
      count(*) FILTER (WHERE conversion_eligible AND converted_30d IS NOT NULL)::INTEGER AS conv_n,
      count(*) FILTER (WHERE conversion_eligible AND converted_30d)::INTEGER AS conv_x
    FROM f_memberships ${level === 'store' ? 'WHERE store IS NOT NULL' : ''} GROUP BY ALL`);
  const byKey = new Map(rates.map((r) => [r.k, r]));
  // (only S(30) and the n at risk at 30 are read off these curves)
  const counts = await survivalCounts(db, 'f_memberships', key, timeCutAfter('tenure_days', 30), 'left_by_asof', level === 'store' ? 'store IS NOT NULL' : 'true');
  const km = (k: string) => {
    const curve = kaplanMeier(counts.get(k) ?? [], { confLevel: config.confLevel });
    const at = survivalAt(curve, 30);
    return { value: at?.survival ?? null, lower: at?.lower ?? null, upper: at?.upper ?? null, atRisk: atRiskAt(curve, 30) };
  };
  const none: Rate = { rate: null, lower: null, upper: null, n: 0, x: 0 };
  return rows
    .map((r) => {
      const m = byKey.get(r.k);
      const { atRisk, ...kmRetainedD30 } = km(r.k);
      return {
        key: r.k,
        region: r.region,
        groups: r.groups,
        alive: r.alive,
        zombies: r.zombies,
        dissolved: r.dissolved,
        members: r.members ?? 0,
        memberships: m?.memberships ?? 0,
        medianWeeklyActiveRatio: inputs.hasActivity ? r.war : null,
        medianMessagesPerMemberWeek: inputs.hasActivity ? r.mpmw : null,
        activation: inputs.hasActivity && m ? rateOf(m.act_x, m.act_n, config.confLevel) : none,
        retainedD30: m ? rateOf(m.ret_x, m.ret_n, config.confLevel) : none,
        kmRetainedD30,
        atRisk30: atRisk,
        conversion30d: inputs.hasOrders && m ? rateOf(m.conv_x, m.conv_n, config.confLevel) : none,
      };
    })
    .sort((a, b) => b.groups - a.groups || a.key.localeCompare(b.key));
}

export interface CurveWithMedian {
  key: string;
  groups: number;
  curve: SurvivalCurve;
  median: number | null;
  medianLower: number | null;
  medianUpper: number | null;
}

/** Group lifespan Kaplan–Meier by any group attribute (region, dominant channel). */
export async function lifespanBy(db: Db, config: QunlensConfig, attribute: 'region' | 'dominant_channel'): Promise<CurveWithMedian[]> {
  const byKey = await survivalCounts(db, 'f_groups', `coalesce(${attribute}, '')`, 'lifespan_days', 'lifespan_event');
  return [...byKey.entries()].map(([key, counts]) => {
    const curve = kaplanMeier(counts, { confLevel: config.confLevel });
    const m = survivalQuantile(curve, 0.5);
    return { key, groups: curve.n, curve, median: m.quantile, medianLower: m.lower, medianUpper: m.upper };
  });
}
