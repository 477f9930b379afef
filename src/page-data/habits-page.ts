/**
 * What the Habits page shows, from the output tables (so the page and the CSVs agree): the
 * type benchmark of the daily check-in rate, the largest camps against it, the day-by-day team
 * leaderboards and the top inviters.
 */
import { sqlString, type Db } from '../db/db.ts';

/** A camp's team points, every team on every day: the leaderboard as of any day (ui/leaderboard.ts draws it, in the browser too). */
export interface CampBoard {
  groupId: string;
  name: string | null;
  /** first and last day of the camp, 'YYYY-MM-DD' */
  first: string;
  last: string;
  teams: (string | null)[];
  /** points[team][day]: the team's points on day `day` of the camp (0 = first) */
  points: number[][];
}

export interface HabitPage {
  hasCheckins: boolean;
  /** the type benchmark of the daily rate by day of camp (checkin_benchmark.csv) */
  benchmark: { groupType: string; campDay: number; groups: number; p25: number; p50: number; p75: number }[];
  /** daily check-in rate of the largest camps, by day of camp */
  daily: { groupId: string; name: string | null; groupType: string; campDay: number; date: string; rate: number | null; size: number; benchmark: number | null }[];
  /** camps against their type's benchmark, the largest first (HABIT_CAMP_ROWS of campCount) */
  camps: { groupId: string; name: string | null; groupType: string; days: number; peak: number; rate: number | null; benchmark: number | null }[];
  campCount: number;
  /** camps whose average rate is above their type's median over the same camp days */
  campsAbove: number;
  /** the most recent camps with teams, every team's points on every day (the leaderboard as of any day) */
  leaderboards: CampBoard[];
  /** check-ins and points by kind, all groups */
  pointsByKind: { kind: string; checkins: number; points: number }[];
  /** the inviters who brought the most memberships */
  inviters: { inviter: string; staff: boolean; invited: number; chainDepth: number; retainedN: number; retained: number | null; retainedLower: number | null; retainedUpper: number | null; conversionN: number | null; conversion: number | null; conversionLower: number | null; conversionUpper: number | null }[];
}

/** An SQL list of strings for IN (…); never empty (NULL matches nothing). */
const sqlList = (xs: string[]) => (xs.length ? xs.map(sqlString).join(', ') : 'NULL');

export const EMPTY_HABIT_PAGE: HabitPage = { hasCheckins: false, benchmark: [], daily: [], camps: [], campCount: 0, campsAbove: 0, leaderboards: [], pointsByKind: [], inviters: [] };

/** Camps drawn one by one on the Habits page, camps listed against their benchmark, camps
 * with a day-by-day leaderboard (the CSVs have all). */
export const HABIT_CAMPS = 6;
export const HABIT_CAMP_ROWS = 50;
export const LEADERBOARD_CAMPS = 6;
export const LEADERBOARD_CELLS = 20_000;
export const TOP_INVITERS = 20;

/** What the Habits page shows, from the output tables (so the page and the CSVs agree). */
export async function habitPage(db: Db, hasCheckins: boolean): Promise<HabitPage> {
  const inviters = await db.rows<HabitPage['inviters'][number]>(`
    SELECT inviter, staff, invited, chain_depth AS "chainDepth", retained_d30_n AS "retainedN", retained_d30 AS retained,
      retained_d30_lower AS "retainedLower", retained_d30_upper AS "retainedUpper", conversion_30d_n AS "conversionN",
      conversion_30d AS conversion, conversion_30d_lower AS "conversionLower", conversion_30d_upper AS "conversionUpper"
    FROM out_inviters ORDER BY invited DESC, inviter LIMIT ${TOP_INVITERS}`);
  if (!hasCheckins) return { ...EMPTY_HABIT_PAGE, inviters };
  const benchmark = await db.rows<HabitPage['benchmark'][number]>(`
    SELECT group_type AS "groupType", camp_day AS "campDay", groups, p25, p50, p75 FROM out_checkin_benchmark ORDER BY group_type, camp_day`);
  const camps = await db.rows<HabitPage['camps'][number]>(`
    SELECT d.group_id AS "groupId", g.name, d.group_type AS "groupType", count(*)::INTEGER AS days, max(d.size)::INTEGER AS peak,
      avg(d.rate) AS rate, avg(b.p50) FILTER (WHERE d.rate IS NOT NULL) AS benchmark
    FROM f_camp_days d LEFT JOIN out_checkin_benchmark b USING (group_type, camp_day) LEFT JOIN out_groups g USING (group_id)
    GROUP BY ALL ORDER BY peak DESC, "groupId"`);
  const shown = camps.slice(0, HABIT_CAMPS).map((c) => c.groupId);
  const daily = await db.rows<HabitPage['daily'][number]>(`
    SELECT d.group_id AS "groupId", g.name, d.group_type AS "groupType", d.camp_day AS "campDay", CAST(d.date AS VARCHAR) AS date, d.rate, d.size, b.p50 AS benchmark
    FROM f_camp_days d LEFT JOIN out_checkin_benchmark b USING (group_type, camp_day) LEFT JOIN out_groups g USING (group_id)
    WHERE d.group_id IN (${sqlList(shown)}) ORDER BY d.group_id, d.date`);
  // the day-by-day leaderboard: camps with teams, the most recent first, up to
  // LEADERBOARD_CELLS team-days in all (a year-long camp of 20 teams is 7,300)
  const boardCamps = await db.rows<{ groupId: string; name: string | null; first: string; last: string; cells: number }>(`
    SELECT t.group_id AS "groupId", g.name, CAST(min(t.date) AS VARCHAR) AS first, CAST(max(t.date) AS VARCHAR) AS last, count(*)::INTEGER AS cells
    FROM out_team_points t LEFT JOIN out_groups g USING (group_id)
    GROUP BY ALL HAVING count(t.team) > 0
    ORDER BY last DESC, "groupId" LIMIT ${LEADERBOARD_CAMPS}`);
  let cells = 0;
  const chosen = boardCamps.filter((c, i) => (cells += c.cells) <= LEADERBOARD_CELLS || i === 0);
  const teamDays = await db.rows<{ groupId: string; team: string | null; day: number; points: number }>(`
    SELECT t.group_id AS "groupId", t.team, (t.date - min(t.date) OVER (PARTITION BY t.group_id))::INTEGER AS day, t.points
    FROM out_team_points t WHERE t.group_id IN (${sqlList(chosen.map((c) => c.groupId))}) ORDER BY "groupId", team NULLS LAST, day`);
  const leaderboards: CampBoard[] = chosen.map(({ groupId, name, first, last }) => {
    const rows = teamDays.filter((r) => r.groupId === groupId);
    const teams = [...new Set(rows.map((r) => r.team))];
    const points = teams.map((team) => {
      const line: number[] = [];
      for (const r of rows) if (r.team === team) line[r.day] = r.points;
      return Array.from(line, (p) => p ?? 0);
    });
    return { groupId, name, first, last, teams, points };
  });
  const pointsByKind = await db.rows<HabitPage['pointsByKind'][number]>(`
    SELECT kind, sum(checkins)::INTEGER AS checkins, sum(points)::DOUBLE AS points FROM out_points_by_kind GROUP BY ALL ORDER BY checkins DESC, kind`);
  return { hasCheckins, benchmark, daily, camps: camps.slice(0, HABIT_CAMP_ROWS), campCount: camps.length, campsAbove: camps.filter((c) => c.rate !== null && c.benchmark !== null && c.rate > c.benchmark).length, leaderboards, pointsByKind, inviters };
}
