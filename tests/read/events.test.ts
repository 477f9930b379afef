/**
 * messages.csv aggregated in one pass (GROUPING SETS) and in parts (one plain GROUP BY per set,
 * the fallback when the one pass runs out of memory) give the same agg_messages, row for row,
 * on the sample's messages with their planted defects; and the fast pass, with the rows a cross
 * check rejected taken out, gives the table the exact path builds from the accepted rows.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLimitBytes, type Db } from '../../src/db/db.ts';
import { OutOfMemoryError } from '../../src/db/db.ts';
import { NativeDb, openNativeDb } from '../../src/db/native.ts';
import { parsePlan } from '../../src/read/row-checks.ts';
import { nodeEffects, silentLogger } from '../../src/core/effects.ts';
import { aggregate, aggregateFromRows, aggregateMessages, dailySlices, DAILY_HALVINGS, DAILY_SET, HOURLY_SET, messagesStrategy, PARTS_FROM_SLICES, subtractRejected, TOTAL_SET, type PartsFolder } from '../../src/read/events.ts';
import { CROSS_BIT } from '../../src/read/row-checks.ts';
import { loadRows } from '../../src/read/read.ts';
import { prepareInputs } from '../../src/read/sources.ts';
import { scanSql } from '../../src/read/source-files.ts';
import { publicTextMacros, valueMacros } from '../../src/read/values.ts';
import { generateSample } from '../../src/sample/generate.ts';
import { tempDir } from '../helpers.ts';

let db: NativeDb;
let dataDir: string;
const work = tempDir();

const ORDERED = `SELECT * FROM agg_messages ORDER BY grouping_set, group_id, member_id, date, staff, weekday, hour`;

beforeAll(async () => {
  dataDir = join(tempDir(), 'sample');
  await generateSample({ outDir: dataDir, groups: 10, memberships: 500, messages: 8000, orders: 50 });
  db = await openNativeDb();
  await db.exec(valueMacros('Asia/Shanghai', { dates: { earliest: '2000-01-01', latest: '2026-12-07' } }) + publicTextMacros());
  const effects = nodeEffects(silentLogger);
  const { sources } = await prepareInputs(db, effects, { dataDir, workDir: work });
  const members = sources.get('members')!;
  await loadRows(db, 'members', members, parsePlan(members[0].spec, members));
  await db.exec(`CREATE OR REPLACE TABLE staff_ids AS SELECT DISTINCT member_id FROM p_members WHERE is_staff AND member_id IS NOT NULL`);
}, 120_000);

afterAll(async () => {
  await db?.close();
});

/** A folder for the Parquet parts, removed as the build's is (the test checks it went). */
function partsFolder(): PartsFolder {
  return { dir: join(tempDir(), 'messages-parts'), rm: (dir) => nodeEffects(silentLogger).rm(dir) };
}

/** DuckDB itself, except that the statements `fails` picks run out of memory. */
function runningOutWhen(fails: (sql: string) => boolean): Db {
  return {
    exec: (sql) => (fails(sql) ? Promise.reject(new OutOfMemoryError('Out of Memory Error: could not allocate block', '1GB')) : db.exec(sql)),
    rows: (sql, params) => db.rows(sql, params),
    close: async () => {},
  };
}

async function messagesTable(strategy: 'one pass' | 'in parts', slices = 1, parts?: PartsFolder, log = silentLogger) {
  const { sources } = await prepareInputs(db, nodeEffects(silentLogger), { dataDir, workDir: work });
  const [source] = sources.get('messages')!;
  const loaded = await aggregateMessages(db, source, parsePlan(source.spec, [source]), log, strategy, slices, parts);
  return { loaded, rows: await db.rows(ORDERED) };
}

describe('agg_messages', () => {
  it('is the same in one pass and in parts, bad rows and staff included', async () => {
    const one = await messagesTable('one pass');
    const parts = await messagesTable('in parts');
    expect(parts.rows).toEqual(one.rows);
    expect(parts.loaded.rows).toBe(one.loaded.rows);
    const sets = new Set(one.rows.map((r) => r.grouping_set));
    expect(sets).toEqual(new Set([DAILY_SET, HOURLY_SET, TOTAL_SET]));
    // the sample plants bad message rows, and has staff among the senders
    const total = one.rows.find((r) => r.grouping_set === TOTAL_SET)!;
    expect(total.bad).toBeGreaterThan(0);
    expect(one.rows.some((r) => r.grouping_set === HOURLY_SET && r.staff === true)).toBe(true);
  });

  it('is the same with the daily set made in slices of the groups (a file far over the memory limit)', async () => {
    const one = await messagesTable('one pass');
    const sliced = await messagesTable('in parts', 3);
    expect(sliced.rows).toEqual(one.rows);
    // every row counted once: the file's records, its rejects among them once
    expect(sliced.loaded.rows).toBe(one.loaded.rows);
    expect(sliced.loaded.sources[0].rejects).toEqual(one.loaded.sources[0].rejects);
  });

  it('is the same when the slices read one scan written to Parquet parts, which are removed after', async () => {
    const one = await messagesTable('one pass');
    const parts = partsFolder();
    const lines: string[] = [];
    const fromParts = await messagesTable('in parts', PARTS_FROM_SLICES, parts, { ...silentLogger, info: (line: string) => lines.push(line) });
    expect(lines.join('\n')).toMatch(new RegExp(`read once into ${PARTS_FROM_SLICES} parts of the groups`));
    expect(fromParts.rows).toEqual(one.rows);
    expect(fromParts.loaded.rows).toBe(one.loaded.rows);
    // the one scan leaves the file's rejects; the bad rows went through the parts as such
    expect(fromParts.loaded.sources[0].rejects).toEqual(one.loaded.sources[0].rejects);
    expect(fromParts.rows.find((r) => r.grouping_set === TOTAL_SET)!.bad).toBeGreaterThan(0);
    expect(existsSync(parts.dir)).toBe(false);
    // with fewer slices than PARTS_FROM_SLICES (the daily set unsliced) the folder is not used
    const lines2: string[] = [];
    await messagesTable('in parts', PARTS_FROM_SLICES - 1, parts, { ...silentLogger, info: (line: string) => lines2.push(line) });
    expect(lines2.join('\n')).not.toMatch(/read once/);
  });

  it('makes the empty sets from parts of a file with no rows', async () => {
    const from = `(SELECT group_id, member_id, CAST(sent_at AS TIMESTAMP) AS sent_at FROM (VALUES ('G1', 'a', '2026-03-05 10:00:00')) t(group_id, member_id, sent_at) WHERE false)`;
    const parts = partsFolder();
    await aggregate(db, from, 'false', silentLogger, 'in parts', PARTS_FROM_SLICES, parts);
    expect(await db.rows(`SELECT grouping_set, messages, bad FROM agg_messages ORDER BY grouping_set`)).toEqual([{ grouping_set: TOTAL_SET, messages: 0, bad: 0 }]);
    expect(existsSync(parts.dir)).toBe(false);
  });

  it('from the fast pass, less the rows a cross check rejected, equals the exact path', async () => {
    const fast = await messagesTable('one pass');
    const { sources } = await prepareInputs(db, nodeEffects(silentLogger), { dataDir, workDir: work });
    const [source] = sources.get('messages')!;
    const loaded = await loadRows(db, 'messages', [source], parsePlan(source.spec, [source]));
    // What validate does for a group not in groups.csv: every row of the group, including
    // rows that also failed their own checks, gets the cross-check bit.
    const [{ group }] = await db.rows<{ group: string }>(`SELECT group_id AS "group" FROM p_messages WHERE __mask = 0 GROUP BY ALL ORDER BY count(*) DESC, group_id LIMIT 1`);
    const cross = `${1n << BigInt(CROSS_BIT)}::BIGINT`;
    await db.exec(`UPDATE p_messages SET __mask = __mask | ${cross} WHERE group_id = '${group}'`);
    const [{ crossOnly, alsoBad }] = await db.rows<{ crossOnly: number; alsoBad: number }>(
      `SELECT count(*) FILTER (WHERE __mask = ${cross})::INTEGER AS "crossOnly", count(*) FILTER (WHERE __mask <> 0 AND __mask <> ${cross})::INTEGER AS "alsoBad" FROM p_messages`,
    );
    expect(crossOnly).toBeGreaterThan(100);
    expect(alsoBad).toBeGreaterThan(0); // the sample's planted defects
    expect(loaded.rowTable).toBe('p_messages');

    await aggregateFromRows(db, `(SELECT group_id, member_id, sent_at FROM p_messages WHERE __mask = 0)`, silentLogger);
    const exact = await db.rows(ORDERED);
    expect(exact).not.toEqual(fast.rows);
    await db.exec(`DROP TABLE agg_messages`);
    await messagesTable('one pass');
    expect(await db.rows(ORDERED)).toEqual(fast.rows);
    await subtractRejected(db, `(SELECT group_id, member_id, sent_at FROM p_messages WHERE __mask = ${cross})`);
    const corrected = await db.rows(ORDERED);
    expect(corrected).toEqual(exact);
    expect(corrected.some((r) => r.group_id === group)).toBe(false);
    expect(corrected.find((r) => r.grouping_set === TOTAL_SET)).toMatchObject({ bad: 0 });
    await db.exec(`DROP TABLE p_messages`);
  });

  it('is made in parts, with a line saying so, when the one pass runs out of memory', async () => {
    // DuckDB itself, except that the GROUPING SETS statement fails as it can at 40 M messages
    const failing = runningOutWhen((sql) => /GROUPING SETS/.test(sql));
    const lines: string[] = [];
    const from = `(SELECT group_id, member_id, CAST(sent_at AS TIMESTAMP) AS sent_at FROM (SELECT * FROM (VALUES ('G1', 'a', '2026-03-05 10:00:00')) t(group_id, member_id, sent_at)))`;
    await db.exec(`DROP TABLE IF EXISTS agg_messages`);
    await aggregate(failing, from, 'false', { info: (line) => lines.push(line) });
    expect(lines.join('\n')).toMatch(/ran out of memory; aggregating in parts/);
    expect(await db.rows(`SELECT grouping_set, group_id, member_id, CAST(date AS VARCHAR) AS date, weekday, hour, messages, bad FROM agg_messages ORDER BY grouping_set`)).toEqual([
      { grouping_set: DAILY_SET, group_id: 'G1', member_id: 'a', date: '2026-03-05', weekday: null, hour: null, messages: 1, bad: 0 },
      { grouping_set: HOURLY_SET, group_id: 'G1', member_id: null, date: null, weekday: 4, hour: 10, messages: 1, bad: 0 },
      { grouping_set: TOTAL_SET, group_id: null, member_id: null, date: null, weekday: null, hour: null, messages: 1, bad: 0 },
    ]);
  });

  it.each([
    ['each slice scanning the file', undefined],
    ['the slices reading Parquet parts', 'parts'],
  ])('makes a slice of the daily set that runs out of memory again in halves of its groups, and halves a half again (%s)', async (_how, useParts) => {
    const one = await messagesTable('one pass');
    // DuckDB itself, except that slice 2 of 3 fails, and then the first half of it, as a slice
    // of 24 M member-days did in 3 of 6 runs under 1 GB
    const daily = (sql: string) => sql.startsWith('INSERT INTO agg_messages') && sql.includes(`${DAILY_SET} AS grouping_set`);
    const failed: string[] = [];
    const failing = runningOutWhen((sql) => {
      const slice2 = sql.includes('% 3, 0) = 1)') || sql.includes('__slice = 1)');
      const fail = daily(sql) && slice2 && (!sql.includes('// 3) % 2') || (sql.includes('// 3) % 2, 0) = 0)') && !sql.includes('// 6) % 2')));
      if (fail) failed.push(sql);
      return fail;
    });
    const { sources } = await prepareInputs(db, nodeEffects(silentLogger), { dataDir, workDir: work });
    const [source] = sources.get('messages')!;
    const lines: string[] = [];
    const parts = useParts ? partsFolder() : undefined;
    const loaded = await aggregateMessages(failing, source, parsePlan(source.spec, [source]), { info: (line) => lines.push(line) }, 'in parts', 3, parts);
    expect(failed).toHaveLength(2);
    expect(lines.join('\n')).toMatch(/slice 2 of 3 of the daily set ran out of memory; making it again in two halves of its groups/);
    expect(lines.join('\n')).toMatch(/slice 2 of 3, half 1 of the daily set ran out of memory/);
    expect(lines.join('\n')).toMatch(useParts ? /read once into 3 parts/ : /^(?![\s\S]*read once)/);
    expect(await db.rows(ORDERED)).toEqual(one.rows);
    expect(loaded.rows).toBe(one.loaded.rows);
    if (parts) expect(existsSync(parts.dir)).toBe(false);
  });

  it(`stops with DuckDB's out-of-memory error when a part still runs out after ${DAILY_HALVINGS} halvings`, async () => {
    let attempts = 0;
    const failing = runningOutWhen((sql) => sql.startsWith('INSERT INTO agg_messages') && sql.includes(`${DAILY_SET} AS grouping_set`) && ++attempts > 0);
    const from = `(SELECT group_id, member_id, CAST(sent_at AS TIMESTAMP) AS sent_at FROM (VALUES ('G1', 'a', '2026-03-05 10:00:00')) t(group_id, member_id, sent_at))`;
    await expect(aggregate(failing, from, 'false', silentLogger, 'in parts')).rejects.toBeInstanceOf(OutOfMemoryError);
    expect(attempts).toBe(DAILY_HALVINGS + 1); // the whole, then one half at each level
  });

  it('goes straight to parts when messages.csv is over twice the memory limit', async () => {
    expect(messagesStrategy(1.27e9, 1e9)).toBe('one pass'); // the benchmark's 20 M messages
    expect(messagesStrategy(2.55e9, 1e9)).toBe('in parts'); // twice that, which ran out of memory
    expect(messagesStrategy(5e9, null)).toBe('one pass'); // a limit it cannot read: try, then fall back
    // the daily set in slices of the groups from 3 × the limit: 200 M messages (12.1 GiB) in 5
    expect([dailySlices(2.55e9, 1e9), dailySlices(12.1 * 2 ** 30, 2 ** 30), dailySlices(12.1 * 2 ** 30, 2 * 2 ** 30), dailySlices(5e9, null)]).toEqual([1, 5, 3, 1]);
    expect(dailySlices(2.4 * 2 ** 30, 2 ** 30)).toBe(1); // 40 M messages held in one
    const limited = await openNativeDb({ memoryLimit: '500MB' });
    try {
      expect(await memoryLimitBytes(limited)).toBeCloseTo(476.8 * 2 ** 20, -6); // DuckDB says '476.8 MiB'
    } finally {
      await limited.close();
    }
  });

  it('names the limit and what to do when DuckDB runs out of memory', () => {
    const error = new OutOfMemoryError('Out of Memory Error: could not allocate block of size 256.0 KiB (953.5 MiB/953.6 MiB used)', '1GB');
    expect(error.message).toBe(
      'DuckDB ran out of memory (its limit is 1GB): could not allocate block of size 256.0 KiB (953.5 MiB/953.6 MiB used). Run the build again with a larger limit, e.g. --memory-limit 2GB, on a machine with that much memory free.',
    );
  });
});

describe('the plain pass', () => {
  const COLUMNS = ['sent_at', 'group_id', 'member_id'];
  let clean: string;
  beforeAll(async () => {
    clean = join(tempDir(), 'clean');
    await generateSample({ outDir: clean, groups: 10, memberships: 500, messages: 8000, orders: 50, defects: false });
  }, 120_000);

  /** agg_messages as aggregateMessages makes it (with its log lines), and as the general parsers make it */
  async function bothWays(dir: string, strategy: 'one pass' | 'in parts', slices = 1) {
    const { sources } = await prepareInputs(db, nodeEffects(silentLogger), { dataDir: dir, workDir: work });
    const [source] = sources.get('messages')!;
    const plan = parsePlan(source.spec, [source]);
    const lines: string[] = [];
    const parts = slices >= PARTS_FROM_SLICES ? partsFolder() : undefined;
    const loaded = await aggregateMessages(db, source, plan, { info: (line) => lines.push(line) }, strategy, slices, parts);
    const made = await db.rows(ORDERED);
    await db.exec('DROP TABLE agg_messages');
    await aggregate(db, `(${plan.select(scanSql(source, 'rejects_general'), source, { keepRaw: false, columns: COLUMNS })})`, '__mask <> 0', silentLogger, strategy, slices);
    return { lines, loaded, made, general: await db.rows(ORDERED) };
  }

  it('takes a plain file as it stands, and makes the table the general parsers make', async () => {
    for (const [strategy, slices] of [['one pass', 1], ['in parts', 3]] as const) {
      const { lines, made, general, loaded } = await bothWays(clean, strategy, slices);
      expect(lines.filter((l) => /not plain/.test(l))).toEqual([]); // the plain pass held
      expect(made).toEqual(general);
      expect(made.find((r) => r.grouping_set === TOTAL_SET)).toMatchObject({ messages: loaded.rows, bad: 0 });
      expect(loaded.rows).toBeGreaterThan(7000);
    }
  });

  it('stops at a row that is not plain, says so, and reads the file with the general parsers', async () => {
    // one ID with a blank after it, near the end: kept, as the trimmed ID
    const dir = join(tempDir(), 'one-blank');
    cpSync(clean, dir, { recursive: true });
    const lines = readFileSync(join(clean, 'messages.csv'), 'utf8').split('\n');
    const at = lines.length - 10;
    const fields = lines[at].split(',');
    fields[2] = `${fields[2]} `;
    lines[at] = fields.join(',');
    writeFileSync(join(dir, 'messages.csv'), lines.join('\n'));
    for (const [strategy, slices] of [['one pass', 1], ['in parts', 3]] as const) {
      const changed = await bothWays(dir, strategy, slices);
      expect(changed.lines.join('\n')).toMatch(/messages\.csv has rows that are not plain .*reading it again with the general parsers/);
      expect(changed.made).toEqual(changed.general);
      // the same table as the file without the blank
      expect(changed.made).toEqual((await bothWays(clean, strategy, slices)).made);
    }
  });
});
