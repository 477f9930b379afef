/**
 * Habits and drivers against hand counts on the hand fixture (tests/fixtures/hand), with a
 * checkins.csv written here. G1's customers: f1 (joined 2025-12-15), a1 (2026-01-02), a3
 * (2026-02-01, left 2026-03-15), a4 (joins 2026-03-28); zhangwei is staff.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, readCsvObjects } from '../helpers.ts';
import { buildData } from './build-helpers.ts';

let data = '';
let result: Awaited<ReturnType<typeof buildData>>['result'];

beforeAll(async () => {
  const dir = copyFixture('hand');
  writeFileSync(
    join(dir, 'checkins.csv'),
    [
      'member_id,group_id,date,kind,points,team',
      'a1,G1,2026-03-14,签到,10,红队',
      'a3,G1,2026-03-14,签到,5,蓝队',
      'zhangwei,G1,2026-03-14,签到,100,红队', // staff: neither a check-in nor points
      'f1,G1,2026-03-14,作业,10,红队',
      'a1,G1,2026-03-15,签到,10,红队',
      'a3,G1,2026-03-15,签到,5,蓝队', // a3 leaves this day: still in the group
      'a3,G1,2026-03-16,签到,5,蓝队', // left: not a check-in of the group, but the team's points
      'f1,G1,2026-03-16,兑换,-20,红队', // a redemption: negative points, still a check-in
      // a1 every day from 03-17 to 03-22 (after 03-14, 03-15 and a gap on 03-16)
      ...['17', '18', '19', '20', '21', '22'].map((d) => `a1,G1,2026-03-${d},签到,1,红队`),
      // a2 joined and left on 2026-01-03: inside the group that day, within its first week
      'a2,G1,2026-01-03,签到,,',
    ].join('\n'),
  );
  ({ data, result } = await buildData(dir));
});

describe('check-ins and points (hand counts)', () => {
  it('daily check-in rate: members checked in that day over memberships in the group that day', () => {
    const rows = readCsvObjects(join(data, 'checkin_daily.csv'));
    // every day from the group's first check-in (a2, 2026-01-03) to its last (a1, 2026-03-22)
    expect(rows).toHaveLength(31 - 3 + 1 + 28 + 22);
    expect(rows[0]).toEqual({ group_id: 'G1', date: '2026-01-03', size: '3', checked_in: '1', rate: '0.3333333333' });
    // a day without check-ins is a day at 0, not a missing day
    expect(rows[1]).toEqual({ group_id: 'G1', date: '2026-01-04', size: '2', checked_in: '0', rate: '0.0' });
    expect(rows.filter((r) => r.date >= '2026-03-14' && r.date <= '2026-03-17')).toEqual([
      { group_id: 'G1', date: '2026-03-14', size: '3', checked_in: '3', rate: '1.0' },
      { group_id: 'G1', date: '2026-03-15', size: '3', checked_in: '2', rate: '0.6666666667' },
      { group_id: 'G1', date: '2026-03-16', size: '2', checked_in: '1', rate: '0.5' },
      { group_id: 'G1', date: '2026-03-17', size: '2', checked_in: '1', rate: '0.5' },
    ]);
  });

  it('team points per day and cumulative, negative points included, staff excluded', () => {
    const rows = readCsvObjects(join(data, 'team_points.csv'));
    // every team on every day of the camp (2026-01-03…03-22, 79 days): the nightly leaderboard
    // lists a team that checked in nowhere that day, at 0 points that day
    expect(rows).toHaveLength(3 * 79);
    const red = rows.filter((r) => r.team === '红队');
    expect(red).toHaveLength(79);
    expect(red[0]).toEqual({ group_id: 'G1', team: '红队', date: '2026-01-03', points: '0.0', cumulative_points: '0.0' });
    expect(red.filter((r) => r.date >= '2026-03-13')).toEqual([
      { group_id: 'G1', team: '红队', date: '2026-03-13', points: '0.0', cumulative_points: '0.0' },
      { group_id: 'G1', team: '红队', date: '2026-03-14', points: '20.0', cumulative_points: '20.0' },
      { group_id: 'G1', team: '红队', date: '2026-03-15', points: '10.0', cumulative_points: '30.0' },
      { group_id: 'G1', team: '红队', date: '2026-03-16', points: '-20.0', cumulative_points: '10.0' },
      ...[17, 18, 19, 20, 21, 22].map((d, i) => ({ group_id: 'G1', team: '红队', date: `2026-03-${d}`, points: '1.0', cumulative_points: `${11 + i}.0` })),
    ]);
    // 蓝队: a3's 5 points a day, the last after she left (points count for the team)
    expect(rows.filter((r) => r.team === '蓝队' && r.date >= '2026-03-14' && r.date <= '2026-03-17')).toEqual([
      { group_id: 'G1', team: '蓝队', date: '2026-03-14', points: '5.0', cumulative_points: '5.0' },
      { group_id: 'G1', team: '蓝队', date: '2026-03-15', points: '5.0', cumulative_points: '10.0' },
      { group_id: 'G1', team: '蓝队', date: '2026-03-16', points: '5.0', cumulative_points: '15.0' },
      { group_id: 'G1', team: '蓝队', date: '2026-03-17', points: '0.0', cumulative_points: '15.0' },
    ]);
    // a check-in without team or points: a team of its own (empty), no points
    const none = rows.filter((r) => r.team === '');
    expect(none).toHaveLength(79);
    expect(none.every((r) => r.points === '0.0' && r.cumulative_points === '0.0')).toBe(true);
    expect(rows.at(-1)).toEqual({ group_id: 'G1', team: '', date: '2026-03-22', points: '0.0', cumulative_points: '0.0' });
  });

  it('points and check-ins by kind: staff left out, redemptions negative', () => {
    // 签到: a1 ×8 (10, 10, then 1 ×6), a3 ×3 (5 each, the last after leaving), a2 ×1 (no points)
    expect(readCsvObjects(join(data, 'points_by_kind.csv'))).toEqual([
      { group_id: 'G1', kind: '作业', checkins: '1', points: '10.0' },
      { group_id: 'G1', kind: '兑换', checkins: '1', points: '-20.0' },
      { group_id: 'G1', kind: '签到', checkins: '12', points: '41.0' },
    ]);
  });

  it('type benchmark: by day of camp, the quartiles of the daily rates of the type\'s groups', () => {
    const daily = readCsvObjects(join(data, 'checkin_daily.csv'));
    const bench = readCsvObjects(join(data, 'checkin_benchmark.csv'));
    const type = readCsvObjects(join(data, 'groups.csv')).find((g) => g.group_id === 'G1')!.group_type;
    // one group of its type: each camp day's quartiles are that group's rate that day
    expect(bench).toHaveLength(daily.filter((d) => d.rate !== '').length);
    expect(bench[0]).toEqual({ group_type: type, camp_day: '1', groups: '1', p25: '0.3333333333', p50: '0.3333333333', p75: '0.3333333333' });
    const day = (date: string) => (Date.parse(date) - Date.parse('2026-01-03')) / 86_400_000 + 1;
    for (const d of daily.filter((r) => r.rate !== '')) expect(bench.find((b) => Number(b.camp_day) === day(d.date))?.p50).toBe(d.rate);
  });

  it('streaks: the longest run of consecutive check-in days per membership', () => {
    // a2 1 (01-03), f1 1 (03-14, 03-16), a3 2 (03-14, 03-15; 03-16 after leaving),
    // a1 6 (03-14, 03-15, no 03-16, then 03-17…03-22)
    expect(result.metrics.habits.streaks).toEqual([
      { streak: 1, memberships: 2 },
      { streak: 2, memberships: 1 },
      { streak: 6, memberships: 1 },
    ]);
  });

  it('completion: in the camp 7+ days and checked in on 80 % of them', () => {
    // camp 2026-01-03…03-22 (79 days): f1 79 days, 2 checked; a1 79, 8; a3 02-01…03-15 = 43, 2;
    // a2 1 day (not eligible); a4 joined after the camp
    expect(result.metrics.habits.completion).toMatchObject([{ groupId: 'G1', eligible: 3, completed: 0 }]);
  });

  it('habit and retention: memberships joined by T - 7, split by a check-in in their first 7 days', () => {
    const { checked, notChecked, logRank } = result.metrics.habits.habit;
    // a2 checked in on its day (and left that day); f1, a1, a3 did not in their first week
    expect(checked?.n).toBe(1);
    expect(notChecked?.n).toBe(3);
    expect(logRank?.df).toBe(1);
  });
});

describe('referrals (hand counts)', () => {
  it('per inviter: memberships brought, day-30 retention and conversion of those observed 30 days, chain depth', () => {
    const rows = readCsvObjects(join(data, 'inviters.csv'));
    // zhangwei (staff, shown by ID) brought f1 and a1, both in the group 30+ days later; a1
    // brought a4, who joined 3 days before the report date: a chain of depth 2
    expect(rows[0]).toMatchObject({ inviter: 'zhangwei', staff: 'true', invited: '2', chain_depth: '2', retained_d30_n: '2', retained_d30: '1.0' });
    // a1 is a customer: shown by the hash memberships use, never the raw ID
    expect(rows[1]).toMatchObject({ staff: 'false', invited: '1', chain_depth: '1', retained_d30_n: '0', retained_d30: '' });
    expect(rows[1].inviter).toMatch(/^[a-p]{16}$/);
    const keys = readCsvObjects(join(data, 'groups.csv'));
    expect(keys.length).toBeGreaterThan(0);
    expect(rows).toHaveLength(2);
  });
});
