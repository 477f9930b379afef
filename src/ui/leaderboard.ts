/**
 * The nightly team leaderboard of a camp as of a chosen day: the Habits page draws it at build
 * time (the camp's last day) and again in the browser when a reader picks another day, with
 * this same function. A camp's points travel as one dense team × day matrix (team_points.csv
 * has every team on every day of its camp), which keeps the page's data small.
 */
import type { CampBoard } from '../page-data/habits-page.ts';

export interface Standing {
  /** competition ranking: equal totals share a rank (1, 1, 3) */
  rank: number;
  team: string | null;
  /** points on that day */
  points: number;
  /** points from the first day of the camp up to that day */
  cumulative: number;
}

const DAY_MS = 86_400_000;
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

/** The standings after day `date` (clamped to the camp), ranked by cumulative points, then team. */
export function standingsAsOf(board: CampBoard, date: string): Standing[] {
  const last = dayNumber(board.last) - dayNumber(board.first);
  const day = Math.min(last, Math.max(0, dayNumber(date) - dayNumber(board.first)));
  const rows = board.teams.map((team, i) => {
    let cumulative = 0;
    for (let d = 0; d <= day; d++) cumulative += board.points[i][d] ?? 0;
    // sums of whole or decimal points: round away binary noise before comparing
    return { team, points: board.points[i][day] ?? 0, cumulative: Math.round(cumulative * 1e6) / 1e6 };
  });
  rows.sort((a, b) => b.cumulative - a.cumulative || (a.team === null ? 1 : b.team === null ? -1 : a.team < b.team ? -1 : a.team > b.team ? 1 : 0));
  return rows.map((r) => ({ rank: 1 + rows.filter((o) => o.cumulative > r.cumulative).length, ...r }));
}

/** The days of a camp, first to last, as 'YYYY-MM-DD'. */
export function campDays(board: Pick<CampBoard, 'first' | 'last'>): string[] {
  const days: string[] = [];
  for (let t = dayNumber(board.first), end = dayNumber(board.last); t <= end; t++) days.push(new Date(t * DAY_MS).toISOString().slice(0, 10));
  return days;
}
