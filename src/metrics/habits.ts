/**
 * Habits and drivers (METRICS.md): daily check-in rates, team points, and referrals. Plain
 * counts in SQL over the model's tables; Wilson intervals from the shared statistics.
 * Streaks, completion and the habit-and-retention split are returned for the pages
 * (habitSummaries).
 *
 *  out_checkin_daily  group_id, date, size, checked_in, rate: per group with check-ins, every
 *                     day from its first check-in to its last, check-ins of members in the
 *                     group that day over the memberships in it that day
 *  out_team_points    group_id, team, date, points, cumulative_points: every team of a camp on
 *                     every day of the camp (the nightly leaderboard; 0 on a day without points)
 *  out_points_by_kind group_id, kind, checkins, points
 *  out_checkin_benchmark  group_type, camp_day, groups, p25, p50, p75: the type benchmark of
 *                     the daily rate by day of camp (day 1 = the group's first check-in)
 *  out_inviters       inviter, staff, invited, day-30 retention and 30-day conversion of the
 *                     memberships they brought (Wilson intervals), and the depth of their chain
 */
import type { QunlensConfig } from '../core/config.ts';
import type { Db } from '../db/db.ts';
import { kaplanMeier, logRank, wilson, wilsonSql, type LogRankResult, type RateInterval, type SurvivalCurve } from '../stats/index.ts';
import { survivalCounts } from './summaries.ts';

const T = 'qz_asof()';

export async function buildCheckins(db: Db, hasCheckins: boolean): Promise<void> {
  if (!hasCheckins) {
    await db.exec(`CREATE OR REPLACE TABLE out_checkin_daily (group_id VARCHAR, date DATE, size INTEGER, checked_in INTEGER, rate DOUBLE)`);
    await db.exec(`CREATE OR REPLACE TABLE out_team_points (group_id VARCHAR, team VARCHAR, date DATE, points DOUBLE, cumulative_points DOUBLE)`);
    await db.exec(`CREATE OR REPLACE TABLE out_points_by_kind (group_id VARCHAR, kind VARCHAR, checkins INTEGER, points DOUBLE)`);
    await db.exec(`CREATE OR REPLACE TABLE out_checkin_benchmark (group_type VARCHAR, camp_day INTEGER, groups INTEGER, p25 DOUBLE, p50 DOUBLE, p75 DOUBLE)`);
    await db.exec(`CREATE OR REPLACE TABLE f_camp_days (group_id VARCHAR, group_type VARCHAR, date DATE, size INTEGER, rate DOUBLE, camp_day INTEGER)`);
    return;
  }
  // a check-in counts for a day when its member was in the group that day (joined on or before,
  // not left before); staff check-ins do not count
  await db.exec(`
    CREATE OR REPLACE TABLE f_checkins AS
    SELECT c.group_id, c.member_id, CAST(c.date AS DATE) AS date, c.kind, c.points, nullif(trim(c.team), '') AS team
    FROM v_checkins c
    WHERE CAST(c.date AS DATE) <= ${T} AND c.member_id NOT IN (SELECT member_id FROM m_staff)`);
  // a camp: its group's days from the first check-in to the last
  await db.exec(`CREATE OR REPLACE TABLE f_camps AS SELECT group_id, min(date) AS first, max(date) AS last FROM f_checkins GROUP BY ALL`);
  // Each check-in's membership that covers its day, once per membership and day: the members
  // checked in per group and day below, and the streaks, completion and habit split
  // (habitSummaries), from one join of check-ins and memberships instead of two (1.05 s vs
  // 1.55 s at the benchmark's scale).
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE h_days AS
    SELECT DISTINCT m.membership_id, m.group_id, m.member_id, c.date
    FROM f_checkins c JOIN m_memberships m
      ON m.group_id = c.group_id AND m.member_id = c.member_id AND m.joined_date <= c.date AND (m.left_date IS NULL OR m.left_date >= c.date)`);
  await db.exec(`
    CREATE OR REPLACE TABLE out_checkin_daily AS
    WITH days AS (SELECT group_id, CAST(d AS DATE) AS date FROM f_camps, generate_series(first, last, INTERVAL 1 DAY) s(d)),
    -- size by a sweep: +1 on the day a membership joins, -1 the day after it leaves, summed
    -- up to each day (a range join of days × memberships stalls at a million memberships)
    moves AS (
      SELECT group_id, joined_date AS date, 1 AS delta FROM m_memberships WHERE group_id IN (SELECT group_id FROM f_camps)
      UNION ALL
      SELECT group_id, CAST(left_date + 1 AS DATE), -1 FROM m_memberships WHERE left_date IS NOT NULL AND group_id IN (SELECT group_id FROM f_camps)
      UNION ALL
      SELECT group_id, date, 0 FROM days),
    running AS (
      SELECT group_id, date, sum(sum(delta)) OVER (PARTITION BY group_id ORDER BY date ROWS UNBOUNDED PRECEDING) AS size
      FROM moves GROUP BY group_id, date),
    size AS (SELECT d.group_id, d.date, r.size::INTEGER AS size FROM days d JOIN running r USING (group_id, date)),
    checked AS (SELECT group_id, date, count(DISTINCT member_id)::INTEGER AS checked_in FROM h_days GROUP BY ALL)
    SELECT g.public_id AS group_id, s.date, s.size, coalesce(k.checked_in, 0) AS checked_in,
      CASE WHEN s.size > 0 THEN coalesce(k.checked_in, 0) / s.size END AS rate
    FROM size s LEFT JOIN checked k USING (group_id, date) JOIN m_groups g USING (group_id)
    ORDER BY group_id, date`);
  // every team on every day of its camp (first to last check-in of the group), so each
  // night's leaderboard lists all teams, those without a check-in that day at 0
  await db.exec(`
    CREATE OR REPLACE TABLE out_team_points AS
    WITH teams AS (SELECT DISTINCT group_id, coalesce(team, '') AS team FROM f_checkins),
    days AS (SELECT t.group_id, t.team, CAST(d AS DATE) AS date FROM teams t JOIN f_camps USING (group_id), generate_series(first, last, INTERVAL 1 DAY) s(d)),
    daily AS (
      SELECT group_id, coalesce(team, '') AS team, date, sum(coalesce(points, 0))::DOUBLE AS points
      FROM f_checkins GROUP BY ALL),
    dense AS (SELECT d.group_id, d.team, d.date, coalesce(p.points, 0)::DOUBLE AS points FROM days d LEFT JOIN daily p USING (group_id, team, date)),
    -- team names as published: once per distinct name, not once per team-day
    names AS (SELECT team, qz_public_key(nullif(team, '')) AS shown FROM (SELECT DISTINCT team FROM teams))
    SELECT g.public_id AS group_id, n.shown AS team, d.date, d.points,
      sum(d.points) OVER (PARTITION BY d.group_id, d.team ORDER BY d.date ROWS UNBOUNDED PRECEDING) AS cumulative_points
    FROM dense d JOIN m_groups g USING (group_id) JOIN names n ON n.team = d.team
    ORDER BY group_id, team NULLS LAST, date`);
  // points and check-ins by kind (签到, 作业, 兑换 …), per group; kinds as published (after
  // the count: once per group and kind, not once per check-in)
  await db.exec(`
    CREATE OR REPLACE TABLE out_points_by_kind AS
    SELECT group_id, qz_public_key(kind) AS kind, checkins, points FROM (
      SELECT g.public_id AS group_id, coalesce(c.kind, '') AS kind,
        count(*)::INTEGER AS checkins, sum(coalesce(c.points, 0))::DOUBLE AS points
      FROM f_checkins c JOIN m_groups g USING (group_id)
      GROUP BY ALL)
    ORDER BY group_id, kind`);
  // each camp day with its group's type and its day of camp (day 1 = the first check-in): what
  // the benchmark, the Habits page and the group pages compare on
  await db.exec(`
    CREATE OR REPLACE TABLE f_camp_days AS
    SELECT c.group_id, g.group_type, c.date, c.size, c.rate, (c.date - f.first + 1)::INTEGER AS camp_day
    FROM out_checkin_daily c JOIN m_groups g ON g.public_id = c.group_id JOIN f_camps f ON f.group_id = g.group_id`);
  // the type benchmark: by day of camp, the quartiles of the daily rates of the groups of that
  // type that had that day
  await db.exec(`
    CREATE OR REPLACE TABLE out_checkin_benchmark AS
    SELECT group_type, camp_day, count(*)::INTEGER AS groups,
      quantile_cont(rate, 0.25) AS p25, quantile_cont(rate, 0.5) AS p50, quantile_cont(rate, 0.75) AS p75
    FROM f_camp_days WHERE rate IS NOT NULL GROUP BY ALL ORDER BY group_type, camp_day`);
}

/**
 * Referrals from members.inviter_id. An inviter is shown by their ID when staff (as group
 * owners are; through qz_public_key, so an ID carrying a phone number is masked and still
 * unique) and by the same salted hash as memberships' member_key otherwise. The day-30 stay (observed)
 * and conversion count memberships observed for 30 days, with Wilson intervals computed in SQL
 * (wilsonSql: the same doubles as wilson(); a million memberships have ~200,000 inviters, too
 * many to send through JavaScript). A chain's depth: the longest chain of invitations from the
 * inviter that meets nobody twice (A → B → A is depth 1: members invite each other into
 * different groups), cut at 50.
 */
export async function buildInviters(db: Db, config: QunlensConfig, hasOrders: boolean): Promise<void> {
  const ret = wilsonSql('retained_d30_x', 'retained_d30_n', config.confLevel);
  const conv = wilsonSql('conversion_x', 'conversion_n', config.confLevel);
  const orders = (e: string) => (hasOrders ? e : 'NULL::DOUBLE');
  // The chains walk integer IDs over the edges that can be on a chain of 2 or more: a first
  // step to someone who invites, later steps from someone invited. Any other inviter's depth
  // is 1 (the coalesce below). Recursion over the whole string-keyed edge table took 1.7 s at
  // the benchmark's scale (454,000 edges), 1.2 s this way; same depths.
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE inv_edges AS
    SELECT DISTINCT inviter_id AS inviter, member_id AS invitee FROM m_memberships WHERE inviter_id IS NOT NULL AND inviter_id <> member_id`);
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE inv_ids AS
    SELECT id, (row_number() OVER ())::INTEGER AS n FROM (
      SELECT inviter AS id FROM inv_edges WHERE invitee IN (SELECT inviter FROM inv_edges)
      UNION SELECT inviter FROM inv_edges WHERE inviter IN (SELECT invitee FROM inv_edges)
      UNION SELECT invitee FROM inv_edges WHERE inviter IN (SELECT invitee FROM inv_edges))`);
  const intEdges = (where: string) => `
    SELECT a.n AS inviter, b.n AS invitee FROM inv_edges e JOIN inv_ids a ON a.id = e.inviter JOIN inv_ids b ON b.id = e.invitee WHERE ${where}`;
  await db.exec(`CREATE OR REPLACE TEMP TABLE inv_first AS ${intEdges('e.invitee IN (SELECT inviter FROM inv_edges)')}`);
  await db.exec(`CREATE OR REPLACE TEMP TABLE inv_next AS ${intEdges('e.inviter IN (SELECT invitee FROM inv_edges)')}`);
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE inv_depth AS
    WITH RECURSIVE chain(inviter, node, depth, path) AS (
      SELECT inviter, invitee, 1, [inviter, invitee] FROM inv_first
      UNION ALL
      SELECT c.inviter, e.invitee, c.depth + 1, list_append(c.path, e.invitee)
      FROM chain c JOIN inv_next e ON e.inviter = c.node
      WHERE NOT list_contains(c.path, e.invitee) AND c.depth < 50)
    SELECT i.id AS inviter, d.chain_depth
    FROM (SELECT inviter, max(depth)::INTEGER AS chain_depth FROM chain GROUP BY ALL) d JOIN inv_ids i ON i.n = d.inviter`);
  await db.exec(`
    CREATE OR REPLACE TABLE out_inviters AS
    WITH depth AS (SELECT inviter, chain_depth FROM inv_depth),
    brought AS (
      SELECT m.inviter_id,
        count(*)::INTEGER AS invited,
        count(*) FILTER (WHERE f.conversion_eligible)::INTEGER AS retained_d30_n,
        count(*) FILTER (WHERE f.conversion_eligible AND f.retained_d30)::INTEGER AS retained_d30_x,
        count(*) FILTER (WHERE f.tenure_days >= 30)::INTEGER AS at_risk_d30,
        count(*) FILTER (WHERE f.conversion_eligible AND f.converted_30d IS NOT NULL)::INTEGER AS conversion_n,
        count(*) FILTER (WHERE f.conversion_eligible AND f.converted_30d)::INTEGER AS conversion_x
      FROM m_memberships m JOIN f_memberships f USING (membership_id)
      WHERE m.inviter_id IS NOT NULL
      GROUP BY ALL),
    named AS (
      SELECT CASE WHEN s.member_id IS NOT NULL THEN qz_public_key(b.inviter_id) ELSE qz_hash(b.inviter_id, 16) END AS inviter,
        s.member_id IS NOT NULL AS staff, b.*, coalesce(d.chain_depth, 1) AS chain_depth
      FROM brought b LEFT JOIN m_staff s ON s.member_id = b.inviter_id LEFT JOIN depth d ON d.inviter = b.inviter_id)
    SELECT inviter, staff, invited, chain_depth, retained_d30_n,
      ${ret.rate} AS retained_d30, ${ret.lower} AS retained_d30_lower, ${ret.upper} AS retained_d30_upper,
      ${hasOrders ? 'conversion_n' : 'NULL::INTEGER'} AS conversion_30d_n,
      ${orders(conv.rate)} AS conversion_30d, ${orders(conv.lower)} AS conversion_30d_lower, ${orders(conv.upper)} AS conversion_30d_upper,
      -- added after the published columns (never renamed): Kaplan–Meier n at risk at day 30
      at_risk_d30
    FROM named
    ORDER BY invited DESC, inviter`);
  await db.exec(`DROP TABLE inv_edges; DROP TABLE inv_ids; DROP TABLE inv_first; DROP TABLE inv_next; DROP TABLE inv_depth`);
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
  // h_days: one row per membership and day checked in (buildCheckins)
  const streaks = await db.rows<{ streak: number; memberships: number }>(`
    WITH islands AS (SELECT membership_id, date - CAST(row_number() OVER (PARTITION BY membership_id ORDER BY date) AS INTEGER) AS island FROM h_days),
    runs AS (SELECT membership_id, count(*) AS n FROM islands GROUP BY membership_id, island),
    best AS (SELECT membership_id, max(n)::INTEGER AS streak FROM runs GROUP BY ALL)
    SELECT streak, count(*)::INTEGER AS memberships FROM best GROUP BY ALL ORDER BY streak`);
  const completion = await db.rows<{ group_id: string; eligible: number; completed: number }>(`
    WITH stay AS (
      SELECT m.membership_id, m.group_id,
        (least(coalesce(m.left_date, ${T}), s.last) - greatest(m.joined_date, s.first) + 1)::INTEGER AS days
      FROM m_memberships m JOIN f_camps s USING (group_id)),
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
