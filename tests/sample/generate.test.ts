import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlString } from '../../src/db/db.ts';
import { openNativeDb, type NativeDb } from '../../src/db/native.ts';
import { SAMPLE_BENCHMARK, SAMPLE_DEFAULTS, SAMPLE_FILES, generateSample, resolveSizes, type SampleResult } from '../../src/sample/generate.ts';
import { SAMPLE_DEFECTS } from '../../src/sample/defects.ts';

// The default sizes: big enough for the patterns to show, about a second per run.
const AS_OF = SAMPLE_DEFAULTS.asOf;
let tmp: string;
let clean: SampleResult;
let dirty: SampleResult;
let db: NativeDb;

const dir = (name: string) => path.join(tmp, name);
const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const lines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

async function one<T>(sql: string): Promise<T> {
  const rows = await db.rows<Record<string, T>>(sql);
  return Object.values(rows[0])[0];
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qunlens-'));
  const gen = async (name: string, defects: boolean, threads: number) => {
    const conn = await openNativeDb({ threads });
    try {
      return await generateSample({ outDir: dir(name), defects, db: conn });
    } finally {
      await conn.close();
    }
  };
  clean = await gen('clean', false, 2);
  dirty = await gen('dirty', true, 2);
  await gen('dirty-again', true, 2);
  await gen('dirty-1thread', true, 1);

  db = await openNativeDb({ threads: 2 });
  const csv = (name: string, file: string) => `read_csv(${sqlString(path.join(dir(name), file))}, header = true, all_varchar = true)`;
  await db.exec(`
    CREATE TABLE g AS SELECT * FROM ${csv('clean', 'groups.csv')};
    CREATE TABLE ch AS SELECT * FROM ${csv('clean', 'channels.csv')};
    CREATE TABLE m AS SELECT *, joined_at::TIMESTAMP AS j, left_at::TIMESTAMP AS l FROM ${csv('clean', 'members.csv')};
    CREATE TABLE msg AS SELECT *, sent_at::TIMESTAMP AS ts FROM ${csv('clean', 'messages.csv')};
    CREATE TABLE o AS SELECT *, ordered_at::TIMESTAMP AS ts FROM ${csv('clean', 'orders.csv')};
    CREATE TABLE ck AS SELECT *, try_cast(date AS DATE) AS d, try_cast(points AS INTEGER) AS pts FROM ${csv('clean', 'checkins.csv')};
    -- Channel keys as DATA.md maps the labels (channel column, else the state's row).
    CREATE TABLE mk AS SELECT m.*,
      CASE WHEN coalesce(m.channel, ch.channel) IN ('导购', '门店导购', '导购邀请') THEN 'guide'
           WHEN coalesce(m.channel, ch.channel) IN ('物料', '海报', '物料二维码') THEN 'material'
           WHEN coalesce(m.channel, ch.channel) IN ('公众号', '公众号菜单', '公众号图文') THEN 'official_account'
           WHEN coalesce(m.channel, ch.channel) IN ('邀请', '好友邀请', '老带新') THEN 'invite' END AS chk,
      date_diff('day', j::DATE, coalesce(least(l::DATE, DATE '${AS_OF}'), DATE '${AS_OF}')) AS tenure
    FROM m LEFT JOIN ch USING (state) WHERE m.is_staff = '2';
  `);
});

afterAll(async () => {
  await db?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('generateSample', () => {
  it('writes the six files with the canonical headers and reports counts', () => {
    expect(clean.files.map((f) => path.basename(f))).toEqual([...SAMPLE_FILES]);
    const headers = Object.fromEntries(clean.files.map((f) => [path.basename(f), lines(f)[0]]));
    expect(headers).toEqual({
      'groups.csv': 'group_id,name,type,owner_id,store,region,created_at,dissolved_at',
      'members.csv': 'member_id,group_id,joined_at,left_at,channel,state,join_scene,inviter_id,is_staff',
      'channels.csv': 'state,channel,store,staff_id,material,remark',
      'messages.csv': 'sent_at,group_id,member_id,msgtype',
      'orders.csv': 'order_id,member_id,group_id,ordered_at,amount,refunded,product',
      'checkins.csv': 'member_id,group_id,date,kind,points,team',
    });
    for (const f of clean.files) expect(clean.counts[path.basename(f, '.csv')]).toBe(lines(f).length - 1);
    // Sizes land near the requested ones.
    expect(clean.counts.groups).toBe(SAMPLE_DEFAULTS.groups);
    expect(clean.counts.memberships / SAMPLE_DEFAULTS.memberships).toBeCloseTo(1, 1);
    expect(clean.counts.messages / SAMPLE_DEFAULTS.messages).toBeCloseTo(1, 1);
    expect(clean.counts.orders / SAMPLE_DEFAULTS.orders).toBeCloseTo(1, 1);
    // Check-ins: a few tens of thousands at the default size.
    expect(clean.counts.checkins).toBeGreaterThan(10_000);
    expect(clean.counts.checkins).toBeLessThan(60_000);
  });

  it('is deterministic: same seed and options give the same bytes, whatever the thread count', () => {
    expect(SAMPLE_FILES).toContain('checkins.csv');
    for (const file of SAMPLE_FILES) {
      const h = sha(path.join(dir('dirty'), file));
      expect(sha(path.join(dir('dirty-again'), file)), file).toBe(h);
      expect(sha(path.join(dir('dirty-1thread'), file)), file).toBe(h);
    }
  });

  it('gives every store its own code, and every channel state its own row, past 99 stores in a district', async () => {
    // 10,000 groups put more than 99 stores in one district; lpad once cut store 100 to "10"
    const out = dir('many-stores');
    await generateSample({ outDir: out, seed: 42, groups: 10_000, memberships: 20_000, messages: 1000, orders: 10, defects: false });
    const states = lines(path.join(out, 'channels.csv')).slice(1).map((l) => l.split(',')[0]);
    expect(states.length).toBeGreaterThan(3000);
    expect(states.filter((s, i) => states.indexOf(s) !== i)).toEqual([]);
  }, 60_000);

  it('a different seed gives different data', async () => {
    const out = dir('seed7');
    await generateSample({ outDir: out, seed: 7, groups: 12, memberships: 600, messages: 3000, orders: 100 });
    const small = dir('seed42');
    await generateSample({ outDir: small, seed: 42, groups: 12, memberships: 600, messages: 3000, orders: 100 });
    expect(sha(path.join(out, 'members.csv'))).not.toBe(sha(path.join(small, 'members.csv')));
  });

  it('scales the sizes together when only some are given', () => {
    expect(resolveSizes({})).toEqual({ groups: 100, memberships: 20_000, messages: 400_000, orders: 6_000 });
    expect(resolveSizes({ groups: 5000 })).toEqual(SAMPLE_BENCHMARK);
    expect(SAMPLE_BENCHMARK).toEqual({ groups: 5000, memberships: 1_000_000, messages: 20_000_000, orders: 300_000 });
    expect(resolveSizes({ memberships: 2000, orders: 7 })).toEqual({ groups: 10, memberships: 2000, messages: 40_000, orders: 7 });
    expect(() => resolveSizes({ groups: 0 })).toThrow(/groups/);
  });
});

describe('defects = false: valid under DATA.md', () => {
  it('has unique ids and parseable values', async () => {
    expect(await one(`SELECT count(*) - count(DISTINCT group_id) FROM g`)).toBe(0);
    expect(await one(`SELECT count(*) - count(DISTINCT order_id) FROM o`)).toBe(0);
    expect(await one(`SELECT count(*) - count(DISTINCT state) FROM ch`)).toBe(0);
    expect(await one(`SELECT count(*) FROM g WHERE try_cast(created_at AS TIMESTAMP) IS NULL OR (dissolved_at IS NOT NULL AND try_cast(dissolved_at AS TIMESTAMP) IS NULL)`)).toBe(0);
    // IDs are never numbers (nor Excel's scientific notation).
    expect(await one(`SELECT count(*) FROM m WHERE try_cast(member_id AS DOUBLE) IS NOT NULL OR member_id ILIKE '%E+%'`)).toBe(0);
    expect(await one(`SELECT count(*) FROM m WHERE is_staff = '2' AND NOT regexp_full_match(member_id, 'wm[0-9a-f]{30}')`)).toBe(0);
    expect(await one(`SELECT count(*) FROM o WHERE try_cast(amount AS DECIMAL(10, 2)) IS NULL OR amount::DOUBLE < 39.9 OR amount::DOUBLE > 1299`)).toBe(0);
    expect(await one(`SELECT count(*) FROM o WHERE refunded NOT IN ('是', '否')`)).toBe(0);
    expect(await one(`SELECT count(*) FROM msg WHERE member_id IS NULL OR msgtype IS NULL`)).toBe(0);
  });

  it('members: no leaving before joining, known groups, no overlapping spells', async () => {
    expect(await one(`SELECT count(*) FROM m WHERE l IS NOT NULL AND l <= j`)).toBe(0);
    expect(await one(`SELECT count(*) FROM m ANTI JOIN g USING (group_id)`)).toBe(0);
    expect(await one(`SELECT count(*) FROM m JOIN g USING (group_id) WHERE j < g.created_at::TIMESTAMP OR j > TIMESTAMP '${AS_OF} 23:59:59'`)).toBe(0);
    expect(await one(`SELECT count(*) FROM m JOIN g USING (group_id) WHERE g.dissolved_at IS NOT NULL AND (l IS NULL OR l > g.dissolved_at::TIMESTAMP)`)).toBe(0);
    expect(await one(`
      SELECT count(*) FROM m a JOIN m b ON a.member_id = b.member_id AND a.group_id = b.group_id AND a.j < b.j
      WHERE a.l IS NULL OR a.l > b.j`)).toBe(0);
    // Every group has its owner as a staff member; some customers rejoined (two spells).
    expect(await one(`SELECT count(*) FROM g ANTI JOIN m ON m.group_id = g.group_id AND m.member_id = g.owner_id AND m.is_staff = '1'`)).toBe(0);
    expect(await one(`SELECT count(*) FROM (SELECT member_id, group_id FROM mk GROUP BY ALL HAVING count(*) > 1)`)).toBeGreaterThan(10);
    expect(await one(`SELECT count(*) FROM (SELECT member_id FROM mk GROUP BY 1 HAVING count(DISTINCT group_id) > 1)`)).toBeGreaterThan(100);
  });

  it('members: every row attributable, every state in channels.csv', async () => {
    expect(await one(`SELECT count(*) FROM mk WHERE chk IS NULL`)).toBe(0);
    expect(await one(`SELECT count(*) FROM m WHERE state IS NOT NULL AND state NOT IN (SELECT state FROM ch)`)).toBe(0);
    const empty = await one<number>(`SELECT avg((channel IS NULL)::INTEGER) FROM mk`);
    expect(empty).toBeGreaterThan(0.1);
    expect(empty).toBeLessThan(0.2);
  });

  it('inviters: invite joiners were invited by a customer then in the group (or its owner), guide joiners by staff', async () => {
    const bad = await one(`
      SELECT count(*) FROM mk a JOIN g USING (group_id)
      WHERE a.chk = 'invite' AND a.inviter_id <> g.owner_id AND NOT EXISTS (
        SELECT 1 FROM m b WHERE b.group_id = a.group_id AND b.member_id = a.inviter_id AND b.is_staff = '2'
          AND b.j < a.j AND (b.l IS NULL OR b.l > a.j))`);
    expect(bad).toBe(0);
    expect(await one(`SELECT avg((inviter_id LIKE 'wm%')::INTEGER) FROM mk WHERE chk = 'invite'`)).toBeGreaterThan(0.95);
    expect(await one(`SELECT count(*) FROM mk WHERE chk = 'guide' AND (inviter_id IS NULL OR inviter_id LIKE 'wm%')`)).toBe(0);
    // Chains: someone invited by a customer who was invited in turn.
    expect(await one(`
      SELECT count(*) FROM mk c JOIN mk b ON b.member_id = c.inviter_id AND b.group_id = c.group_id AND b.chk = 'invite' AND b.inviter_id LIKE 'wm%'
      WHERE c.chk = 'invite'`)).toBeGreaterThan(0);
  });

  it('messages: sender in the group at that moment, after creation, not after as-of', async () => {
    expect(await one(`SELECT count(*) FROM msg WHERE ts > TIMESTAMP '${AS_OF} 23:59:59'`)).toBe(0);
    expect(await one(`SELECT count(*) FROM msg JOIN g USING (group_id) WHERE ts < g.created_at::TIMESTAMP`)).toBe(0);
    expect(await one(`
      SELECT count(*) FROM (
        SELECT msg.rowid, bool_or(m.j <= msg.ts AND (m.l IS NULL OR msg.ts <= m.l)) AS ok
        FROM msg LEFT JOIN m ON m.group_id = msg.group_id AND m.member_id = msg.member_id GROUP BY 1
      ) WHERE ok IS NOT TRUE`)).toBe(0);
    // Written in time order.
    expect(await one(`SELECT count(*) FROM (SELECT ts, lag(ts) OVER (ORDER BY rowid) AS prev FROM msg) WHERE ts < prev`)).toBe(0);
  });

  it('orders: customers, and a named group is one the member was in', async () => {
    expect(await one(`SELECT count(*) FROM o WHERE member_id NOT IN (SELECT member_id FROM mk)`)).toBe(0);
    expect(await one(`SELECT count(*) FROM o WHERE group_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM mk WHERE mk.member_id = o.member_id AND mk.group_id = o.group_id AND mk.j <= o.ts)`)).toBe(0);
    expect(await one(`SELECT count(*) FROM o WHERE ts > TIMESTAMP '${AS_OF} 23:59:59'`)).toBe(0);
    const withGroup = await one<number>(`SELECT avg((group_id IS NOT NULL)::INTEGER) FROM o`);
    expect(withGroup).toBeGreaterThan(0.5);
    expect(withGroup).toBeLessThan(0.7);
    const refunded = await one<number>(`SELECT avg((refunded = '是')::INTEGER) FROM o`);
    expect(refunded).toBeGreaterThan(0.03);
    expect(refunded).toBeLessThan(0.1);
  });

  it('checkins: parseable, known kinds, 签到 worth 10, homework 5–30, redemptions negative', async () => {
    expect(await one(`SELECT count(*) FROM ck WHERE d IS NULL OR pts IS NULL OR member_id IS NULL OR group_id IS NULL`)).toBe(0);
    expect(await one(`SELECT count(*) FROM ck WHERE d > DATE '${AS_OF}'`)).toBe(0);
    expect(await one(`SELECT count(*) FROM ck WHERE NOT regexp_full_match(date, '\\d{4}-\\d{2}-\\d{2}')`)).toBe(0);
    expect(await one(`SELECT count(*) FROM ck WHERE kind NOT IN ('签到', '作业', '兑换')`)).toBe(0);
    expect(await one(`SELECT count(*) FROM ck WHERE kind = '签到' AND pts <> 10`)).toBe(0);
    expect(await one(`SELECT count(*) FROM ck WHERE kind = '作业' AND (pts < 5 OR pts > 30)`)).toBe(0);
    expect(await one(`SELECT count(*) FROM ck WHERE (kind = '兑换') <> (pts < 0)`)).toBe(0);
    // Some redemptions, but never more points than the member had.
    expect(await one(`SELECT count(*) FROM ck WHERE pts < 0`)).toBeGreaterThan(20);
    expect(await one(`
      WITH d AS (SELECT member_id, group_id, d, sum(pts) AS p FROM ck GROUP BY ALL)
      SELECT min(s) FROM (SELECT sum(p) OVER (PARTITION BY member_id, group_id ORDER BY d) AS s FROM d)`)).toBeGreaterThanOrEqual(0);
    expect(await one(`SELECT count(*) FROM (SELECT member_id, group_id, d FROM ck WHERE kind = '签到' GROUP BY ALL HAVING count(*) > 1)`)).toBe(0);
  });

  it('checkins: customers only, on a day of their membership in that group', async () => {
    expect(await one(`
      SELECT count(*) FROM (
        SELECT ck.rowid, bool_or(m.j::DATE <= ck.d AND ck.d <= coalesce(m.l::DATE, DATE '${AS_OF}')) AS ok
        FROM ck LEFT JOIN m ON m.group_id = ck.group_id AND m.member_id = ck.member_id AND m.is_staff = '2'
        GROUP BY 1
      ) WHERE ok IS NOT TRUE`)).toBe(0);
  });

  it('checkins: learning groups only; camps have 3–6 teams, habit groups none', async () => {
    expect(await one(`SELECT count(*) FROM ck ANTI JOIN g USING (group_id)`)).toBe(0);
    expect(await one(`SELECT count(*) FROM ck JOIN g USING (group_id) WHERE g.type NOT IN ('技能学习类', '打卡群', '习惯养成类')`)).toBe(0);
    const rows = await db.rows<{ camp: boolean; teams: number; no_team: number; groups: number }>(`
      SELECT g.name LIKE '%营第%期' AS camp, count(DISTINCT ck.team) AS teams, count(*) FILTER (WHERE ck.team IS NULL) AS no_team
      FROM ck JOIN g USING (group_id) GROUP BY g.group_id, g.name`);
    const camps = rows.filter((r) => r.camp);
    const habits = rows.filter((r) => !r.camp);
    expect(camps.length).toBeGreaterThanOrEqual(3);
    expect(habits.length).toBeGreaterThanOrEqual(2);
    for (const c of camps) {
      expect(Number(c.no_team)).toBe(0);
      expect(Number(c.teams)).toBeGreaterThanOrEqual(3);
      expect(Number(c.teams)).toBeLessThanOrEqual(6);
    }
    for (const h of habits) expect(Number(h.teams)).toBe(0);
    expect(await one(`SELECT count(*) FROM ck WHERE team IS NOT NULL AND NOT regexp_full_match(team, '第[1-6]组|猎豹队|雄鹰队|海豚队|骆驼队|熊猫队|狐狸队')`)).toBe(0);
    // A member's team is fixed for the membership.
    expect(await one(`SELECT count(*) FROM (SELECT member_id, group_id FROM ck GROUP BY ALL HAVING count(DISTINCT team) > 1)`)).toBe(0);
  });
});

describe('patterns the report should surface', () => {
  it('core-user groups stay under 100 members; store groups never exceed 200 at any moment', async () => {
    expect(await one(`
      SELECT max(n) FROM (SELECT group_id, count(*) AS n FROM m JOIN g USING (group_id)
        WHERE g.type IN ('核心用户群', '种子用户群', '产品反馈群') AND l IS NULL GROUP BY 1)`)).toBeLessThan(100);
    // Concurrent members (staff included) over time, by sweeping joins and leaves.
    const peak = await one<number>(`
      WITH ev AS (
        SELECT group_id, j AS t, 1 AS d FROM m UNION ALL SELECT group_id, l, -1 FROM m WHERE l IS NOT NULL
      ), run AS (SELECT group_id, sum(d) OVER (PARTITION BY group_id ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS n FROM ev)
      SELECT max(n) FROM run JOIN g USING (group_id) WHERE g.store IS NOT NULL`);
    expect(peak).toBeLessThanOrEqual(200);
    // …and store groups do grow big (toward the cap).
    expect(peak).toBeGreaterThan(120);
  });

  it('conversion groups fall silent within weeks of creation', async () => {
    const days = await one<number>(`
      SELECT max(date_diff('day', g.created_at::TIMESTAMP::DATE, last::DATE)) FROM g
      JOIN (SELECT group_id, max(ts) AS last FROM msg GROUP BY 1) USING (group_id)
      WHERE g.type IN ('产品转化类', '课程试听群', '转化型')`);
    expect(days).toBeLessThanOrEqual(35);
    // Their orders come in a burst a few days after creation.
    const burst = await one<number>(`
      SELECT avg((date_diff('day', g.created_at::TIMESTAMP::DATE, o.ts::DATE) BETWEEN 3 AND 10)::INTEGER)
      FROM o JOIN g USING (group_id) WHERE g.type IN ('产品转化类', '课程试听群', '转化型')`);
    expect(burst).toBeGreaterThan(0.7);
  });

  it('guide and material joiners stay longer and buy more than official-account joiners', async () => {
    const rows = await db.rows<{ chk: string; n: number; tenure: number; ret30: number; conv30: number }>(`
      WITH c AS (
        SELECT mk.member_id, mk.group_id, mk.j, count(o.order_id) FILTER (
          WHERE o.refunded = '否' AND o.ts::DATE >= mk.j::DATE AND o.ts::DATE < mk.j::DATE + 30
            AND (o.group_id IS NULL OR o.group_id = mk.group_id)) AS n30
        FROM mk LEFT JOIN o USING (member_id) GROUP BY ALL
      )
      SELECT chk, count(*) AS n, avg(tenure) AS tenure,
        avg((l IS NULL OR date_diff('day', j::DATE, l::DATE) > 30)::INTEGER) FILTER (WHERE j::DATE <= DATE '${AS_OF}' - 30) AS ret30,
        avg((c.n30 > 0)::INTEGER) FILTER (WHERE j::DATE <= DATE '${AS_OF}' - 30) AS conv30
      FROM mk JOIN c USING (member_id, group_id, j) GROUP BY 1`);
    const by = Object.fromEntries(rows.map((r) => [r.chk, r]));
    for (const good of ['guide', 'material']) {
      expect(by[good].tenure).toBeGreaterThan(by.official_account.tenure * 1.2);
      expect(by[good].ret30).toBeGreaterThan(by.official_account.ret30 + 0.1);
      expect(by[good].conv30).toBeGreaterThan(by.official_account.conv30 * 1.5);
    }
    expect(by.guide.ret30).toBeGreaterThan(by.invite.ret30);
    expect(by.invite.ret30).toBeGreaterThan(by.official_account.ret30);
    // The official account brings the most joiners.
    expect(Math.max(by.guide.n, by.material.n, by.invite.n)).toBeLessThan(by.official_account.n);
  });

  it('invite joiners are the most active talkers in their first week', async () => {
    const rows = await db.rows<{ chk: string; m7: number }>(`
      SELECT chk, avg(n) AS m7 FROM (
        SELECT mk.chk, mk.member_id, mk.group_id, mk.j, count(msg.ts) AS n
        FROM mk LEFT JOIN msg ON msg.group_id = mk.group_id AND msg.member_id = mk.member_id AND msg.ts >= mk.j AND msg.ts < mk.j + INTERVAL 7 DAY
        WHERE mk.j::DATE <= DATE '${AS_OF}' - 7 GROUP BY ALL
      ) GROUP BY 1 ORDER BY 2 DESC`);
    expect(rows[0].chk).toBe('invite');
  });

  it('zombie groups of several types, a few dissolved; industry groups talk most and buy least', async () => {
    const zombies = await db.rows<{ type: string }>(`
      SELECT DISTINCT g.type FROM g LEFT JOIN (SELECT group_id, max(ts) AS last FROM msg GROUP BY 1) USING (group_id)
      WHERE g.dissolved_at IS NULL AND date_diff('day', coalesce(last, g.created_at::TIMESTAMP)::DATE, DATE '${AS_OF}') >= 14`);
    expect(zombies.length).toBeGreaterThanOrEqual(5);
    const dissolved = await one<number>(`SELECT avg((dissolved_at IS NOT NULL)::INTEGER) FROM g`);
    expect(dissolved).toBeGreaterThan(0.02);
    expect(dissolved).toBeLessThan(0.3);
    const byType = await db.rows<{ t: string; talk: number; buy: number }>(`
      SELECT CASE WHEN g.type IN ('行业交流类', '行业群') THEN 'industry' ELSE 'other' END AS t,
        (SELECT count(*) FROM msg JOIN g g2 USING (group_id) WHERE (g2.type IN ('行业交流类', '行业群')) = (t = 'industry')) / count(*) AS talk,
        (SELECT count(*) FROM o JOIN g g3 USING (group_id) WHERE (g3.type IN ('行业交流类', '行业群')) = (t = 'industry')) / count(*) AS buy
      FROM mk JOIN g USING (group_id) GROUP BY 1`);
    const t = Object.fromEntries(byType.map((r) => [r.t, r]));
    expect(t.industry.talk).toBeGreaterThan(t.other.talk);
    expect(t.industry.buy).toBeLessThan(t.other.buy / 5);
  });

  it('a daily rhythm: evening and lunch peaks, quiet nights; learning groups check in early', async () => {
    const hours = await db.rows<{ h: number; n: number }>(`SELECT hour(ts) AS h, count(*) AS n FROM msg GROUP BY 1 ORDER BY 1`);
    const n = (h: number) => hours.find((r) => r.h === h)?.n ?? 0;
    expect(n(20)).toBeGreaterThan(5 * n(3));
    expect(n(12)).toBeGreaterThan(2 * n(16));
    const early = await db.rows<{ learning: boolean; share: number }>(`
      SELECT g.type IN ('技能学习类', '打卡群', '习惯养成类') AS learning, avg((hour(ts) BETWEEN 6 AND 7)::INTEGER) AS share
      FROM msg JOIN g USING (group_id) GROUP BY 1`);
    const e = Object.fromEntries(early.map((r) => [String(r.learning), r.share]));
    expect(e.true).toBeGreaterThan(3 * e.false);
  });
  it('members who stay check in more; camps start high and vary with execution; weekends are quieter', async () => {
    // Share of a membership's days with a 签到, its days counted up to the group's last check-in.
    const rows = await db.rows<{ camp: boolean; stay: string; n: number; share: number }>(`
      WITH last AS (SELECT group_id, max(d) AS last FROM ck GROUP BY 1),
      days AS (
        SELECT m.member_id, m.group_id, m.j, g.name LIKE '%营第%期' AS camp,
          CASE WHEN m.l IS NOT NULL AND date_diff('day', m.j::DATE, m.l::DATE) <= 7 THEN 'short'
               WHEN date_diff('day', m.j::DATE, coalesce(m.l::DATE, DATE '${AS_OF}')) >= 30 THEN 'long' END AS stay,
          m.j::DATE AS d0, least(coalesce(m.l::DATE, DATE '${AS_OF}'), last.last) AS d1
        FROM m JOIN g USING (group_id) JOIN last USING (group_id) WHERE m.is_staff = '2'
      ), checked AS (
        SELECT days.member_id, days.group_id, days.j, count(ck.d) AS k
        FROM days LEFT JOIN ck ON ck.member_id = days.member_id AND ck.group_id = days.group_id AND ck.kind = '签到' AND ck.d BETWEEN days.d0 AND days.d1
        GROUP BY ALL
      )
      SELECT camp, stay, count(*) AS n, avg(k / (d1 - d0 + 1)) AS share
      FROM days JOIN checked USING (member_id, group_id, j) WHERE stay IS NOT NULL AND d1 >= d0 GROUP BY ALL`);
    const share = (camp: boolean, stay: string) => rows.find((r) => r.camp === camp && r.stay === stay)!;
    for (const camp of [true, false]) {
      expect(Number(share(camp, 'short').n)).toBeGreaterThan(20);
      expect(Number(share(camp, 'long').n)).toBeGreaterThan(20);
      expect(share(camp, 'long').share).toBeGreaterThan(share(camp, 'short').share + 0.1);
    }
    // Daily rate (check-ins over members in the group that day) in each camp's first week:
    // some camps near 90%, some far lower; habit groups far lower than camps.
    const weeks = await db.rows<{ camp: boolean; rate: number }>(`
      WITH starts AS (SELECT group_id, min(d) AS d0 FROM ck GROUP BY 1),
      days AS (SELECT group_id, CAST(s.d AS DATE) AS d FROM starts, generate_series(d0, d0 + 6, INTERVAL 1 DAY) s(d)),
      size AS (
        SELECT days.group_id, days.d, count(*) AS n FROM days JOIN m
          ON m.group_id = days.group_id AND m.is_staff = '2' AND m.j::DATE <= days.d AND (m.l IS NULL OR m.l::DATE >= days.d)
        GROUP BY ALL),
      checked AS (SELECT group_id, d, count(*) AS k FROM ck WHERE kind = '签到' GROUP BY ALL)
      SELECT g.name LIKE '%营第%期' AS camp, avg(coalesce(k, 0) / n) AS rate
      FROM size LEFT JOIN checked USING (group_id, d) JOIN g USING (group_id) GROUP BY g.group_id, g.name`);
    const camps = weeks.filter((w) => w.camp).map((w) => w.rate);
    const habits = weeks.filter((w) => !w.camp).map((w) => w.rate);
    expect(Math.max(...camps)).toBeGreaterThan(0.85);
    expect(Math.min(...camps)).toBeLessThan(0.6);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(habits)).toBeGreaterThan(0.1);
    expect(mean(habits)).toBeLessThan(0.45);
    expect(mean(camps)).toBeGreaterThan(mean(habits) + 0.2);
    const dow = await db.rows<{ we: boolean; n: number }>(`
      SELECT isodow(d) >= 6 AS we, count(*) / count(DISTINCT isodow(d)) AS n FROM ck WHERE kind = '签到' GROUP BY 1`);
    const byWe = Object.fromEntries(dow.map((r) => [String(r.we), Number(r.n)]));
    expect(byWe.true).toBeLessThan(0.9 * byWe.false);
  });
});

describe('defects', () => {
  const csvRows = (file: string, name: string) =>
    `read_csv(${sqlString(path.join(dir(name), file))}, header = true, all_varchar = true)`;
  const matchSql = (match: Readonly<Record<string, string>>) =>
    Object.entries(match)
      .map(([col, v]) => (v === '' ? `"${col}" IS NULL` : `"${col}" = ${sqlString(v)}`))
      .join(' AND ');

  it('each listed defect is in its file exactly once when defects = true, and absent otherwise', async () => {
    expect(SAMPLE_DEFECTS.length).toBeGreaterThanOrEqual(8);
    for (const d of SAMPLE_DEFECTS) {
      const found = await one<number>(`SELECT count(*) FROM ${csvRows(d.file, 'dirty')} WHERE ${matchSql(d.match)}`);
      expect(found, `${d.file}: ${d.what}`).toBe(1);
      const none = await one<number>(`SELECT count(*) FROM ${csvRows(d.file, 'clean')} WHERE ${matchSql(d.match)}`);
      expect(none, `${d.file}: ${d.what}`).toBe(0);
    }
  });

  it('the defects are what they claim to be', async () => {
    const dup = SAMPLE_DEFECTS.find((d) => d.kind === 'duplicate_id')!;
    const dupId = await one<string>(`SELECT group_id FROM ${csvRows('groups.csv', 'dirty')} WHERE ${matchSql(dup.match)}`);
    expect(await one(`SELECT count(DISTINCT name) FROM ${csvRows('groups.csv', 'dirty')} WHERE group_id = ${sqlString(dupId)}`)).toBe(2);
    const members = csvRows('members.csv', 'dirty');
    const leftEarly = SAMPLE_DEFECTS.find((d) => d.kind === 'left_before_joined')!;
    expect(await one(`SELECT left_at::TIMESTAMP < joined_at::TIMESTAMP FROM ${members} WHERE ${matchSql(leftEarly.match)}`)).toBe(true);
    const badDate = SAMPLE_DEFECTS.find((d) => d.kind === 'unparseable_date')!;
    expect(await one(`SELECT try_cast(joined_at AS TIMESTAMP) IS NULL FROM ${members} WHERE ${matchSql(badDate.match)}`)).toBe(true);
    const unknown = SAMPLE_DEFECTS.find((d) => d.kind === 'unknown_group')!;
    expect(await one(`SELECT count(*) FROM ${csvRows('groups.csv', 'dirty')} WHERE ${matchSql(unknown.match)}`)).toBe(0);
    const negative = SAMPLE_DEFECTS.find((d) => d.kind === 'negative_amount')!;
    expect(await one(`SELECT amount::DOUBLE < 0 FROM ${csvRows('orders.csv', 'dirty')} WHERE ${matchSql(negative.match)}`)).toBe(true);
  });

  it('apart from the defect rows, defects = true writes the same data', () => {
    for (const file of SAMPLE_FILES) {
      const withDefects = lines(path.join(dir('dirty'), file));
      const without = lines(path.join(dir('clean'), file));
      const extra = SAMPLE_DEFECTS.filter((d) => d.file === file).length;
      expect(withDefects.length - without.length, file).toBe(extra);
      const set = new Set(withDefects);
      expect(without.filter((l) => !set.has(l)), file).toEqual([]);
    }
    expect(dirty.counts.memberships).toBe(clean.counts.memberships);
  });
});
