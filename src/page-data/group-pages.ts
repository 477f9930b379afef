/**
 * What each group's page shows, gathered with a few bulk queries (never one query per group):
 * its metrics against its type's percentiles, its membership retention against its type's,
 * weekly activity over its life, the weekday × hour rhythm, joins by channel.
 */
import type { QunlensConfig } from '../core/config.ts';
import type { Db } from '../db/db.ts';
import { kaplanMeier, type DrawnCurve, type SurvivalCurve, type TimeCount } from '../stats/index.ts';
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

/** Groups whose page data is held at once: memory stays flat however many groups there are. */
export const GROUP_PAGE_BATCH = 500;

/**
 * Per-group rows keyed by the public group ID and sorted by it, one temp table each, so that a
 * batch reads its range of every one by row-group statistics. The model groups by the raw ID;
 * pages are keyed by the public one (masked once per group in m_groups).
 */
const PER_GROUP_ROWS: Record<'weekly' | 'hourly' | 'channels' | 'tenure' | 'checkins', string> = {
  // active members by calendar week (model.ts: counted by a hash of the member ID)
  weekly: `SELECT g.public_id AS group_id, w.week::VARCHAR AS week, w.active_members, w.messages
    FROM m_group_weekly w JOIN m_groups g USING (group_id) ORDER BY g.public_id, w.week`,
  hourly: `SELECT g.public_id AS group_id, h.weekday, h.hour, h.messages::INTEGER AS messages
    FROM m_hourly h JOIN m_groups g USING (group_id) ORDER BY g.public_id, h.weekday, h.hour`,
  channels: `SELECT g.public_id AS group_id, m.channel, count(*)::INTEGER AS joins
    FROM m_memberships m JOIN m_groups g USING (group_id) GROUP BY ALL ORDER BY g.public_id, joins DESC, m.channel`,
  // each membership's tenure, counted per batch by survivalCounts
  tenure: `SELECT g.public_id AS group_id, f.tenure_days, f.left_by_asof
    FROM f_memberships f JOIN m_groups g USING (group_id) ORDER BY g.public_id`,
  // out_checkin_daily and f_camp_days are keyed by the public group ID already
  checkins: `SELECT c.group_id, CAST(c.date AS VARCHAR) AS date, c.size, c.checked_in, c.rate, b.p50 AS benchmark
    FROM out_checkin_daily c JOIN f_camp_days d USING (group_id, date)
    LEFT JOIN out_checkin_benchmark b USING (group_type, camp_day)
    ORDER BY c.group_id, c.date`,
};

/**
 * Every group's page data, GROUP_PAGE_BATCH groups at a time in public-ID order (the order of
 * the group list). Holding all of them took 430 MB at the benchmark's 5,000 groups, the build's
 * peak; at 50,000 it grows tenfold.
 */
export async function* groupPageBatches(db: Db, config: QunlensConfig, batchSize = GROUP_PAGE_BATCH): AsyncGenerator<GroupPage[]> {
  const benchmarks = await db.rows<{ group_type: string; metric: BenchmarkMetric; groups: number; p25: number; p50: number; p75: number }>(`SELECT * FROM out_type_benchmarks`);
  const bench = new Map(benchmarks.map((b) => [`${b.group_type}\u0000${b.metric}`, b]));
  const below = await db.rows<{ group_id: string; metric: string }>(`
    SELECT g.public_id AS group_id, r.metric FROM f_group_ranks r JOIN m_groups g USING (group_id) WHERE r.below_p25`);
  const belowSet = new Set(below.map((b) => `${b.group_id}\u0000${b.metric}`));
  const ids = (await db.rows<{ group_id: string }>(`SELECT group_id FROM out_groups ORDER BY group_id`)).map((r) => r.group_id);
  const tables = Object.keys(PER_GROUP_ROWS) as (keyof typeof PER_GROUP_ROWS)[];
  for (const name of tables) await db.exec(`CREATE OR REPLACE TEMP TABLE page_${name} AS ${PER_GROUP_ROWS[name]}`);
  const IN_RANGE = 'group_id BETWEEN $1 AND $2';
  try {
    for (let i = 0; i < ids.length; i += batchSize) {
      const range = [ids[i], ids[Math.min(i + batchSize, ids.length) - 1]];
      const inRange = async <T extends { group_id: string }>(table: string, order: string) =>
        groupBy(await db.rows<T>(`SELECT * FROM ${table} WHERE ${IN_RANGE} ORDER BY ${order}`, range));
      const groups = await db.rows<GroupRow & Record<string, unknown>>(`SELECT * FROM out_groups WHERE ${IN_RANGE} ORDER BY group_id`, range);
      const weekly = await inRange<{ group_id: string; week: string; active_members: number; messages: number }>('page_weekly', 'group_id, week');
      const hourly = await inRange<{ group_id: string; weekday: number; hour: number; messages: number }>('page_hourly', 'group_id, weekday, hour');
      const channels = await inRange<{ group_id: string; channel: string; joins: number }>('page_channels', 'group_id, joins DESC, channel');
      const tenure = await survivalCounts(db, 'page_tenure', 'group_id', 'tenure_days', 'left_by_asof', IN_RANGE, range);
      const checkins = await inRange<{ group_id: string; date: string; size: number; checked_in: number; rate: number | null; benchmark: number | null }>('page_checkins', 'group_id, date');
      yield groups.map((g) => groupPage(g, { config, bench, belowSet, weekly, hourly, channels, tenure, checkins }));
    }
  } finally {
    for (const name of tables) await db.exec(`DROP TABLE IF EXISTS page_${name}`);
  }
}

interface PageRows {
  config: QunlensConfig;
  bench: Map<string, { groups: number; p25: number; p50: number; p75: number }>;
  belowSet: Set<string>;
  weekly: Map<string, { week: string; active_members: number; messages: number }[]>;
  hourly: Map<string, { weekday: number; hour: number; messages: number }[]>;
  channels: Map<string, { channel: string; joins: number }[]>;
  tenure: Map<string, TimeCount[]>;
  checkins: Map<string, { date: string; size: number; checked_in: number; rate: number | null; benchmark: number | null }[]>;
}

function groupPage(g: GroupRow & Record<string, unknown>, rows: PageRows): GroupPage {
  const { config, bench, belowSet, weekly, hourly, channels, tenure, checkins } = rows;
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
}
