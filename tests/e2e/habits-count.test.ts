/**
 * Habits and drivers on a data set no hand fixture shaped: a generated sample with a seed no
 * other test uses, checked against a plain count in JavaScript written from METRICS.md, one
 * row at a time, sharing no code with the build (CSV parsing included: tests/helpers.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSample } from '../../src/sample/generate.ts';
import { readCsvObjects, tempDir } from '../helpers.ts';
import { buildData } from './build-helpers.ts';

type Row = Record<string, string>;
const DAY = 86_400_000;
const dayOf = (s: string) => Date.parse(`${s.slice(0, 10)}T00:00:00Z`) / DAY;
const dateOf = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);

let input = '';
let data = '';
let result: Awaited<ReturnType<typeof buildData>>['result'];
let T = 0;
let staff: Set<string>;
let memberships: { member: string; group: string; joined: number; left: number | null; inviter: string }[];
let checkins: { member: string; group: string; day: number; kind: string; points: number; team: string }[];

beforeAll(async () => {
  input = join(tempDir(), 'unseen');
  await generateSample({ outDir: input, seed: 20261124, groups: 60, memberships: 9000, messages: 60_000, orders: 2000, defects: false });
  ({ data, result } = await buildData(input));
  T = dayOf(JSON.parse(readFileSync(join(data, 'summary.json'), 'utf8')).as_of);
  const members = readCsvObjects(join(input, 'members.csv'));
  staff = new Set(members.filter((m) => m.is_staff === '1').map((m) => m.member_id));
  memberships = members
    .filter((m) => !staff.has(m.member_id) && dayOf(m.joined_at) <= T)
    .map((m) => ({ member: m.member_id, group: m.group_id, joined: dayOf(m.joined_at), left: m.left_at ? dayOf(m.left_at) : null, inviter: m.inviter_id }));
  checkins = readCsvObjects(join(input, 'checkins.csv'))
    .filter((c) => !staff.has(c.member_id) && dayOf(c.date) <= T)
    .map((c) => ({ member: c.member_id, group: c.group_id, day: dayOf(c.date), kind: c.kind, points: c.points === '' ? 0 : Number(c.points), team: c.team }));
}, 120_000);

const inGroup = (m: (typeof memberships)[number], day: number) => m.joined <= day && (m.left === null || m.left >= day);

describe('habits on an unseen data set equal a plain count', () => {
  it('has check-ins in several learning groups, with teams and negative points', () => {
    expect(new Set(checkins.map((c) => c.group)).size).toBeGreaterThanOrEqual(3);
    expect(checkins.some((c) => c.team !== '')).toBe(true);
    expect(checkins.some((c) => c.points < 0)).toBe(true);
  });

  it('daily check-in rate: every day of every camp', () => {
    const expected: Row[] = [];
    for (const group of [...new Set(checkins.map((c) => c.group))].sort()) {
      const mine = checkins.filter((c) => c.group === group);
      const ms = memberships.filter((m) => m.group === group);
      const first = Math.min(...mine.map((c) => c.day));
      const last = Math.max(...mine.map((c) => c.day));
      for (let d = first; d <= last; d++) {
        const size = ms.filter((m) => inGroup(m, d)).length;
        const checked = new Set(mine.filter((c) => c.day === d && ms.some((m) => m.member === c.member && inGroup(m, d))).map((c) => c.member)).size;
        expected.push({ group_id: group, date: dateOf(d), size: String(size), checked_in: String(checked), rate: size ? (checked / size).toFixed(6) : '' });
      }
    }
    const actual = readCsvObjects(join(data, 'checkin_daily.csv')).map((r) => ({ ...r, rate: r.rate === '' ? '' : Number(r.rate).toFixed(6) }));
    expect(actual).toEqual(expected);
  });

  it('camps against their type: each camp\'s average rate and its type\'s median over the same camp days', () => {
    const daily = readCsvObjects(join(data, 'checkin_daily.csv')).filter((r) => r.rate !== '');
    const types = new Map(readCsvObjects(join(data, 'groups.csv')).map((g) => [g.group_id, g.group_type]));
    const firstDay = new Map<string, number>();
    for (const r of readCsvObjects(join(data, 'checkin_daily.csv'))) if (!firstDay.has(r.group_id)) firstDay.set(r.group_id, dayOf(r.date));
    // the median of the type's rates on each camp day (quantile_cont: the mean of the middle two)
    const byTypeDay = new Map<string, number[]>();
    for (const r of daily) {
      const key = `${types.get(r.group_id)}|${dayOf(r.date) - firstDay.get(r.group_id)! + 1}`;
      byTypeDay.set(key, [...(byTypeDay.get(key) ?? []), Number(r.rate)]);
    }
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    };
    let above = 0;
    const groups = [...new Set(daily.map((r) => r.group_id))];
    for (const g of groups) {
      const mine = daily.filter((r) => r.group_id === g);
      const rate = mine.reduce((s, r) => s + Number(r.rate), 0) / mine.length;
      const bench = mine.reduce((s, r) => s + median(byTypeDay.get(`${types.get(g)}|${dayOf(r.date) - firstDay.get(g)! + 1}`)!), 0) / mine.length;
      if (rate > bench + 1e-9) above++;
      const shown = result.site.habits.camps.find((c) => c.groupId === g);
      if (shown) {
        expect(shown.rate!, g).toBeCloseTo(rate, 8);
        expect(shown.benchmark!, g).toBeCloseTo(bench, 8);
      }
    }
    expect(result.site.habits.campCount).toBe(groups.length);
    expect(result.site.habits.campsAbove).toBe(above);
  });

  it('streaks: the longest run of consecutive check-in days of each membership', () => {
    const counts = new Map<number, number>();
    for (const m of memberships) {
      const days = [...new Set(checkins.filter((c) => c.group === m.group && c.member === m.member && inGroup(m, c.day)).map((c) => c.day))].sort((a, b) => a - b);
      if (!days.length) continue;
      let best = 1;
      let run = 1;
      for (let i = 1; i < days.length; i++) {
        run = days[i] === days[i - 1] + 1 ? run + 1 : 1;
        best = Math.max(best, run);
      }
      counts.set(best, (counts.get(best) ?? 0) + 1);
    }
    const expected = [...counts].sort((a, b) => a[0] - b[0]).map(([streak, n]) => ({ streak, memberships: n }));
    expect(result.metrics.habits.streaks).toEqual(expected);
  });

  it('team points: each team\'s points per day and its total, redemptions included', () => {
    const rows = readCsvObjects(join(data, 'team_points.csv'));
    const totals = new Map<string, number>();
    const perDay = new Map<string, number>();
    for (const c of checkins) {
      totals.set(`${c.group}|${c.team}`, (totals.get(`${c.group}|${c.team}`) ?? 0) + c.points);
      perDay.set(`${c.group}|${c.team}|${dateOf(c.day)}`, (perDay.get(`${c.group}|${c.team}|${dateOf(c.day)}`) ?? 0) + c.points);
    }
    const last = new Map<string, Row>();
    for (const r of rows) last.set(`${r.group_id}|${r.team}`, r);
    expect(new Map([...last].map(([k, r]) => [k, Number(r.cumulative_points)]))).toEqual(totals);
    for (const r of rows) expect(Number(r.points), `${r.group_id} ${r.team} ${r.date}`).toBe(perDay.get(`${r.group_id}|${r.team}|${r.date}`) ?? 0);
  });

  it('referrals: memberships brought, day-30 retention, 30-day conversion and chain depth per inviter', () => {
    const orders = readCsvObjects(join(input, 'orders.csv')).filter((o) => o.refunded !== '是');
    const byInviter = new Map<string, (typeof memberships)[number][]>();
    for (const m of memberships) if (m.inviter && m.inviter !== m.member) byInviter.set(m.inviter, [...(byInviter.get(m.inviter) ?? []), m]);
    const invitees = new Map([...byInviter].map(([k, ms]) => [k, new Set(ms.map((m) => m.member))]));
    // the longest chain of invitations that meets nobody twice
    const depth = (who: string, path: Set<string> = new Set([who])): number => {
      const next = [...(invitees.get(who) ?? [])].filter((n) => !path.has(n));
      return next.length ? 1 + Math.max(...next.map((n) => depth(n, new Set([...path, n])))) : 0;
    };
    const expected = [...byInviter].map(([inviter, ms]) => {
      const observed = ms.filter((m) => m.joined <= T - 30);
      const converted = observed.filter((m) =>
        orders.some((o) => o.member_id === m.member && (o.group_id === '' || o.group_id === m.group) && dayOf(o.ordered_at) >= m.joined && dayOf(o.ordered_at) < m.joined + 30),
      );
      return {
        staff: staff.has(inviter),
        inviter: staff.has(inviter) ? inviter : '(hash)',
        invited: ms.length,
        chain_depth: depth(inviter),
        retained_d30_n: observed.length,
        retained: observed.filter((m) => m.left === null || m.left > T || m.left - m.joined > 30).length,
        converted: converted.length,
      };
    });
    const actual = readCsvObjects(join(data, 'inviters.csv')).map((r) => ({
      staff: r.staff === 'true',
      inviter: r.staff === 'true' ? r.inviter : '(hash)',
      invited: Number(r.invited),
      chain_depth: Number(r.chain_depth),
      retained_d30_n: Number(r.retained_d30_n),
      retained: r.retained_d30 === '' ? 0 : Math.round(Number(r.retained_d30) * Number(r.retained_d30_n)),
      converted: r.conversion_30d === '' ? 0 : Math.round(Number(r.conversion_30d) * Number(r.conversion_30d_n)),
    }));
    const order = (a: (typeof expected)[number], b: (typeof expected)[number]) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1;
    expect(actual.length).toBeGreaterThan(10);
    expect(actual.some((r) => r.chain_depth >= 3)).toBe(true);
    expect([...actual].sort(order)).toEqual([...expected].sort(order));
  });
});
