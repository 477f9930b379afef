import { describe, expect, it } from 'vitest';
import type { CampBoard } from '../../src/page-data/habits-page.ts';
import { campDays, standingsAsOf } from '../../src/ui/leaderboard.ts';

// three days; 红队 and 蓝队 tie on day 2; the team-less check-ins last
const board: CampBoard = {
  groupId: 'G1',
  name: '英语晨读营',
  first: '2026-03-30',
  last: '2026-04-01',
  teams: ['红队', '蓝队', '绿队', null],
  points: [
    [10, 0, 5],
    [0, 10, -20],
    [0, 0, 0],
    [3, 0, 0],
  ],
};

describe('standingsAsOf', () => {
  it('cumulative points up to the day, that day\'s points, competition ranks for ties', () => {
    expect(standingsAsOf(board, '2026-03-31')).toEqual([
      { rank: 1, team: '红队', points: 0, cumulative: 10 },
      { rank: 1, team: '蓝队', points: 10, cumulative: 10 },
      { rank: 3, team: null, points: 0, cumulative: 3 },
      { rank: 4, team: '绿队', points: 0, cumulative: 0 },
    ]);
  });

  it('a redemption lowers the total; a team with no points stays on the board', () => {
    expect(standingsAsOf(board, '2026-04-01').map((r) => [r.rank, r.team, r.cumulative])).toEqual([
      [1, '红队', 15],
      [2, null, 3],
      [3, '绿队', 0],
      [4, '蓝队', -10],
    ]);
  });

  it('days outside the camp clamp to its first or last day', () => {
    expect(standingsAsOf(board, '2026-03-01')).toEqual(standingsAsOf(board, '2026-03-30'));
    expect(standingsAsOf(board, '2026-12-31')).toEqual(standingsAsOf(board, '2026-04-01'));
  });

  it('campDays lists every day, across a month end', () => {
    expect(campDays(board)).toEqual(['2026-03-30', '2026-03-31', '2026-04-01']);
  });
});
