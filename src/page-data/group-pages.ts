/**
 * What each group's page shows, gathered with a few bulk queries (never one query per group):
 * its metrics against its type's percentiles, its membership retention against its type's,
 * weekly activity over its life, the weekday × hour rhythm, joins by channel.
 */
import type { QunlensConfig } from '../core/config.ts';
import type { Db } from '../db/db.ts';
import { kaplanMeier, type DrawnCurve, type SurvivalCurve } from '../stats/index.ts';
import { survivalCounts } from '../metrics/summaries.ts';
import { BENCHMARK_METRICS, type BenchmarkMetric } from '../metrics/facts.ts';

export interface GroupMetric {
  metric: BenchmarkMetric;
  value: number | null;
  rank: number | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  typeGroups: number;
  belowP25: boolean;
}

export interface GroupPage {
  id: string;
  name: string | null;
  groupType: string;
  typeLabel: string | null;
  owner: string | null;
  store: string | null;
  region: string | null;
  created: string;
  dissolved: string | null;
  lastActive: string;
  status: 'alive' | 'zombie' | 'dissolved';
  flags: string[];
  daysSilent: number;
  lifespanDays: number;
  size: number;
  joins: number;
  activation: { rate: number | null; n: number };
  conversion: { rate: number | null; n: number };
  /** the day-30 stay (observed), its denominator, and the members still followed at day 30
   * (Kaplan–Meier n at risk), which decide whether it is a small sample */
  retainedD30: { rate: number | null; n: number; atRisk: number };
  metrics: GroupMetric[];
  retention: DrawnCurve;
  /** Monday of each week with activity: distinct active members, messages */
  weekly: { week: string; activeMembers: number; messages: number }[];
  hourly: { weekday: number; hour: number; messages: number }[];
  channels: { channel: string; joins: number }[];
  /** daily check-in rate, for groups with check-ins (checkin_daily.csv), with the median rate
   * of its type's groups on the same day of their camps (checkin_benchmark.csv) */
  checkins: { date: string; size: number; checkedIn: number; rate: number | null; benchmark: number | null }[];
}

interface GroupRow {
  group_id: string;
  name: string | null;
  group_type: string;
  type_label: string | null;
  owner: string | null;
  store: string | null;
  region: string | null;
  created_date: string;
  dissolved_date: string | null;
  last_active_date: string;
  status: GroupPage['status'];
  flags: string | null;
  days_silent: number;
  lifespan_days: number;
  size: number;
  joins: number;
  activation_rate: number | null;
  activation_n: number | null;
  conversion_30d: number | null;
  conversion_n: number | null;
  retained_d30: number | null;
  retained_d30_n: number | null;
  at_risk_d30: number | null;
  [rank: `rank_${string}`]: number | null;
}

function groupBy<T extends { group_id: string }>(rows: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const r of rows) {
    const list = map.get(r.group_id);
    if (list) list.push(r);
    else map.set(r.group_id, [r]);
  }
  return map;
}

const r10 = (v: number | null) => (v === null ? null : Math.round(v * 1e10) / 1e10);

/** A curve as pages use it: no standard errors, values to 10 decimals as in the CSVs. */
function drawn(curve: SurvivalCurve): DrawnCurve {
  return {
    n: curve.n,
    events: curve.events,
    points: curve.points.map((p) => ({ time: p.time, atRisk: p.atRisk, events: p.events, survival: r10(p.survival)!, lower: r10(p.lower), upper: r10(p.upper) })),
  };
}

export async function groupPages(db: Db, config: QunlensConfig): Promise<GroupPage[]> {
  const groups = await db.rows<GroupRow & Record<string, unknown>>(`SELECT * FROM out_groups ORDER BY group_id`);
  const benchmarks = await db.rows<{ group_type: string; metric: BenchmarkMetric; groups: number; p25: number; p50: number; p75: number }>(`SELECT * FROM out_type_benchmarks`);
  const bench = new Map(benchmarks.map((b) => [`${b.group_type}\u0000${b.metric}`, b]));
  // Queries group by the raw group ID; pages are keyed by the public one (masked once per group).
  const publicOf = new Map((await db.rows<{ group_id: string; public_id: string }>(`SELECT group_id, public_id FROM m_groups`)).map((g) => [g.group_id, g.public_id]));
  const toPublic = <T extends { group_id: string }>(rows: T[]): T[] => rows.map((r) => ({ ...r, group_id: publicOf.get(r.group_id) ?? r.group_id }));
  const below = toPublic(await db.rows<{ group_id: string; metric: string }>(`SELECT group_id, metric FROM f_group_ranks WHERE below_p25`));
  const belowSet = new Set(below.map((b) => `${b.group_id}\u0000${b.metric}`));

  // out_checkin_daily and f_camp_days are keyed by the public group ID already
  const checkins = groupBy(await db.rows<{ group_id: string; date: string; size: number; checked_in: number; rate: number | null; benchmark: number | null }>(`
    SELECT c.group_id, CAST(c.date AS VARCHAR) AS date, c.size, c.checked_in, c.rate, b.p50 AS benchmark
    FROM out_checkin_daily c JOIN f_camp_days d USING (group_id, date)
    LEFT JOIN out_checkin_benchmark b USING (group_type, camp_day)
    ORDER BY c.group_id, c.date`));
  const tenureRaw = await survivalCounts(db, 'f_memberships', 'group_id', 'tenure_days', 'left_by_asof');
  const tenure = new Map([...tenureRaw].map(([id, counts]) => [publicOf.get(id) ?? id, counts]));
  // active members by calendar week (model.ts: counted by a hash of the member ID)
  const weekly = groupBy(
    toPublic(
      await db.rows<{ group_id: string; week: string; active_members: number; messages: number }>(`
        SELECT group_id, week::VARCHAR AS week, active_members, messages FROM m_group_weekly ORDER BY group_id, week`),
    ),
  );
  const hourly = groupBy(toPublic(await db.rows<{ group_id: string; weekday: number; hour: number; messages: number }>(`
    SELECT group_id, weekday, hour, messages::INTEGER AS messages FROM m_hourly ORDER BY group_id, weekday, hour`)));
  const channels = groupBy(toPublic(await db.rows<{ group_id: string; channel: string; joins: number }>(`
    SELECT group_id, channel, count(*)::INTEGER AS joins FROM m_memberships GROUP BY ALL ORDER BY group_id, joins DESC, channel`)));

  return groups.map((g) => {
    return {
      id: g.group_id,
      name: g.name,
      groupType: g.group_type,
      typeLabel: g.type_label,
      owner: g.owner,
      store: g.store,
      region: g.region,
      created: g.created_date,
      dissolved: g.dissolved_date,
      lastActive: g.last_active_date,
      status: g.status,
      flags: g.flags ? g.flags.split(';') : [],
      daysSilent: g.days_silent,
      lifespanDays: g.lifespan_days,
      size: g.size,
      joins: g.joins,
      activation: { rate: g.activation_rate, n: g.activation_n ?? 0 },
      conversion: { rate: g.conversion_30d, n: g.conversion_n ?? 0 },
      retainedD30: { rate: g.retained_d30, n: g.retained_d30_n ?? 0, atRisk: g.at_risk_d30 ?? 0 },
      metrics: BENCHMARK_METRICS.map((metric) => {
        const b = bench.get(`${g.group_type}\u0000${metric}`);
        return {
          metric,
          value: (g[metric] as number | null) ?? null,
          rank: (g[`rank_${metric}`] as number | null) ?? null,
          p25: b?.p25 ?? null,
          p50: b?.p50 ?? null,
          p75: b?.p75 ?? null,
          typeGroups: b?.groups ?? 0,
          belowP25: belowSet.has(`${g.group_id}\u0000${metric}`),
        };
      }),
      retention: drawn(kaplanMeier(tenure.get(g.group_id) ?? [], { confLevel: config.confLevel })),
      weekly: (weekly.get(g.group_id) ?? []).map((w) => ({ week: w.week, activeMembers: w.active_members, messages: w.messages })),
      hourly: (hourly.get(g.group_id) ?? []).map((h) => ({ weekday: h.weekday, hour: h.hour, messages: h.messages })),
      channels: (channels.get(g.group_id) ?? []).map((c) => ({ channel: c.channel, joins: c.joins })),
      checkins: (checkins.get(g.group_id) ?? []).map((c) => ({ date: c.date, size: c.size, checkedIn: c.checked_in, rate: c.rate, benchmark: c.benchmark })),
    };
  });
}
