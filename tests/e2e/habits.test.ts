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
    ].join('\n'),
  );
  ({ data } = await buildData(dir));
});

describe('check-ins and points (hand counts)', () => {
  it('daily check-in rate: members checked in that day over memberships in the group that day', () => {
    expect(readCsvObjects(join(data, 'checkin_daily.csv'))).toEqual([
      { group_id: 'G1', date: '2026-03-14', size: '3', checked_in: '3', rate: '1.0' },
      { group_id: 'G1', date: '2026-03-15', size: '3', checked_in: '2', rate: '0.6666666667' },
      { group_id: 'G1', date: '2026-03-16', size: '2', checked_in: '1', rate: '0.5' },
    ]);
  });

  it('team points per day and cumulative, negative points included, staff excluded', () => {
    expect(readCsvObjects(join(data, 'team_points.csv'))).toEqual([
      { group_id: 'G1', team: '红队', date: '2026-03-14', points: '20.0', cumulative_points: '20.0' },
      { group_id: 'G1', team: '红队', date: '2026-03-15', points: '10.0', cumulative_points: '30.0' },
      { group_id: 'G1', team: '红队', date: '2026-03-16', points: '-20.0', cumulative_points: '10.0' },
      { group_id: 'G1', team: '蓝队', date: '2026-03-14', points: '5.0', cumulative_points: '5.0' },
      { group_id: 'G1', team: '蓝队', date: '2026-03-15', points: '5.0', cumulative_points: '10.0' },
      { group_id: 'G1', team: '蓝队', date: '2026-03-16', points: '5.0', cumulative_points: '15.0' },
    ]);
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
