/**
 * Habits and drivers (METRICS.md): daily check-in rates, team points, and referrals. Plain
 * counts in SQL over the model's tables; Wilson intervals from the shared statistics.
 * Streaks, completion and the habit-and-retention split are returned for the pages
 * (habitSummaries).
 *
 *  out_checkin_daily  group_id, date, size, checked_in, rate: per group with check-ins, every
 *                     day from its first check-in to its last, check-ins of members in the
 *                     group that day over the memberships in it that day
 *  out_team_points    group_id, team, date, points, cumulative_points (the nightly leaderboard)
 *  out_inviters       inviter, staff, invited, day-30 retention and 30-day conversion of the
 *                     memberships they brought (Wilson intervals), and the depth of their chain
 */
import type { QunlensConfig } from '../config.ts';
import type { Db } from '../db/db.ts';
import { kaplanMeier, logRank, wilson, type LogRankResult, type RateInterval, type SurvivalCurve } from '../stats/index.ts';
import { survivalCounts } from './summaries.ts';

const T = 'qz_asof()';

export async function buildCheckins(db: Db, hasCheckins: boolean): Promise<void> {
  if (!hasCheckins) {
    await db.exec(`CREATE OR REPLACE TABLE out_checkin_daily (group_id VARCHAR, date DATE, size INTEGER, checked_in INTEGER, rate DOUBLE)`);
    await db.exec(`CREATE OR REPLACE TABLE out_team_points (group_id VARCHAR, team VARCHAR, date DATE, points DOUBLE, cumulative_points DOUBLE)`);
    return;
  }
  // a check-in counts for a day when its member was in the group that day (joined on or before,
  // not left before); staff check-ins do not count
  await db.exec(`
    CREATE OR REPLACE TABLE f_checkins AS
    SELECT c.group_id, c.member_id, CAST(c.date AS DATE) AS date, c.kind, c.points, nullif(trim(c.team), '') AS team
    FROM v_checkins c
    WHERE CAST(c.date AS DATE) <= ${T} AND c.member_id NOT IN (SELECT member_id FROM m_staff)`);
  await db.exec(`
    CREATE OR REPLACE TABLE out_checkin_daily AS
    WITH span AS (SELECT group_id, min(date) AS first, max(date) AS last FROM f_checkins GROUP BY ALL),
    days AS (SELECT group_id, CAST(d AS DATE) AS date FROM span, generate_series(first, last, INTERVAL 1 DAY) s(d)),
    size AS (
      SELECT d.group_id, d.date, count(m.membership_id)::INTEGER AS size
      FROM days d LEFT JOIN m_memberships m
        ON m.group_id = d.group_id AND m.joined_date <= d.date AND (m.left_date IS NULL OR m.left_date >= d.date)
      GROUP BY ALL),
    checked AS (
      SELECT c.group_id, c.date, count(DISTINCT c.member_id)::INTEGER AS checked_in
      FROM f_checkins c
      SEMI JOIN m_memberships m
        ON m.group_id = c.group_id AND m.member_id = c.member_id AND m.joined_date <= c.date AND (m.left_date IS NULL OR m.left_date >= c.date)
      GROUP BY ALL)
    SELECT g.public_id AS group_id, s.date, s.size, coalesce(k.checked_in, 0) AS checked_in,
      CASE WHEN s.size > 0 THEN coalesce(k.checked_in, 0) / s.size END AS rate
    FROM size s LEFT JOIN checked k USING (group_id, date) JOIN m_groups g USING (group_id)
    ORDER BY group_id, date`);
  await db.exec(`
    CREATE OR REPLACE TABLE out_team_points AS
    WITH daily AS (
      SELECT group_id, coalesce(team, '') AS team, date, sum(coalesce(points, 0))::DOUBLE AS points
      FROM f_checkins GROUP BY ALL)
    SELECT g.public_id AS group_id, nullif(d.team, '') AS team, d.date, d.points,
      sum(d.points) OVER (PARTITION BY d.group_id, d.team ORDER BY d.date ROWS UNBOUNDED PRECEDING) AS cumulative_points
    FROM daily d JOIN m_groups g USING (group_id)
    ORDER BY group_id, team NULLS LAST, date`);
}

export interface InviterRow {
  inviter: string;
  staff: boolean;
  invited: number;
  retained_d30_n: number;
  retained_d30_x: number;
  conversion_n: number;
  conversion_x: number;
  chain_depth: number;
}

/**
 * Referrals from members.inviter_id. An inviter is shown by their ID when staff (as group
 * owners are) and by the same salted hash as memberships' member_key otherwise. Day-30 retention
 * and conversion count memberships observed for 30 days. A chain's depth: 1 for an inviter whose
 * invitees invited nobody, 1 + the deepest invitee's otherwise (cycles stop at 50).
 */
export async function buildInviters(db: Db, config: QunlensConfig, hasOrders: boolean): Promise<InviterRow[]> {
  const rows = await db.rows<InviterRow>(`
    WITH RECURSIVE edges AS (
      SELECT DISTINCT inviter_id AS inviter, member_id AS invitee FROM m_memberships WHERE inviter_id IS NOT NULL AND inviter_id <> member_id),
    chain(inviter, node, depth) AS (
      SELECT inviter, invitee, 1 FROM edges
      UNION
      SELECT c.inviter, e.invitee, c.depth + 1 FROM chain c JOIN edges e ON e.inviter = c.node WHERE c.depth < 50),
    depth AS (SELECT inviter, max(depth)::INTEGER AS chain_depth FROM chain GROUP BY ALL),
    brought AS (
      SELECT m.inviter_id,
        count(*)::INTEGER AS invited,
        count(*) FILTER (WHERE f.conversion_eligible)::INTEGER AS retained_d30_n,
        count(*) FILTER (WHERE f.conversion_eligible AND f.retained_d30)::INTEGER AS retained_d30_x,
        count(*) FILTER (WHERE f.conversion_eligible AND f.converted_30d IS NOT NULL)::INTEGER AS conversion_n,
        count(*) FILTER (WHERE f.conversion_eligible AND f.converted_30d)::INTEGER AS conversion_x
      FROM m_memberships m JOIN f_memberships f USING (membership_id)
      WHERE m.inviter_id IS NOT NULL
      GROUP BY ALL)
    SELECT CASE WHEN s.member_id IS NOT NULL THEN qz_public(b.inviter_id) ELSE qz_hash(b.inviter_id, 16) END AS inviter,
      s.member_id IS NOT NULL AS staff, b.invited, b.retained_d30_n, b.retained_d30_x, b.conversion_n, b.conversion_x,
      coalesce(d.chain_depth, 1) AS chain_depth
    FROM brought b LEFT JOIN m_staff s ON s.member_id = b.inviter_id LEFT JOIN depth d ON d.inviter = b.inviter_id
    ORDER BY b.invited DESC, inviter`);
  const out = rows.map((r) => {
    const ret = wilson(r.retained_d30_x, r.retained_d30_n, config.confLevel);
    const conv = hasOrders ? wilson(r.conversion_x, r.conversion_n, config.confLevel) : { rate: null, lower: null, upper: null };
    return [r.inviter, r.staff, r.invited, r.chain_depth, r.retained_d30_n, ret.rate, ret.lower, ret.upper, hasOrders ? r.conversion_n : null, conv.rate, conv.lower, conv.upper];
  });
  const { createTable } = await import('./index.ts');
  await createTable(
    db,
    'out_inviters',
    [
      ['inviter', 'VARCHAR'],
      ['staff', 'BOOLEAN'],
      ['invited', 'INTEGER'],
      ['chain_depth', 'INTEGER'],
      ['retained_d30_n', 'INTEGER'],
      ['retained_d30', 'DOUBLE'],
      ['retained_d30_lower', 'DOUBLE'],
      ['retained_d30_upper', 'DOUBLE'],
      ['conversion_30d_n', 'INTEGER'],
      ['conversion_30d', 'DOUBLE'],
      ['conversion_30d_lower', 'DOUBLE'],
      ['conversion_30d_upper', 'DOUBLE'],
    ],
    out,
  );
  return rows;
}

export interface HabitSummaries {
  /** longest run of consecutive check-in days per membership: how many memberships have each length */
  streaks: { streak: number; memberships: number }[];
  /** per group with check-ins: memberships in the camp 7+ days, those checking in on completionShare of them */
  completion: { groupId: string; eligible: number; completed: number; rate: RateInterval }[];
  /** memberships of check-in groups joined by T - 7, by "checked in during days [0, 7)" */
  habit: { checked: SurvivalCurve | null; notChecked: SurvivalCurve | null; logRank: LogRankResult | null };
}

/**
 * Streaks, completion and the habit-and-retention split. A camp's days are its group's days
 * from the first to the last check-in; a membership's days in it are those it was in the group
 * (the share of days checked in counts those, so a member who joined long before the camp is
 * not measured against months of no camp).
 */
export async function habitSummaries(db: Db, config: QunlensConfig, hasCheckins: boolean): Promise<HabitSummaries> {
  if (!hasCheckins) return { streaks: [], completion: [], habit: { checked: null, notChecked: null, logRank: null } };
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE h_days AS
    SELECT DISTINCT m.membership_id, m.group_id, c.date
    FROM f_checkins c JOIN m_memberships m
      ON m.group_id = c.group_id AND m.member_id = c.member_id AND m.joined_date <= c.date AND (m.left_date IS NULL OR m.left_date >= c.date)`);
  const streaks = await db.rows<{ streak: number; memberships: number }>(`
    WITH islands AS (SELECT membership_id, date - CAST(row_number() OVER (PARTITION BY membership_id ORDER BY date) AS INTEGER) AS island FROM h_days),
    runs AS (SELECT membership_id, count(*) AS n FROM islands GROUP BY membership_id, island),
    best AS (SELECT membership_id, max(n)::INTEGER AS streak FROM runs GROUP BY ALL)
    SELECT streak, count(*)::INTEGER AS memberships FROM best GROUP BY ALL ORDER BY streak`);
  const completion = await db.rows<{ group_id: string; eligible: number; completed: number }>(`
    WITH span AS (SELECT group_id, min(date) AS first, max(date) AS last FROM f_checkins GROUP BY ALL),
    stay AS (
      SELECT m.membership_id, m.group_id,
        (least(coalesce(m.left_date, ${T}), s.last) - greatest(m.joined_date, s.first) + 1)::INTEGER AS days
      FROM m_memberships m JOIN span s USING (group_id)),
    checked AS (SELECT membership_id, count(*)::INTEGER AS days FROM h_days GROUP BY ALL)
    SELECT g.public_id AS group_id,
      count(*) FILTER (WHERE st.days >= 7)::INTEGER AS eligible,
      count(*) FILTER (WHERE st.days >= 7 AND coalesce(k.days, 0) >= ${config.completionShare} * st.days)::INTEGER AS completed
    FROM stay st LEFT JOIN checked k USING (membership_id) JOIN m_groups g ON g.group_id = st.group_id
    GROUP BY ALL ORDER BY group_id`);
  // habit and retention: memberships of groups with check-ins, joined at least 7 days before T
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE h_split AS
    SELECT f.membership_id, f.tenure_days, f.left_by_asof,
      CASE WHEN EXISTS (SELECT 1 FROM h_days d WHERE d.membership_id = f.membership_id AND d.date - f.joined_date < 7) THEN 'checked' ELSE 'not' END AS habit
    FROM f_memberships f
    WHERE f.group_id IN (SELECT DISTINCT group_id FROM f_checkins) AND f.joined_date <= ${T} - 7`);
  const counts = await survivalCounts(db, 'h_split', 'habit', 'tenure_days', 'left_by_asof');
  const curve = (k: string) => (counts.has(k) ? kaplanMeier(counts.get(k)!, { confLevel: config.confLevel }) : null);
  const strata = [...counts].map(([key, c]) => ({ key, counts: c }));
  return {
    streaks,
    completion: completion.map((c) => ({ groupId: c.group_id, eligible: c.eligible, completed: c.completed, rate: wilson(c.completed, c.eligible, config.confLevel) })),
    habit: { checked: curve('checked'), notChecked: curve('not'), logRank: strata.length === 2 ? logRank(strata) : null },
  };
}

export interface HabitPage {
  hasCheckins: boolean;
  /** daily check-in rate of the largest camps (by memberships), and the median of all camps per date */
  daily: { groupId: string; name: string | null; date: string; rate: number | null; size: number }[];
  median: { date: string; rate: number }[];
  /** each camp's team standings on its last day (the final nightly leaderboard) */
  leaderboard: { groupId: string; name: string | null; team: string | null; points: number; date: string }[];
  /** the inviters who brought the most memberships */
  inviters: { inviter: string; staff: boolean; invited: number; chainDepth: number; retainedN: number; retained: number | null; retainedLower: number | null; retainedUpper: number | null; conversionN: number | null; conversion: number | null; conversionLower: number | null; conversionUpper: number | null }[];
}

/** Camps shown one by one on the Habits page (the CSV has all). */
export const HABIT_CAMPS = 6;
export const TOP_INVITERS = 20;

/** What the Habits page shows, from the output tables (so the page and the CSVs agree). */
export async function habitPage(db: Db, hasCheckins: boolean): Promise<HabitPage> {
  const inviters = await db.rows<HabitPage['inviters'][number]>(`
    SELECT inviter, staff, invited, chain_depth AS "chainDepth", retained_d30_n AS "retainedN", retained_d30 AS retained,
      retained_d30_lower AS "retainedLower", retained_d30_upper AS "retainedUpper", conversion_30d_n AS "conversionN",
      conversion_30d AS conversion, conversion_30d_lower AS "conversionLower", conversion_30d_upper AS "conversionUpper"
    FROM out_inviters ORDER BY invited DESC, inviter LIMIT ${TOP_INVITERS}`);
  if (!hasCheckins) return { hasCheckins, daily: [], median: [], leaderboard: [], inviters };
  const daily = await db.rows<HabitPage['daily'][number]>(`
    WITH camps AS (SELECT group_id, max(size) AS peak FROM out_checkin_daily GROUP BY ALL ORDER BY peak DESC, group_id LIMIT ${HABIT_CAMPS})
    SELECT d.group_id AS "groupId", g.name, CAST(d.date AS VARCHAR) AS date, d.rate, d.size
    FROM out_checkin_daily d JOIN camps USING (group_id) LEFT JOIN out_groups g USING (group_id)
    ORDER BY d.group_id, d.date`);
  const median = await db.rows<HabitPage['median'][number]>(`
    SELECT CAST(date AS VARCHAR) AS date, median(rate) AS rate FROM out_checkin_daily WHERE rate IS NOT NULL GROUP BY ALL ORDER BY date`);
  const leaderboard = await db.rows<HabitPage['leaderboard'][number]>(`
    SELECT t.group_id AS "groupId", g.name, t.team, t.cumulative_points AS points, CAST(t.date AS VARCHAR) AS date
    FROM out_team_points t LEFT JOIN out_groups g USING (group_id)
    QUALIFY row_number() OVER (PARTITION BY t.group_id, t.team ORDER BY t.date DESC) = 1
    ORDER BY t.group_id, points DESC, t.team`);
  return { hasCheckins, daily, median, leaderboard, inviters };
}
