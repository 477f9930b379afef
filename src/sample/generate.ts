/**
 * Seeded synthetic data set of operators' CSV exports (DATA.md), built entirely in DuckDB SQL:
 * range() tables, pseudo-random numbers from hash(row key, stream, seed), inverse CDFs for the
 * shapes, and one `COPY (… ORDER BY …)` per file. No JavaScript touches individual rows, which
 * is what makes the benchmark scale (20 M messages) take seconds.
 *
 * The model, step by step:
 * - groups: a kind per group (profiles.ts: type label, store or not, ongoing / campaign / camp),
 *   a creation date in the year before as-of, a last active moment (campaigns end after 1–4
 *   weeks, some groups go silent = zombies), some dissolved.
 * - memberships: each group has `slots` places (its cap); slot s is first taken on a growth
 *   curve, and each occupant stays for a tenure drawn by channel and kind (most who mean to
 *   stay do; the rest leave within weeks) before the next one takes the place after a gap. So a group never holds more than its cap at any moment and
 *   grows toward a plateau. Customers come fresh, from a regional pool (members in several
 *   groups), or are the previous occupant again (a rejoin: two spells).
 * - messages: per membership a count from an activity rate that decays with tenure, scaled to
 *   the requested total; each message gets a day (truncated exponential), a minute from the
 *   kind's daily rhythm, weekend thinning, and lies strictly inside the membership and before
 *   the group's last active moment. Staff post at fixed times (announcements, sessions).
 * - orders: buyers by channel and kind, a first order after a delay (conversion groups: a
 *   burst on days 3–10 after creation), repeats, products and prices by kind.
 * - check-ins (learning groups only): per customer membership and day in the group, a check-in
 *   (签到) with a chance from the group's execution, the member's diligence (higher for those
 *   who stay), a decay over the membership's days and weekends; homework (作业) on some days,
 *   redemptions (兑换) at every tenth check-in now and then; camps split members into teams.
 *
 * Determinism: every random number is a hash of row keys, every aggregate that feeds a later
 * step is an integer sum, every window and sort has a total order; so the files are the same
 * bytes whatever the thread count (for one DuckDB version).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/db.ts';
import { sqlString } from '../db/db.ts';
import { openNativeDb } from '../db/native.ts';
import { DEFECT_MEMBER_IDS, DEFECT_VALUES } from './defects.ts';
import { MSG_TYPES, STAYER_DAYS } from './profiles.ts';
import { LUT_BUCKETS, PARAMETER_TABLES, RHYTHM_ID, parameterTablesSql } from './tables.ts';
import { STAFF_GIVEN, STAFF_SURNAMES, TEAM_NAMES, UNUSED_STATES } from './vocabulary.ts';


export interface SampleOptions {
  /** Created if missing; receives groups.csv, members.csv, channels.csv, messages.csv, orders.csv, checkins.csv. */
  outDir: string;
  /** Default 42; the same seed and options give byte-identical files. */
  seed?: number;
  /** Default 160. */
  groups?: number;
  /** Customer memberships (spells), approximate; default 16000. */
  memberships?: number;
  /** Approximate; default 300000. */
  messages?: number;
  /** Approximate; default 5000. */
  orders?: number;
  /** 'YYYY-MM-DD', default '2026-10-31': the last day with data. */
  asOf?: string;
  /** Default true: a handful of realistic bad rows (SAMPLE_DEFECTS). */
  defects?: boolean;
  /** Connection to use; otherwise an in-memory native one is opened and closed. */
  db?: Db;
  /** Progress lines, e.g. 'sample: messages.csv 300,412 rows 1.2s'. */
  log?: (line: string) => void;
  /**
   * 'csv' (default): one CSV per table. 'xlsx': the same facts as operators hold them, as Excel
   * workbooks with Chinese names, monthly member files and a chat-archive dump (workbooks.ts).
   */
  format?: 'csv' | 'xlsx';
}

export interface SampleResult {
  files: string[];
  /** Rows written per file (key: file name without .csv), and `memberships`: customer spells. */
  counts: Record<string, number>;
}

export interface SampleSizes {
  groups: number;
  memberships: number;
  messages: number;
  orders: number;
}

/**
 * The default sample is the benchmark's proportions at 1/50 of its groups: enough memberships per
 * group that store groups reach their plateau near the 200-member cap.
 */
export const SAMPLE_DEFAULTS = {
  seed: 42,
  groups: 100,
  memberships: 20_000,
  messages: 400_000,
  orders: 6_000,
  asOf: '2026-10-31',
  defects: true,
} as const;

/** How sizes scale together when only some are given (the benchmark's proportions). */
export const SAMPLE_RATIOS = {
  membershipsPerGroup: 200,
  messagesPerMembership: 20,
  ordersPerMembership: 0.3,
} as const;

/** Sizes that scale with the number of groups; `scaledSizes(5000)` is the benchmark scale. */
export function scaledSizes(groups: number): SampleSizes {
  const memberships = groups * SAMPLE_RATIOS.membershipsPerGroup;
  return {
    groups,
    memberships,
    messages: memberships * SAMPLE_RATIOS.messagesPerMembership,
    orders: Math.round(memberships * SAMPLE_RATIOS.ordersPerMembership),
  };
}

export const SAMPLE_BENCHMARK: SampleSizes = scaledSizes(5000);

/**
 * Sizes from options: none given → SAMPLE_DEFAULTS; otherwise the missing ones follow from the
 * given ones by SAMPLE_RATIOS (so `{ groups: 5000 }` is the benchmark scale).
 */
export function resolveSizes(options: Pick<SampleOptions, 'groups' | 'memberships' | 'messages' | 'orders'>): SampleSizes {
  const { groups, memberships, messages, orders } = options;
  if (groups === undefined && memberships === undefined && messages === undefined && orders === undefined) {
    const { groups, memberships, messages, orders } = SAMPLE_DEFAULTS;
    return { groups, memberships, messages, orders };
  }
  const r = SAMPLE_RATIOS;
  const anchor =
    memberships ??
    (groups !== undefined ? groups * r.membershipsPerGroup
      : messages !== undefined ? messages / r.messagesPerMembership
      : (orders as number) / r.ordersPerMembership);
  const sizes = {
    groups: groups ?? Math.max(1, Math.round(anchor / r.membershipsPerGroup)),
    memberships: Math.round(anchor),
    messages: messages ?? Math.round(anchor * r.messagesPerMembership),
    orders: orders ?? Math.round(anchor * r.ordersPerMembership),
  };
  for (const [k, v] of Object.entries(sizes)) {
    if (!Number.isInteger(v) || v < (k === 'groups' ? 1 : 0)) throw new Error(`sample: ${k} must be a whole number ≥ ${k === 'groups' ? 1 : 0}, got ${v}`);
  }
  // Limits of the integer keys (group in 17 bits, candidate in 20, message number in 32).
  if (sizes.groups > 99_999) throw new Error('sample: at most 99,999 groups');
  if (sizes.memberships > sizes.groups * 20_000) throw new Error('sample: at most 20,000 memberships per group');
  if (sizes.messages > 2 ** 31) throw new Error('sample: at most 2^31 messages');
  return sizes;
}

export const SAMPLE_FILES = ['groups.csv', 'members.csv', 'channels.csv', 'messages.csv', 'orders.csv', 'checkins.csv'] as const;

/** Customers drawn from a regional pool (so they are in several groups), and rejoin chance. */
const POOL_SHARE = 0.2;
const POOL_MEMBERSHIPS_PER_CUSTOMER = 3;
const REJOIN_SHARE = 0.05;
/** Share of attributable rows whose channel column is left empty (the state says it). */
const CHANNEL_EMPTY_SHARE = 0.2;
/** Share of orders that name the group (among orders placed while still in it). */
const ORDER_GROUP_SHARE = 0.79;

const DAY = 86_400;
/** Member keys (see qs_member): pool customers from 2^37, staff from 2^39, "no sender" 2^42. */
const POOL_KEY = 2 ** 37;
const STAFF_KEY = 2 ** 39;
const NO_SENDER_KEY = 2 ** 42;

export async function generateSample(options: SampleOptions): Promise<SampleResult> {
  if (options.format !== undefined && options.format !== 'csv' && options.format !== 'xlsx') throw new Error(`sample: format must be csv or xlsx, got ${options.format}`);
  if (options.format === 'xlsx') {
    const { writeWorkbookSample } = await import('./workbooks.ts');
    fs.mkdirSync(options.outDir, { recursive: true });
    const log = options.log ?? (() => {});
    // the CSV sample's own lines name the scratch CSVs: only its summary is passed on
    const csv = (dir: string) => generateSample({ ...options, format: 'csv', outDir: dir, log: (line) => (/\.csv /.test(line) ? undefined : log(line)) });
    return writeWorkbookSample(options.outDir, options.asOf ?? SAMPLE_DEFAULTS.asOf, csv, log);
  }
  const sizes = resolveSizes(options);
  const seed = options.seed ?? SAMPLE_DEFAULTS.seed;
  if (!Number.isSafeInteger(seed)) throw new Error(`sample: seed must be an integer, got ${seed}`);
  const asOf = options.asOf ?? SAMPLE_DEFAULTS.asOf;
  const asOfMatch = /^(\d{4})-(\d{2})-(\d{2})$/.exec(asOf);
  const asOfMs = asOfMatch ? Date.UTC(+asOfMatch[1], +asOfMatch[2] - 1, +asOfMatch[3]) : NaN;
  if (!asOfMatch || new Date(asOfMs).toISOString().slice(0, 10) !== asOf) throw new Error(`sample: asOf must be a date YYYY-MM-DD, got ${asOf}`);
  const defects = options.defects ?? SAMPLE_DEFAULTS.defects;
  const log = options.log ?? (() => {});

  fs.mkdirSync(options.outDir, { recursive: true });
  const db = options.db ?? (await openNativeDb());
  const started = Date.now();
  // COPY keeps a subquery's ORDER BY only while insertion order is preserved (DuckDB's default).
  const [{ pio }] = await db.rows<{ pio: unknown }>(`SELECT current_setting('preserve_insertion_order') AS pio`);
  const restoreOrder = pio === false || pio === 'false';
  try {
    if (restoreOrder) await db.exec('SET preserve_insertion_order = true');
    const ctx = makeContext(sizes, seed, asOfMs / 1000 / DAY, defects);
    const count = async (sql: string) => Number((await db.rows<{ n: number }>(`SELECT count(*) AS n FROM (${sql})`))[0].n);
    const sum = async (sql: string) => Number((await db.rows<{ s: number }>(sql))[0].s ?? 0);

    await db.exec(macrosSql(ctx));
    await db.exec(parameterTablesSql());

    // Groups and stores (about 2.4 store groups per store, an operations person per 6 others).
    await db.exec(groupsBaseSql(ctx));
    const storeGroups = await count(`SELECT 1 FROM qs_g0 WHERE is_store`);
    ctx.stores = storeGroups > 0 ? Math.max(1, Math.ceil(storeGroups / 2.4)) : 0;
    ctx.ops = Math.max(1, Math.ceil((sizes.groups - storeGroups) / 6));
    await db.exec(storesSql(ctx));
    await db.exec(groupsSql(ctx));

    // Memberships: kept spells grow less than linearly with the budget (groups fill up), so
    // the budget factor comes from two counts and a secant step.
    let factor = 1.3;
    if (sizes.memberships > 0) {
      const n0 = await count(candidatesSql(ctx, factor));
      if (n0 > 0) {
        const f1 = factor * (sizes.memberships / n0);
        const n1 = await count(candidatesSql(ctx, f1));
        const secant = n1 !== n0 ? f1 + ((sizes.memberships - n1) * (f1 - factor)) / (n1 - n0) : f1;
        factor = secant > 0 ? secant : f1;
      }
    }
    await db.exec(membershipsSql(ctx, factor));
    await db.exec(invitersSql());
    await db.exec(membersExtendedSql());
    if (defects) await db.exec(defectTargetSql(ctx));

    const out = (file: string) => path.join(options.outDir, file);
    const counts: Record<string, number> = {};
    const copy = async (file: (typeof SAMPLE_FILES)[number], sql: string) => {
      const t0 = Date.now();
      const rows = await db.rows<{ Count: number }>(`COPY (${sql}) TO ${sqlString(out(file))} (HEADER, DELIMITER ',')`);
      const n = Number(rows[0]?.Count ?? 0);
      counts[file.replace(/\.csv$/, '')] = n;
      log(`sample: ${file} ${n.toLocaleString('en-US')} rows ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    };

    await copy('groups.csv', groupsCsvSql(ctx));
    await copy('members.csv', membersCsvSql(ctx));
    await copy('channels.csv', channelsCsvSql());
    await db.exec('DROP TABLE qs_inv; DROP TABLE qs_mx;'); // memory for the messages

    // Messages: staff posts first, customers' expected counts scaled to fill the rest.
    // (Defect rows are not counted, so that defects on/off differ only by those rows.)
    await db.exec(staffMessagesSql());
    const staff = await count(`SELECT 1 FROM qs_sm`);
    await db.exec(activitySql(ctx));
    const expected = await sum(`SELECT sum(floor(e_kept * 1000)::BIGINT)::BIGINT AS s FROM qs_mm`);
    const customerTarget = Math.max(0, sizes.messages - staff);
    await db.exec(activityCountsSql(expected > 0 ? (customerTarget * 1000) / expected : 0));
    await db.exec('DROP TABLE qs_mm;');
    const customerMessages = await sum(`SELECT sum(n)::BIGINT AS s FROM qs_mc`);
    await copy('messages.csv', messagesCsvSql(ctx, customerMessages));
    await db.exec('DROP TABLE qs_mc; DROP TABLE qs_sm;');

    // Orders: propensities scaled to the requested count, then corrected once for what the
    // clipping and the as-of cut-off removed.
    await db.exec(buyersSql());
    const weight = await sum(`SELECT sum(round(base * mean_n * 1000000)::BIGINT)::BIGINT AS s FROM qs_o1`);
    let orderScale = weight > 0 ? (sizes.orders * 1e6) / weight : 0;
    const firstCount = await count(ordersSql(ctx, orderScale));
    if (firstCount > 0) orderScale *= sizes.orders / firstCount;
    await copy('orders.csv', ordersCsvSql(ctx, orderScale));

    // Check-ins of learning groups (no defect rows: the defects stay in the first five files).
    await copy('checkins.csv', checkinsCsvSql(ctx));

    counts.memberships = await count(`SELECT 1 FROM qs_m`);
    log(
      `sample: ${counts.memberships.toLocaleString('en-US')} customer memberships in ${sizes.groups.toLocaleString('en-US')} groups, ` +
        `seed ${seed}, as of ${asOf}: ${((Date.now() - started) / 1000).toFixed(1)}s`,
    );
    return { files: SAMPLE_FILES.map(out), counts };
  } finally {
    await cleanup(db);
    if (restoreOrder) await db.exec('SET preserve_insertion_order = false');
    if (!options.db) await db.close();
  }
}

interface Context {
  seed: number;
  groups: number;
  memberships: number;
  asOfDay: number;
  /** Last second of as-of, in local-time epoch seconds (timestamps carry no zone). */
  asOfEnd: number;
  /** Base for message sort keys, well before any group's creation. */
  keyBase: number;
  idWidth: number;
  defects: boolean;
  stores: number;
  ops: number;
}

function makeContext(sizes: SampleSizes, seed: number, asOfDay: number, defects: boolean): Context {
  return {
    seed,
    groups: sizes.groups,
    memberships: sizes.memberships,
    asOfDay,
    asOfEnd: asOfDay * DAY + DAY - 1,
    keyBase: (asOfDay - 800) * DAY,
    idWidth: Math.max(4, String(sizes.groups).length),
    defects,
    stores: 0,
    ops: 1,
  };
}

const TEMP_TABLES = [
  ...PARAMETER_TABLES,
  'qs_g0', 'qs_store', 'qs_g', 'qs_m', 'qs_inv', 'qs_mx', 'qs_dt', 'qs_sm', 'qs_mm', 'qs_mc', 'qs_o1',
];
const MACROS = ['qs_u', 'qs_u3', 'qs_h', 'qs_hi', 'qs_lo', 'qs_exp', 'qs_exp3', 'qs_z', 'qs_gid', 'qs_staff', 'qs_cust', 'qs_member', 'qs_ts'];

async function cleanup(db: Db): Promise<void> {
  // Tables first: nothing depends on the macros once the tables are gone.
  await db.exec(TEMP_TABLES.map((t) => `DROP TABLE IF EXISTS temp.${t};`).join('\n'));
  await db.exec(MACROS.map((m) => `DROP MACRO IF EXISTS temp.${m};`).join('\n'));
}

/**
 * Random numbers: qs_u(key, stream) is uniform in [0, 1) from the top 53 bits of a hash;
 * qs_exp is Exp(1) by inverse CDF; qs_z a standard normal (Box–Muller from two streams, the
 * second offset by 1000, so streams below 1000 never collide).
 */
function macrosSql(ctx: Context): string {
  const s = ctx.seed;
  const ns = STAFF_SURNAMES.length;
  const ng = STAFF_GIVEN.length;
  return `
CREATE OR REPLACE TEMP MACRO qs_u(a, b) AS ((hash(a, b, ${s}) >> 11)::DOUBLE / 9007199254740992.0);
CREATE OR REPLACE TEMP MACRO qs_u3(a, b, c) AS ((hash(a, b, c, ${s}) >> 11)::DOUBLE / 9007199254740992.0);
CREATE OR REPLACE TEMP MACRO qs_exp(a, b) AS (-ln(1 - qs_u(a, b)));
-- Per-message numbers: one 64-bit hash gives two 32-bit uniforms.
CREATE OR REPLACE TEMP MACRO qs_h(a, b, c) AS (hash(a, b, c, ${s}));
CREATE OR REPLACE TEMP MACRO qs_hi(h) AS ((h >> 32)::DOUBLE / 4294967296.0);
CREATE OR REPLACE TEMP MACRO qs_lo(h) AS ((h & 4294967295)::DOUBLE / 4294967296.0);
CREATE OR REPLACE TEMP MACRO qs_exp3(a, b, c) AS (-ln(1 - qs_u3(a, b, c)));
CREATE OR REPLACE TEMP MACRO qs_z(a, b) AS (sqrt(-2 * ln(1 - qs_u(a, b))) * cos(2 * pi() * qs_u(a, b + 1000)));
CREATE OR REPLACE TEMP MACRO qs_gid(g) AS ('G' || lpad(g::VARCHAR, ${ctx.idWidth}, '0'));
CREATE OR REPLACE TEMP MACRO qs_staff(k) AS (
  -- Given name (7a + b) mod ${ng} for k = a + ${ns}b: unique pairs, and varied among the first ids.
  ${sqlList(STAFF_SURNAMES)}[k % ${ns} + 1] || ${sqlList(STAFF_GIVEN)}[(7 * (k % ${ns}) + k // ${ns}) % ${ng} + 1]
  || CASE WHEN k >= ${ns * ng} THEN (k // ${ns * ng} + 1)::VARCHAR ELSE '' END);
CREATE OR REPLACE TEMP MACRO qs_cust(c) AS ('wm' || substr(md5('${s}:' || c::VARCHAR), 1, 30));
-- Member keys: a customer number below 2^39, or staff index k as 2^39 + k (fits the packed sort payload).
CREATE OR REPLACE TEMP MACRO qs_member(mk) AS (CASE WHEN mk < ${STAFF_KEY} THEN qs_cust(mk) ELSE qs_staff(mk - ${STAFF_KEY}) END);
CREATE OR REPLACE TEMP MACRO qs_ts(t) AS (make_timestamp(t::BIGINT * 1000000)::VARCHAR);`;
}

/** Kinds are dealt by a hashed rank, so each kind gets its share of groups even when few. */
function groupsBaseSql(ctx: Context): string {
  const G = ctx.groups;
  return `
CREATE OR REPLACE TEMP TABLE qs_g0 AS
WITH base AS (
  SELECT g, row_number() OVER (ORDER BY hash(g, 1, ${ctx.seed}), g) - 1 AS r FROM range(1, ${G + 1}) t(g)
)
SELECT base.g, k.kind_id, k.is_store
FROM base JOIN qs_kind k ON (base.r + 0.5) / ${G} >= k.share_lo AND (base.r + 0.5) / ${G} < k.share_hi;`;
}

/** Stores in weighted districts; execution = the region's times a store's own lognormal factor. */
function storesSql(ctx: Context): string {
  return `
CREATE OR REPLACE TEMP TABLE qs_store AS
WITH s AS (SELECT st, qs_u(st, 3) AS u FROM range(${ctx.stores}) t(st)),
d AS (SELECT s.st, d.* FROM s JOIN qs_district d ON s.u >= d.lo AND s.u < d.hi),
n AS (SELECT d.*, row_number() OVER (PARTITION BY district_id ORDER BY st) AS num FROM d),
l AS (SELECT n.*, CASE WHEN num > 1 THEN num::VARCHAR ELSE '' END AS suffix FROM n)
SELECT st, l.region_id,
  -- printf, not lpad: lpad cuts '100' to '10', and the 100th store of a district took the 10th's code
  code || '-' || printf('%02d', num) || ' ' || city || district || suffix || '店' AS store_label,
  city || district || suffix || '店' AS store_short,
  lower(replace(code, '-', '')) || printf('%02d', num) AS store_code,
  r.execution * exp(0.5 * qs_z(st, 4)) AS execution
FROM l JOIN qs_region r USING (region_id);`;
}

function groupsSql(ctx: Context): string {
  const { asOfDay, asOfEnd } = ctx;
  const NS = Math.max(1, ctx.stores);
  const NOPS = ctx.ops;
  return `
CREATE OR REPLACE TEMP TABLE qs_g AS
WITH a AS (
  SELECT g, kind_id,
    CASE WHEN is_store THEN (row_number() OVER (PARTITION BY is_store ORDER BY hash(g, 2, ${ctx.seed}), g) - 1) % ${NS} END AS st,
    CASE WHEN NOT is_store THEN floor(qs_u(g, 5) * ${NOPS})::BIGINT END AS ops
  FROM qs_g0
), b AS (
  -- Online groups belong to an operations team member; the team member's region and skill.
  SELECT a.*, s.store_label, s.store_short, s.store_code,
    coalesce(s.region_id, a.ops % 6) AS region_id,
    coalesce(s.execution, r.execution * exp(0.4 * qs_z(a.ops, 6))) AS exec
  FROM a LEFT JOIN qs_store s USING (st) LEFT JOIN qs_region r ON r.region_id = a.ops % 6
), c AS (
  SELECT *,
    CASE WHEN is_store THEN 2 * st ELSE ${2 * NS} + ops END AS owner_k,
    CASE WHEN is_store THEN 2 * st + 1 WHEN ${NOPS} > 1 AND qs_u(g, 7) < 0.3 THEN ${2 * NS} + (ops + 1) % ${NOPS} END AS assistant_k,
    ${asOfDay} - 1 - floor(364 * power(qs_u(g, 8), created_skew))::BIGINT AS created_day,
    run_lo + floor(qs_u(g, 10) * (run_hi - run_lo + 1))::BIGINT AS run,
    -- Stores that execute poorly let more groups die (seed 001).
    qs_u(g, 11) < zombie * CASE WHEN is_store THEN least(2.5, 1 / exec) ELSE 1 END AS zombie_pick,
    qs_u(g, 12) < dissolve AS dissolve_pick,
    15 + floor(30 * qs_exp(g, 13))::BIGINT AS silence_days
  FROM b JOIN qs_kind USING (kind_id)
), d AS (
  SELECT *,
    created_day * ${DAY} + 32400 + floor(qs_u(g, 9) * 43200)::BIGINT AS created_s,
    lifecycle = 0 AND (zombie_pick OR dissolve_pick) AND ${asOfDay} - silence_days >= created_day + 21 AS goes_silent
  FROM c
), e AS (
  SELECT *,
    CASE WHEN lifecycle > 0 THEN least(${asOfEnd}, (created_day + run) * ${DAY} + 75600 + floor(qs_u(g, 14) * 7200)::BIGINT)
         WHEN goes_silent THEN (${asOfDay} - silence_days) * ${DAY} + 72000 + floor(qs_u(g, 14) * 10800)::BIGINT
         ELSE ${asOfEnd} END AS active_end_s
  FROM d
), f AS (
  SELECT *,
    CASE WHEN dissolve_pick AND (lifecycle > 0 OR goes_silent)
      THEN active_end_s + (1 + floor(20 * qs_u(g, 15)))::BIGINT * ${DAY} + floor(qs_u(g, 16) * 3600)::BIGINT END AS dissolved0
  FROM e
), h AS (
  SELECT *,
    CASE WHEN dissolved0 <= ${asOfEnd} THEN dissolved0 END AS dissolved_s,
    CASE WHEN lifecycle > 0 THEN least(active_end_s, created_s + enrol_days * ${DAY}) ELSE active_end_s END AS join_end_s,
    growth_days * exp(0.3 * qs_z(g, 17)) AS growth,
    floor(qs_u(g, 18) * 3)::INTEGER AS label_style,
    -- Integer weights: cumulative sums below are exact, whatever the thread count.
    round(weight * exp(0.35 * qs_z(g, 19)) * CASE WHEN is_store THEN sqrt(exec) ELSE 1 END * 1000000)::BIGINT AS wq,
    floor(qs_u(g, 20) * n_names)::BIGINT AS name_idx,
    qs_u(g, 21) AS label_u
  FROM f
), i AS (
  SELECT *,
    created_s + 600 + floor(qs_u(g, 23) * least(2 * ${DAY}, (join_end_s - created_s) // 2))::BIGINT AS assistant_joined,
    SUM(wq) OVER (ORDER BY g ROWS UNBOUNDED PRECEDING) AS cum_w,
    SUM(wq) OVER () AS total_w,
    row_number() OVER (PARTITION BY kind_id, name_idx, st ORDER BY created_s, g) AS name_n
  FROM h
)
SELECT i.*, l.label AS type_label, r.region AS region_name,
  replace(replace(replace(t.template, '{store}', coalesce(store_short, '')),
    '{n?}', CASE WHEN name_n = 1 THEN '' ELSE name_n::VARCHAR END), '{n}', name_n::VARCHAR) AS name
FROM i
JOIN qs_kind_label l ON l.kind_id = i.kind_id AND i.label_u >= l.lo AND i.label_u < l.hi
JOIN qs_kind_name t ON t.kind_id = i.kind_id AND t.name_idx = i.name_idx
JOIN qs_region r ON r.region_id = i.region_id;`;
}

/**
 * Candidate spells for a membership budget of memberships * factor, split over groups by
 * weight. Within a group, candidate i takes slot i % slots as its (i // slots)-th occupant.
 * Kept: those joining before the group stops taking members.
 */
function candidatesSql(ctx: Context, factor: number): string {
  const T = Math.max(0, Math.round(ctx.memberships * factor));
  const { asOfEnd } = ctx;
  return `
WITH gb AS (
  SELECT g, created_s, join_end_s, dissolved_s, region_id, growth, cap, occupancy, refill_days, stay, tenure, ch_c0, ch_c1, ch_c2,
    ((${T}::HUGEINT * cum_w) // total_w - (${T}::HUGEINT * (cum_w - wq)) // total_w)::BIGINT AS budget
  FROM qs_g
), gk AS (
  SELECT *, greatest(1, least(cap, ceil(budget * occupancy)))::BIGINT AS slots FROM gb WHERE budget > 0
), c1 AS (
  SELECT *, unnest(range(budget)) AS i FROM gk
), c2 AS (
  SELECT *, g * 1048576 + i AS c, i % slots AS s, i // slots AS j FROM c1
), c3 AS (
  SELECT *, qs_u(c, 22) AS ch_u FROM c2
), c4 AS (
  SELECT *, CASE WHEN ch_u < ch_c0 THEN 0 WHEN ch_u < ch_c1 THEN 1 WHEN ch_u < ch_c2 THEN 2 ELSE 3 END AS ch FROM c3
), c5 AS (
  SELECT c4.*,
    -- Tenure: stayers leak out slowly, the others leave soon (exponential, inverse CDF);
    -- at least ten minutes, at most ~4 years.
    least(1500 * ${DAY}, greatest(600, floor(${DAY} * c4.tenure * qs_exp(c, 37)
      * CASE WHEN qs_u(c, 23) < least(0.95, q.stay * c4.stay) THEN ${STAYER_DAYS} ELSE q.leave_days END)))::BIGINT AS ten,
    -- First occupant: slot s fills at the growth curve's quantile (s + u) / slots;
    -- later ones: at least a day after the previous occupant left.
    CASE WHEN j = 0 THEN floor(-${DAY} * growth * ln(1 - 0.97 * (s + qs_u(c, 24)) / slots))::BIGINT
         ELSE ${DAY} + floor(${DAY} * refill_days * qs_exp(c, 25))::BIGINT END AS d
  FROM c4 JOIN qs_channel q ON q.ch_id = c4.ch
), c6 AS (
  SELECT *, created_s + (SUM(d + ten) OVER (PARTITION BY g, s ORDER BY j ROWS UNBOUNDED PRECEDING))::BIGINT - ten AS raw_join FROM c5
), c7 AS (
  -- Nobody joins at night: move night joins into the morning (less than the 1-day gap, so
  -- occupants of a slot never overlap).
  SELECT *, raw_join + CASE WHEN raw_join % ${DAY} < 28800 THEN 28800 - raw_join % ${DAY} + floor(qs_u(c, 26) * 14400)::BIGINT ELSE 0 END AS joined
  FROM c6
)
SELECT * FROM c7
WHERE joined <= join_end_s AND joined <= ${asOfEnd - 60} AND (dissolved_s IS NULL OR joined < dissolved_s - 3600)`;
}

function membershipsSql(ctx: Context, factor: number): string {
  const pool = Math.max(1, Math.round((ctx.memberships * POOL_SHARE) / POOL_MEMBERSHIPS_PER_CUSTOMER / 6));
  return `
CREATE OR REPLACE TEMP TABLE qs_m AS
WITH k AS (${candidatesSql(ctx, factor)}),
i1 AS (
  -- Fresh customers are numbered by candidate (below 2^37); pool customers (several groups) above.
  SELECT *, CASE WHEN qs_u(c, 27) < ${POOL_SHARE} THEN ${POOL_KEY} + region_id * 268435456 + floor(qs_u(c, 28) * ${pool})::BIGINT ELSE c END AS cust0
  FROM k
), i2 AS (
  -- A pool customer drawn twice for one group gets a fresh number instead.
  SELECT *, CASE WHEN row_number() OVER (PARTITION BY g, cust0 ORDER BY i) > 1 THEN c ELSE cust0 END AS cust1 FROM i1
), i3 AS (
  -- Rejoin: the slot's previous occupant comes back (two spells, never overlapping).
  SELECT *, CASE WHEN j > 0 AND qs_u(c, 29) < ${REJOIN_SHARE} THEN lag(cust1) OVER (PARTITION BY g, s ORDER BY j) ELSE cust1 END AS cust
  FROM i2
), i4 AS (
  -- Few leave at night either: night leaves move into the morning (less than the 1-day gap).
  SELECT *, joined + ten AS leave0,
    CASE WHEN (joined + ten) % ${DAY} < 25200 THEN 25200 - (joined + ten) % ${DAY} + floor(qs_u(c, 38) * 10800)::BIGINT ELSE 0 END AS leave_shift
  FROM i3
)
SELECT g, i, c, s, j, ch, cust, joined,
  CASE WHEN dissolved_s IS NOT NULL AND leave0 + leave_shift >= dissolved_s THEN dissolved_s
       WHEN leave0 + leave_shift > ${ctx.asOfEnd} THEN NULL
       ELSE leave0 + leave_shift END AS left_s,
  row_number() OVER (ORDER BY g, i) AS mrow,
  row_number() OVER (PARTITION BY g ORDER BY joined, i) AS rk
FROM i4;`;
}

/**
 * Invite-channel members were invited by a customer in the group at that moment: tried among
 * three random earlier joiners and the previous joiner (chains A → B → C arise); if none was
 * still there, the group owner invited them directly.
 */
function invitersSql(): string {
  const ok = (a: string) => `${a}.joined < q.joined AND coalesce(${a}.left_s, 9223372036854775807) > q.joined AND ${a}.cust <> q.cust`;
  return `
CREATE OR REPLACE TEMP TABLE qs_inv AS
WITH q AS (
  SELECT mrow, g, cust, joined,
    1 + floor(qs_u(mrow, 30) * (rk - 1))::BIGINT AS r1,
    1 + floor(qs_u(mrow, 31) * (rk - 1))::BIGINT AS r2,
    rk - 1 AS r3,
    1 + floor(qs_u(mrow, 32) * (rk - 1))::BIGINT AS r4
  FROM qs_m WHERE ch = 3 AND rk > 1
)
SELECT q.mrow,
  CASE WHEN ${ok('a1')} THEN a1.cust WHEN ${ok('a2')} THEN a2.cust WHEN ${ok('a3')} THEN a3.cust WHEN ${ok('a4')} THEN a4.cust END AS inviter_cust
FROM q
LEFT JOIN qs_m a1 ON a1.g = q.g AND a1.rk = q.r1
LEFT JOIN qs_m a2 ON a2.g = q.g AND a2.rk = q.r2
LEFT JOIN qs_m a3 ON a3.g = q.g AND a3.rk = q.r3
LEFT JOIN qs_m a4 ON a4.g = q.g AND a4.rk = q.r4;`;
}

/** Join scene, state (QR code), channel label and inviter of each customer membership. */
function membersExtendedSql(): string {
  return `
CREATE OR REPLACE TEMP TABLE qs_mx AS
WITH a AS (
  SELECT m.*, g.is_store, g.store_code, g.store_label, g.owner_k, g.assistant_k, g.label_style, qs_u(m.mrow, 34) AS su
  FROM qs_m m JOIN qs_g g USING (g)
), b AS (
  SELECT *,
    CASE ch WHEN 0 THEN CASE WHEN su < 0.5 THEN 1 ELSE 3 END
            WHEN 1 THEN 3
            WHEN 2 THEN CASE WHEN su < 0.6 THEN 2 ELSE 3 END
            ELSE CASE WHEN su < 0.6 THEN 1 ELSE 2 END END AS join_scene,
    qs_u(mrow, 35) AS su2
  FROM a
), c AS (
  SELECT *,
    CASE
      WHEN ch = 0 AND join_scene = 3 THEN CASE WHEN is_store THEN 'dg_' || store_code ELSE 'dg_vip' END
      WHEN ch = 1 THEN CASE WHEN is_store THEN CASE WHEN su2 < 0.55 THEN 'qr_poster_' ELSE 'qr_table_' END || store_code
                            WHEN su2 < 0.5 THEN 'qr_package' ELSE 'qr_poster_online' END
      WHEN ch = 2 THEN CASE WHEN su2 < 0.45 THEN 'mp_menu' ELSE 'mp_article_' || strftime(make_timestamp(joined * 1000000), '%Y%m') END
      WHEN ch = 3 AND join_scene = 2 THEN 'share_link'
    END AS state
  FROM b
)
SELECT c.mrow, c.g, c.cust, c.ch, c.joined, c.left_s, c.join_scene, c.state, c.is_store, c.store_label, c.assistant_k,
  CASE WHEN c.state IS NOT NULL AND qs_u(c.mrow, 36) < ${CHANNEL_EMPTY_SHARE} THEN NULL
       ELSE [q.label0, q.label1, q.label2][c.label_style + 1] END AS channel,
  -- Guide: the store's guide (or the owner online); invite: a customer, else the owner.
  CASE WHEN c.ch = 0 THEN ${STAFF_KEY} + CASE WHEN c.is_store THEN c.assistant_k ELSE c.owner_k END
       WHEN c.ch = 3 THEN coalesce(v.inviter_cust, ${STAFF_KEY} + c.owner_k) END AS inviter_mk
FROM c JOIN qs_channel q ON q.ch_id = c.ch LEFT JOIN qs_inv v ON v.mrow = c.mrow;`;
}

/** The group that hosts the defect rows: alive at as-of, not a capped core group, oldest. */
function defectTargetSql(ctx: Context): string {
  return `
CREATE OR REPLACE TEMP TABLE qs_dt AS
SELECT g, created_s FROM qs_g
ORDER BY (dissolved_s IS NULL AND active_end_s = ${ctx.asOfEnd}) DESC, (type_key <> 'core_user') DESC, created_s, g
LIMIT 1;`;
}

function groupsCsvSql(ctx: Context): string {
  const dup = ctx.defects
    ? `UNION ALL
    SELECT g, 1, qs_gid(g), ${sqlString(DEFECT_VALUES.duplicateGroupName)}, type_label, qs_staff(owner_k), store_label, region_name, qs_ts(created_s), qs_ts(dissolved_s)
    FROM qs_g WHERE g = (SELECT min(g) FROM qs_g)`
    : '';
  // The duplicate sits at the end, as if pasted from an older export.
  return `
SELECT group_id, name, type, owner_id, store, region, created_at, dissolved_at FROM (
  SELECT g, 0 AS dup, qs_gid(g) AS group_id, name, type_label AS type, qs_staff(owner_k) AS owner_id, store_label AS store,
    region_name AS region, qs_ts(created_s) AS created_at, qs_ts(dissolved_s) AS dissolved_at
  FROM qs_g
  ${dup}
) ORDER BY dup, g`;
}

function membersCsvSql(ctx: Context): string {
  const { asOfDay } = ctx;
  const at = (daysBefore: number, hms: string) => sqlString(formatSeconds((asOfDay - daysBefore) * DAY + hmsSeconds(hms)));
  const defectRows = ctx.defects
    ? `UNION ALL
  SELECT dt.g, dt.created_s, 2, d.tie, d.member_id, coalesce(d.gid, qs_gid(dt.g)), d.joined_at, d.left_at, d.channel, NULL, d.join_scene, NULL, 2
  FROM qs_dt dt, (VALUES
    (1, ${sqlString(DEFECT_MEMBER_IDS.badDate)}, NULL, ${sqlString(DEFECT_VALUES.badDate)}, NULL, '海报', 3),
    (2, ${sqlString(DEFECT_MEMBER_IDS.leftBeforeJoined)}, NULL, ${at(10, '10:15:00')}, ${at(12, '18:40:00')}, '公众号', 3),
    (3, ${sqlString(DEFECT_MEMBER_IDS.unknownGroup)}, ${sqlString(DEFECT_VALUES.unknownGroupId)}, ${at(9, '11:02:00')}, NULL, '导购', 1),
    (4, ${sqlString(DEFECT_VALUES.scientificId)}, NULL, ${at(8, '20:31:00')}, NULL, '物料', 3),
    (5, ${sqlString(DEFECT_MEMBER_IDS.unknownChannel)}, NULL, ${at(7, '12:48:00')}, NULL, ${sqlString(DEFECT_VALUES.unknownChannel)}, 3)
  ) d(tie, member_id, gid, joined_at, left_at, channel, join_scene)`
    : '';
  return `
SELECT member_id, group_id, joined_at, left_at, channel, state, join_scene, inviter_id, is_staff FROM (
  SELECT g, created_s AS sk, 0 AS ord, 0 AS tie, qs_staff(owner_k) AS member_id, qs_gid(g) AS group_id,
    qs_ts(created_s) AS joined_at, qs_ts(dissolved_s) AS left_at, NULL AS channel, NULL AS state,
    NULL::INTEGER AS join_scene, NULL AS inviter_id, 1 AS is_staff
  FROM qs_g
  UNION ALL
  SELECT g, assistant_joined, 0, 1, qs_staff(assistant_k), qs_gid(g), qs_ts(assistant_joined), qs_ts(dissolved_s), NULL, NULL,
    1, qs_staff(owner_k), 1
  FROM qs_g WHERE assistant_k IS NOT NULL
  UNION ALL
  SELECT g, joined, 1, mrow, qs_cust(cust), qs_gid(g), qs_ts(joined), qs_ts(left_s), channel, state,
    join_scene, qs_member(inviter_mk), 2
  FROM qs_mx
  ${defectRows}
) ORDER BY g, sk, ord, tie`;
}

/** Local-time epoch seconds as 'YYYY-MM-DD HH:MM:SS' (for the few constant defect rows). */
function formatSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

function hmsSeconds(hms: string): number {
  const [h, m, s] = hms.split(':').map(Number);
  return h * 3600 + m * 60 + s;
}

/** Every state the members used, with what it stands for, plus a couple of retired ones. */
function channelsCsvSql(): string {
  const unused = UNUSED_STATES.map(([state, channel, material, remark]) =>
    `(${sqlString(state)}, ${sqlString(channel)}, NULL, NULL, ${sqlString(material)}, ${sqlString(remark)})`,
  ).join(', ');
  return `
SELECT state, channel, store, staff_id, material, remark FROM (
  SELECT state,
    CASE WHEN state LIKE 'dg\\_%' ESCAPE '\\' THEN CASE WHEN store IS NOT NULL THEN '门店导购' ELSE '导购' END
         WHEN state LIKE 'qr\\_table\\_%' ESCAPE '\\' THEN '物料二维码'
         WHEN state = 'qr_poster_online' THEN '海报'
         WHEN state LIKE 'qr\\_%' ESCAPE '\\' THEN '物料'
         WHEN state = 'mp_menu' THEN '公众号菜单'
         WHEN state LIKE 'mp\\_article\\_%' ESCAPE '\\' THEN '公众号图文'
         ELSE '好友邀请' END AS channel,
    store,
    qs_staff(guide_k) AS staff_id,
    CASE WHEN state LIKE 'dg\\_%' ESCAPE '\\' THEN '导购活码'
         WHEN state LIKE 'qr\\_table\\_%' ESCAPE '\\' THEN '桌牌'
         WHEN state = 'qr_package' THEN '包裹卡'
         WHEN state LIKE 'qr\\_poster\\_%' ESCAPE '\\' THEN '海报'
         WHEN state = 'mp_menu' THEN '公众号菜单'
         WHEN state LIKE 'mp\\_article\\_%' ESCAPE '\\' THEN '图文'
         ELSE '邀请链接' END AS material,
    CASE WHEN state = 'dg_vip' THEN '总部会员顾问'
         WHEN state LIKE 'dg\\_%' ESCAPE '\\' THEN '导购企业微信活码'
         WHEN state LIKE 'qr\\_table\\_%' ESCAPE '\\' THEN '收银台桌牌二维码'
         WHEN state = 'qr_package' THEN '电商包裹卡'
         WHEN state = 'qr_poster_online' THEN '线上活动海报'
         WHEN state LIKE 'qr\\_poster\\_%' ESCAPE '\\' THEN '门店海报二维码'
         WHEN state = 'mp_menu' THEN '服务号菜单「进群领福利」'
         WHEN state LIKE 'mp\\_article\\_%' ESCAPE '\\' THEN substr(state, 12, 4) || '年' || (substr(state, 16, 2)::INTEGER)::VARCHAR || '月推文'
         ELSE '老带新分享链接' END AS remark
  FROM (
    -- Store states carry the store's code (built only for store groups), so one row each.
    SELECT DISTINCT state,
      CASE WHEN is_store AND (state LIKE 'dg\\_%' ESCAPE '\\' OR state LIKE 'qr\\_%' ESCAPE '\\') THEN store_label END AS store,
      CASE WHEN is_store AND state LIKE 'dg\\_%' ESCAPE '\\' THEN assistant_k END AS guide_k
    FROM qs_mx WHERE state IS NOT NULL
  )
  UNION ALL
  SELECT * FROM (VALUES ${unused}) u(state, channel, store, staff_id, material, remark)
) ORDER BY state`;
}

/** Staff posts at the kind's fixed times (announcements, session notices, leaderboards). */
function staffMessagesSql(): string {
  return `
CREATE OR REPLACE TEMP TABLE qs_sm AS
WITH d AS (
  SELECT g, kind_id, created_s, active_end_s, owner_k, assistant_k, assistant_joined, exec, wd_keep, we_keep,
    ${[0, 1, 2, 3, 4, 5, 6].map((i) => `staff${i}`).join(', ')},
    created_s // ${DAY} + unnest(range(active_end_s // ${DAY} - created_s // ${DAY} + 1)) AS day
  FROM qs_g
), p AS (
  SELECT d.*, p.minute, p.p AS post_p, day * 8 + p.slot AS dk, ((day + 4) % 7) IN (0, 6) AS we
  FROM d JOIN qs_post p USING (kind_id)
), t AS (
  SELECT *, day * ${DAY} + minute * 60 - 60 + floor(qs_u3(g, dk, 40) * 300)::BIGINT AS ts, qs_u3(g, dk, 42) AS tu FROM p
  WHERE qs_u3(g, dk, 43) < least(0.98, post_p * least(1.6, exec) * CASE WHEN we THEN we_keep ELSE wd_keep END)
)
SELECT g, ts,
  ${STAFF_KEY} + CASE WHEN assistant_k IS NOT NULL AND ts > assistant_joined AND qs_u3(g, dk, 41) < 0.35 THEN assistant_k ELSE owner_k END AS mk,
  ${msgTypeCase('staff', 'tu')} AS code
FROM t WHERE ts > created_s AND ts < active_end_s;`;
}

function msgTypeCase(prefix: 'chat' | 'staff', u: string): string {
  const whens = [0, 1, 2, 3, 4, 5, 6].map((i) => `WHEN ${u} < ${prefix}${i} THEN ${i}`).join(' ');
  return `CASE ${whens} ELSE ${MSG_TYPES.length - 1} END`;
}

/**
 * Per customer membership: activity A (per day at joining: kind × channel × execution ×
 * lognormal, zero for lurkers), decay tau (days), the window it can post in, and the expected
 * count that survives weekend thinning.
 */
function activitySql(ctx: Context): string {
  return `
CREATE OR REPLACE TEMP TABLE qs_mm AS
WITH a AS (
  SELECT m.mrow, m.g, m.cust, m.joined, least(coalesce(m.left_s, ${ctx.asOfEnd}), g.active_end_s) AS win_end,
    g.rhythm_id, g.wd_keep, g.we_keep, g.keep_avg, ${[0, 1, 2, 3, 4, 5, 6].map((i) => `g.chat${i}`).join(', ')},
    g.talk * q.talk * g.exec * exp(0.9 * qs_z(m.mrow, 50) - 0.405) * CASE WHEN qs_u(m.mrow, 51) < q.lurk THEN 0 ELSE 1 END AS rate,
    g.tau_days * q.talk_decay * exp(0.25 * qs_z(m.mrow, 52)) AS tau
  FROM qs_m m JOIN qs_g g USING (g) JOIN qs_channel q ON q.ch_id = m.ch
), b AS (
  SELECT *, greatest(0, win_end - joined) / ${DAY}.0 AS span_days FROM a
)
SELECT *,
  CASE WHEN win_end - joined >= 120 THEN rate * tau * (1 - exp(-span_days / tau)) ELSE 0 END AS e_gen,
  e_gen * keep_avg AS e_kept
FROM b;`;
}

/**
 * Integer message counts (stochastic rounding), each membership's first message number, and
 * only what the per-message step needs (it is copied once per message by the unnest).
 */
function activityCountsSql(scale: number): string {
  return `
CREATE OR REPLACE TEMP TABLE qs_mc AS
WITH n AS (SELECT *, floor(e_gen * ${scale}::DOUBLE + qs_u(mrow, 53))::BIGINT AS n FROM qs_mm)
SELECT mrow, n, (SUM(n) OVER (ORDER BY mrow ROWS UNBOUNDED PRECEDING))::BIGINT - n AS first_no,
  (cust << 20) | (g << 3) AS pk, joined, win_end, tau, 1 - exp(-span_days / tau) AS tfrac, rhythm_id * 2 AS rk2,
  wd_keep, we_keep, ${[0, 1, 2, 3, 4, 5, 6].map((i) => `chat${i}`).join(', ')}
FROM n;`;
}

/**
 * Messages, sorted by one integer key (seconds since keyBase in the high 32 bits, message
 * number in the low ones) with one integer payload (member key << 20 | group << 3 | msgtype);
 * strings are formatted after the sort, so the sort moves 16 bytes a row instead of ~70.
 * Each message draws three 64-bit hashes, each split into two 32-bit uniforms.
 */
function messagesCsvSql(ctx: Context, customerTotal: number): string {
  const { keyBase } = ctx;
  const L = LUT_BUCKETS;
  const pack = (mk: string, g: string, code: string) => `(${mk} << 20) | (${g} << 3) | ${code}`;
  const defect = ctx.defects
    ? `UNION ALL
    SELECT (${(ctx.asOfDay - 1) * DAY + hmsSeconds('20:12:00') - keyBase}::BIGINT << 32) | 4294967295, ${pack(`${NO_SENDER_KEY}::BIGINT`, 'g', '0')} FROM qs_dt`
    : '';
  return `
WITH x AS (
  SELECT * EXCLUDE (n), unnest(range(n)) AS k FROM qs_mc WHERE n > 0
), d AS (
  -- Day: truncated exponential over the membership's window (activity decays with tenure).
  SELECT *, qs_h(mrow, k, 60) AS h1 FROM x
), e AS (
  SELECT *, (joined + floor(${DAY} * -tau * ln(1 - qs_hi(h1) * tfrac))::BIGINT) // ${DAY} AS day FROM d
), f AS (
  -- Weekend thinning (or weekday thinning, for kinds busier at weekends).
  SELECT *, ((day + 4) % 7) IN (0, 6) AS we, qs_h(mrow, k, 62) AS h2 FROM e
  WHERE qs_lo(h1) < CASE WHEN ((day + 4) % 7) IN (0, 6) THEN we_keep ELSE wd_keep END
), t AS (
  -- Minute of the day from the kind's rhythm.
  SELECT f.*, day * ${DAY} + l.minute * 60 + floor(qs_lo(h2) * 60)::BIGINT AS ts0, qs_h(mrow, k, 64) AS h3
  FROM f JOIN qs_lut l ON l.lut_key = (f.rk2 + f.we::INTEGER) * ${L} + floor(qs_hi(h2) * ${L})::BIGINT
), c AS (
  -- Strictly inside the membership: on the joining day after joining, on the last day before leaving.
  SELECT *, qs_lo(h3) AS cu,
    CASE WHEN ts0 <= joined THEN joined + 1 + floor(qs_hi(h3) * least(1800, win_end - joined - 2))::BIGINT
         WHEN ts0 >= win_end THEN win_end - 1 - floor(qs_hi(h3) * least(600, win_end - joined - 2))::BIGINT
         ELSE ts0 END AS ts
  FROM t
)
SELECT qs_ts((sk >> 32) + ${keyBase}) AS sent_at, qs_gid((pl >> 3) & 131071) AS group_id,
  CASE WHEN pl >> 20 < ${NO_SENDER_KEY} THEN qs_member(pl >> 20) END AS member_id,
  ${sqlList(MSG_TYPES)}[(pl & 7) + 1] AS msgtype
FROM (
  SELECT sk, pl FROM (
    SELECT ((ts - ${keyBase}) << 32) | (first_no + k) AS sk, pk | ${msgTypeCase('chat', 'cu')} AS pl FROM c
    UNION ALL
    SELECT ((ts - ${keyBase}) << 32) | (${customerTotal} + row_number() OVER (ORDER BY ts, g, mk, code)), ${pack('mk', 'g', 'code')} FROM qs_sm
    ${defect}
  ) ORDER BY sk
)`;
}

function sqlList(xs: readonly string[]): string {
  return `[${xs.map(sqlString).join(', ')}]`;
}

/** Order propensity per customer membership (before scaling to the requested total). */
function buyersSql(): string {
  return `
CREATE OR REPLACE TEMP TABLE qs_o1 AS
SELECT m.mrow, m.g, m.cust, m.joined, m.left_s, g.kind_id, g.created_s, g.lifecycle, g.repeat_p, g.refund,
  g.buy * q.buy * sqrt(g.exec) * exp(0.5 * qs_z(m.mrow, 70) - 0.125) AS base,
  1 / (1 - g.repeat_p) AS mean_n,
  g.order_delay * q.buy_delay AS delay
FROM qs_m m JOIN qs_g g ON g.g = m.g JOIN qs_channel q ON q.ch_id = m.ch;`;
}

function ordersCsvSql(ctx: Context, scale: number): string {
  const { asOfDay } = ctx;
  const defect = ctx.defects
    ? `UNION ALL
    SELECT ${(asOfDay - 3) * DAY + hmsSeconds('14:20:00')}, 0, 0,
      ${sqlString('TK' + formatSeconds((asOfDay - 3) * DAY).slice(0, 10).replaceAll('-', '') + '0001')},
      (SELECT qs_cust(cust) FROM qs_m WHERE mrow = 1), NULL, ${DEFECT_VALUES.negativeAmount}::DECIMAL(10, 2), '是', '福利套装'
    WHERE EXISTS (SELECT 1 FROM qs_m)`
    : '';
  return `
WITH priced AS (${ordersSql(ctx, scale)}),
numbered AS (
  SELECT ts, mrow, k,
    'DD' || strftime(make_timestamp(ts * 1000000), '%Y%m%d') || lpad(row_number() OVER (ORDER BY ts, mrow, k)::VARCHAR, 7, '0') AS order_id,
    qs_cust(cust) AS member_id,
    CASE WHEN qs_u3(mrow, k, 82) < ${ORDER_GROUP_SHARE} AND (left_s IS NULL OR ts <= left_s) THEN qs_gid(g) END AS group_id,
    round(price * qty * discount, 2)::DECIMAL(10, 2) AS amount,
    CASE WHEN qs_u3(mrow, k, 83) < refund THEN '是' ELSE '否' END AS refunded,
    product
  FROM priced
)
SELECT order_id, member_id, group_id, qs_ts(ts) AS ordered_at, amount, refunded, product FROM (
  SELECT * FROM numbered
  ${defect}
) ORDER BY ts, mrow, k`;
}

/** Orders before formatting: buyers, order times, products and quantities. */
function ordersSql(ctx: Context, scale: number): string {
  const L = LUT_BUCKETS;
  const rk = RHYTHM_ID.orders * 2;
  return `
WITH b AS (
  SELECT *, least(0.9, ${scale}::DOUBLE * base) AS p FROM qs_o1
), buyers AS (
  -- 1 + geometric(repeat_p) orders per buyer.
  SELECT *, least(8, 1 + floor(ln(1 - qs_u(mrow, 72)) / ln(repeat_p)))::BIGINT AS n FROM b WHERE qs_u(mrow, 71) < p
), x AS (
  SELECT *, unnest(range(n)) AS k FROM buyers
), steps AS (
  SELECT *,
    CASE WHEN k > 0 THEN floor(${DAY} * (3 + 30 * qs_exp3(mrow, k, 74)))::BIGINT
         -- Conversion groups: the push after the trial class, days 3–10 after creation.
         WHEN lifecycle = 1 THEN greatest(joined + 1800, created_s + floor(${DAY} * (2 + exp(ln(4.5) + 0.45 * qs_z(mrow, 75))))::BIGINT)
         ELSE joined + 1800 + floor(${DAY} * delay * qs_exp(mrow, 73))::BIGINT END AS step
  FROM x
), t AS (
  SELECT *, (SUM(step) OVER (PARTITION BY mrow ORDER BY k ROWS UNBOUNDED PRECEDING))::BIGINT // ${DAY} AS day FROM steps
), tod AS (
  SELECT t.*, t.day * ${DAY} + l.minute * 60 + floor(qs_u3(mrow, k, 77) * 60)::BIGINT AS ts0
  FROM t JOIN qs_lut l ON l.lut_key = (${rk} + (((t.day + 4) % 7) IN (0, 6))::INTEGER) * ${L} + floor(qs_u3(mrow, k, 76) * ${L})::BIGINT
), o AS (
  SELECT tod.*,
    CASE WHEN ts0 < joined + 600 THEN joined + 600 + floor(qs_u3(mrow, k, 78) * 3600)::BIGINT ELSE ts0 END AS ts,
    qs_u3(mrow, k, 79) AS pu, qs_u3(mrow, k, 80) AS qu, qs_u3(mrow, k, 81) AS du
  FROM tod
), priced AS (
  SELECT o.*, pr.product, pr.price,
    CASE WHEN pr.price < 200 AND qu < 0.03 THEN 3 WHEN pr.price < 200 AND qu < 0.15 THEN 2 ELSE 1 END AS qty,
    CASE WHEN pr.price >= 99 AND du < 0.15 THEN 0.8 WHEN pr.price >= 99 AND du < 0.3 THEN 0.9 ELSE 1 END AS discount
  FROM o JOIN qs_product pr ON pr.kind_id = o.kind_id AND o.pu >= pr.lo AND o.pu < pr.hi
)
SELECT * FROM priced WHERE ts <= ${ctx.asOfEnd}`;
}

/** Check-in kinds in code order (checkins.csv's kind column). */
const CHECKIN_KINDS = ['签到', '作业', '兑换'] as const;

/**
 * Check-ins of customer memberships in learning groups (qs_checkin): one row per membership and
 * day from the local day of joining to the local day it ends (left, the group's last activity or
 * as-of), kept with the day's chance (a logistic, see CheckinProfile). Those who leave before the
 * group ends check in less the sooner they leave, and less still in their last days. A 签到 is
 * worth 10 points; on the group's homework days some of those who checked in hand in 作业 (5–30
 * points); at every tenth check-in a member sometimes redeems 50 or 100 points (兑换), so the
 * balance of points never goes below zero. Camps deal members into 3–6 teams by joining order
 * (numbered 第1组 … or themed); each team has its own small level.
 * Sorted by one integer key: day, membership (mrow: group, then candidate), kind.
 * Hash streams 90–100 (and 1090, 1091, 1096 through qs_z) are used here only, so the other
 * files do not change.
 */
function checkinsCsvSql(ctx: Context): string {
  const nt = TEAM_NAMES.length;
  return `
WITH a AS (
  SELECT m.mrow, m.g, m.cust, m.rk, m.joined // ${DAY} AS day0,
    least(coalesce(m.left_s, ${ctx.asOfEnd}), g.active_end_s) // ${DAY} AS day1,
    -- Left before the group's last activity: how soon (days), and the local day.
    CASE WHEN m.left_s < g.active_end_s THEN (m.left_s - m.joined) / ${DAY}.0 END AS gone_days,
    CASE WHEN m.left_s < g.active_end_s THEN m.left_s // ${DAY} END AS gone_day,
    k.base + ln(g.exec) + k.group_sd * qs_z(m.g, 90) AS g_level, k.member_sd, k.decay, k.decay_days, k.weekend, k.homework_days, k.homework,
    CASE WHEN k.teams_hi > 0 THEN k.teams_lo + floor(qs_u(m.g, 92) * (k.teams_hi - k.teams_lo + 1))::BIGINT END AS n_teams,
    qs_u(m.g, 93) < 0.5 AS themed, floor(qs_u(m.g, 94) * ${nt})::BIGINT AS theme_off
  FROM qs_m m JOIN qs_g g USING (g) JOIN qs_checkin k ON k.kind_id = g.kind_id
), b AS (
  -- Teams by joining order (operators balance them), fixed for the membership.
  SELECT *, (rk - 1) % n_teams AS team FROM a
), c AS (
  SELECT *,
    g_level + member_sd * qs_z(mrow, 91) + coalesce(0.35 * qs_z(g * 8 + team, 96), 0)
      + CASE WHEN gone_days IS NULL THEN 0 ELSE least(0, -2.4 + 0.65 * ln(1 + gone_days)) END AS diligence,
    CASE WHEN team IS NULL THEN -1 WHEN themed THEN 10 + (theme_off + team) % ${nt} ELSE team END AS tc
  FROM b
), d AS (
  SELECT mrow, g, cust, day0, gone_day, diligence, decay, decay_days, weekend, homework_days, homework, tc,
    unnest(range(day0, day1 + 1)) AS day
  FROM c WHERE day1 >= day0
), e AS (
  SELECT *, 1 / (1 + exp(-(diligence - decay * (1 - exp(-(day - day0) / decay_days))
      - CASE WHEN ((day + 4) % 7) IN (0, 6) THEN weekend ELSE 0 END
      - CASE WHEN gone_day IS NOT NULL THEN 1.2 * exp(-(gone_day - day) / 3.0) ELSE 0 END))) AS p,
    qs_h(mrow, day, 97) AS h1
  FROM d
), f AS (
  -- Checked in; the running count of check-ins (each day once per membership: a total order).
  SELECT mrow, g, cust, day, tc, qs_h(mrow, day, 99) AS h2,
    qs_u3(g, day, 98) < homework_days AND qs_lo(h1) < homework * (0.5 + 0.5 * p) AS hw,
    count(*) OVER (PARTITION BY mrow ORDER BY day ROWS UNBOUNDED PRECEDING) AS n
  FROM e WHERE qs_hi(h1) < p
), r AS (
  SELECT *, n % 10 = 0 AND qs_lo(h2) < 0.3 AS red FROM f
), x AS (
  SELECT *, unnest(CASE WHEN hw AND red THEN [0, 1, 2] WHEN hw THEN [0, 1] WHEN red THEN [0, 2] ELSE [0] END) AS kind FROM r
)
SELECT qs_cust(cust) AS member_id, qs_gid(g) AS group_id, strftime(make_timestamp((sk >> 40) * ${DAY * 1_000_000}::BIGINT), '%Y-%m-%d') AS date,
  ${sqlList(CHECKIN_KINDS)}[kind + 1] AS kind, points,
  CASE WHEN tc < 0 THEN NULL WHEN tc < 10 THEN '第' || (tc + 1)::VARCHAR || '组' ELSE ${sqlList(TEAM_NAMES)}[tc - 9] END AS team
FROM (
  SELECT (day << 40) | (mrow << 2) | kind AS sk, cust, g, tc, kind,
    CASE kind WHEN 0 THEN 10
      WHEN 1 THEN CASE WHEN qs_hi(h2) < 0.6 THEN 20 WHEN qs_hi(h2) < 0.8 THEN 10 WHEN qs_hi(h2) < 0.92 THEN 30 ELSE 5 END
      ELSE CASE WHEN n >= 20 AND qs_u3(mrow, day, 100) < 0.5 THEN -100 ELSE -50 END END AS points
  FROM x
  ORDER BY sk
)`;
}
