/**
 * messages.csv without storing messages: one scan parses and checks every row and aggregates
 * the good ones, with GROUPING SETS, to what every metric needs:
 *
 *   daily  (group_id, member_id, staff, date) → messages
 *   hourly (group_id, staff, weekday, hour) → messages   (staff: the sender is in staff_ids)
 *   total  ()                               → rows, bad rows
 *
 * into `agg_messages`. A file with any bad row (or a group not in groups.csv, found by the
 * validate step) is read again as rows (`p_messages`) so every bad row gets its line number;
 * the rows a cross check rejected are then taken out of the aggregates (or, when the second
 * read decoded the file differently, the aggregates are rebuilt from the accepted rows), so
 * both paths give the same table.
 *
 * GROUPING SETS do not always spill: at 40 M messages under the 1 GB limit the one pass ran out
 * of memory in some runs and not in others. Then the sets are made in parts, each a plain
 * GROUP BY that spills (the daily set, then the hourly set from a second scan, then the total):
 * the same table, one scan slower. A file over twice the limit starts with the parts.
 *
 * One GROUP BY of a very large file's member-days fails too: at 200 M messages (119 M
 * member-days, 12.1 GiB) DuckDB ran out of memory under 1 GB and under 2 GB alike, while a
 * quarter of the groups (30 M member-days) took 55 s under 1 GB. So the daily set of a file
 * over 3 times the limit is made in slices of the groups (hash of group_id). Then the file is
 * not scanned once per slice: one scan writes its parsed rows to Parquet in the work folder,
 * one folder per slice (COPY … PARTITION_BY), and each slice and the hourly set read their
 * part of that. At 200 M messages (5 slices) the scan and the write took 71 s, a slice 13–17 s
 * from Parquet against about 50 s from the CSV, the hourly set 29 s; at 40 M messages in 2
 * slices (under 600 MB) the read step took 31.6–37.5 s against 37.5–38.4 s. Unsliced, the
 * write would cost about the one scan it saves.
 *
 * Even a slice's plain GROUP BY, which spills, can run out of memory: at 200 M messages under
 * 1 GB one of the five slices did in 3 of 6 runs. A part of the daily set that does is made
 * again in two halves of its groups (the next bit of the group's hash), each halved again as
 * needed (DAILY_HALVINGS), and the build says so.
 */
import { sqlString, type Db } from '../db/db.ts';
import { OutOfMemoryError } from '../db/db.ts';
import type { Logger } from '../core/effects.ts';
import { isNotPlain, type ParsePlan } from './row-checks.ts';
import { readRejects } from './rejects.ts';
import type { LoadedTable } from './loaded-table.ts';
import { reconcile, recordsOf, scanSql, withScan, type SourceFile } from './source-files.ts';

/** grouping() values of the three sets (bits: group_id, member_id, date, staff, weekday, hour) */
export const DAILY_SET = 0b000011;
export const HOURLY_SET = 0b011000;
export const TOTAL_SET = 0b111111;

/** accepted and bad rows of a group, the two counts every set keeps */
const COUNTS = (bad: string) => `(count(*) - count(*) FILTER (WHERE ${bad}))::BIGINT AS messages, (count(*) FILTER (WHERE ${bad}))::BIGINT AS bad`;

// staff_ids (read.ts) is known before messages are read: the hourly rhythm has no member column
// left to filter staff out afterwards. Staff is a function of the member, so it costs the daily
// set no rows, and spares later steps an anti-join over millions of rows.
const AGGREGATE = (from: string, bad: string) => `
  SELECT group_id, member_id, CAST(sent_at AS DATE) AS date,
    member_id IN (SELECT member_id FROM staff_ids) AS staff,
    isodow(sent_at)::INTEGER AS weekday, hour(sent_at)::INTEGER AS hour,
    grouping(group_id, member_id, date, staff, weekday, hour)::INTEGER AS grouping_set,
    ${COUNTS(bad)}
  FROM ${from}
  GROUP BY GROUPING SETS ((group_id, member_id, date, staff), (group_id, staff, weekday, hour), ())`;

// The same sets as AGGREGATE, one statement each (staff looked up after the daily GROUP BY:
// per member-day rather than per message).
const DAILY_PART = (from: string, bad: string) => `
  SELECT group_id, member_id, date, member_id IN (SELECT member_id FROM staff_ids) AS staff,
    NULL::INTEGER AS weekday, NULL::INTEGER AS hour, ${DAILY_SET} AS grouping_set, messages, bad
  FROM (
    SELECT group_id, member_id, CAST(sent_at AS DATE) AS date, ${COUNTS(bad)}
    FROM ${from} GROUP BY ALL)`;
const HOURLY_PART = (from: string, bad: string) => `
  SELECT group_id, NULL::VARCHAR AS member_id, NULL::DATE AS date,
    member_id IN (SELECT member_id FROM staff_ids) AS staff,
    isodow(sent_at)::INTEGER AS weekday, hour(sent_at)::INTEGER AS hour, ${HOURLY_SET} AS grouping_set,
    ${COUNTS(bad)}
  FROM ${from} GROUP BY group_id, staff, weekday, hour`;
const TOTAL_PART = `
  SELECT NULL, NULL, NULL, NULL, NULL, NULL, ${TOTAL_SET}, coalesce(sum(messages), 0)::BIGINT, coalesce(sum(bad), 0)::BIGINT
  FROM agg_messages WHERE grouping_set = ${DAILY_SET}`;

/**
 * One pass unless messages.csv is over twice DuckDB's memory limit: at 1.3 GB under a 1 GB
 * limit the one pass held in every run. At 2.4 GiB it ran out of memory in some runs: there it
 * took 36 s when it held and 65 s when it failed first, where the parts took 42 s.
 */
export function messagesStrategy(fileBytes: number, limitBytes: number | null): 'one pass' | 'in parts' {
  return limitBytes !== null && fileBytes > 2 * limitBytes ? 'in parts' : 'one pass';
}

/**
 * How many slices of the groups the daily set is made in: one per 3 × the memory limit of
 * file (1 up to 3 GB under 1 GB: the 2.4 GiB file of 40 M messages held in one; 5 for the
 * 12.1 GiB of 200 M messages, about 24 M member-days each).
 */
export function dailySlices(fileBytes: number, limitBytes: number | null): number {
  return limitBytes === null ? 1 : Math.max(1, Math.ceil(fileBytes / (3 * limitBytes)));
}

/** From this many slices on, the rows are read once into parts (see above): unsliced, the write costs what the scan it saves does. */
export const PARTS_FROM_SLICES = 2;

/** Where a sliced aggregation may write the file's rows, and how that folder is removed. */
export interface PartsFolder {
  dir: string;
  rm: (dir: string) => Promise<void>;
}

/**
 * agg_messages from `from` (a parenthesised SELECT, read once per statement); in parts, the
 * daily set in `slices` slices of the groups (a row with no group is in the first): each its own
 * scan of `from`, or, from PARTS_FROM_SLICES on and with a `parts` folder, one scan into Parquet
 * parts that the slices and the hourly set read.
 */
export async function aggregate(db: Db, from: string, bad: string, log: Pick<Logger, 'info'>, strategy: 'one pass' | 'in parts' = 'one pass', slices = 1, parts?: PartsFolder): Promise<void> {
  if (strategy === 'one pass') {
    try {
      await db.exec(`CREATE OR REPLACE TABLE agg_messages AS ${AGGREGATE(from, bad)}`);
      return;
    } catch (error) {
      if (!(error instanceof OutOfMemoryError)) throw error;
      log.info(`  messages: the one-pass aggregation ran out of memory; aggregating in parts (one more scan)`);
    }
  }
  if (slices >= PARTS_FROM_SLICES && parts) {
    try {
      const rows = await writeParts(db, from, bad, log, slices, parts.dir);
      await setsInParts(db, log, slices, (i) => `(SELECT * FROM ${rows} WHERE __slice = ${i})`, `(SELECT * FROM ${rows})`, '__bad');
    } finally {
      await parts.rm(parts.dir);
    }
    return;
  }
  // (the hourly set scans the whole file last: its rejects are the file's, as each scan rewrites them)
  await setsInParts(db, log, slices, (i) => `(SELECT * FROM ${from} WHERE ${sliceOf(slices)} = ${i})`, from, bad);
}

/**
 * A row's part of the groups, 0 to parts - 1, by the group's hash over `divisor` (a row with
 * no group is in the first): the slices (divisor 1), and the halves of a slice of `divisor`.
 */
const groupPart = (parts: number, divisor = 1) => `coalesce((hash(group_id) // ${divisor}) % ${parts}, 0)`;
const sliceOf = (slices: number) => groupPart(slices);

/** The sets in parts: the daily set from `whole`, or slice by slice from `slice(i)`; then the hourly set from `whole`, then the total. */
async function setsInParts(db: Db, log: Pick<Logger, 'info'>, slices: number, slice: (i: number) => string, whole: string, bad: string): Promise<void> {
  // (made empty first: every part is then an INSERT, which a part that runs out of memory leaves undone)
  await db.exec(`CREATE OR REPLACE TABLE agg_messages (group_id VARCHAR, member_id VARCHAR, date DATE, staff BOOLEAN,
    weekday INTEGER, hour INTEGER, grouping_set INTEGER, messages BIGINT, bad BIGINT)`);
  if (slices <= 1) await insertDaily(db, log, whole, bad, 'all', 1);
  for (let i = 0; i < slices && slices > 1; i++) {
    await insertDaily(db, log, slice(i), bad, `slice ${i + 1} of ${slices}`, slices);
    log.info(`  messages: daily set, slice ${i + 1} of ${slices} of the groups`);
  }
  await db.exec(`INSERT INTO agg_messages ${HOURLY_PART(whole, bad)}`);
  await db.exec(`INSERT INTO agg_messages ${TOTAL_PART}`);
}

/**
 * How many times a part of the daily set that runs out of memory is made again in two halves
 * of its groups, before the build stops. At 200 M messages under 1 GB a slice of about 24 M
 * member-days, a plain GROUP BY that spills, still ran out of memory in 3 of 6 runs
 * (2026-12-07), each time after 7–8 s.
 */
export const DAILY_HALVINGS = 3;

/**
 * The daily set of `from` (the rows of one slice of the groups, of `divisor` slices) into
 * agg_messages; if DuckDB runs out of memory, the same in two halves of those groups (the next
 * bit of the group's hash), each halved again as needed, up to DAILY_HALVINGS times.
 */
async function insertDaily(db: Db, log: Pick<Logger, 'info'>, from: string, bad: string, what: string, divisor: number, halvings = 0): Promise<void> {
  try {
    await db.exec(`INSERT INTO agg_messages ${DAILY_PART(from, bad)}`);
  } catch (error) {
    if (!(error instanceof OutOfMemoryError) || halvings >= DAILY_HALVINGS) throw error;
    log.info(`  messages: ${what} of the daily set ran out of memory; making it again in two halves of its groups`);
    for (const half of [0, 1]) {
      const rows = `(SELECT * FROM ${from} WHERE ${groupPart(2, divisor)} = ${half})`;
      await insertDaily(db, log, rows, bad, `${what}, half ${half + 1}`, divisor * 2, halvings + 1);
    }
  }
}

/**
 * One scan of `from` into Parquet under `dir`: its rows (what the sets read, and whether each
 * is bad), a folder per slice of the groups. Returns what reads them back (DuckDB reads only
 * the files of the slice a query asks for). The one scan leaves the file's rejects.
 */
async function writeParts(db: Db, from: string, bad: string, log: Pick<Logger, 'info'>, slices: number, dir: string): Promise<string> {
  await db.exec(`
    COPY (SELECT sent_at, group_id, member_id, (${bad}) AS __bad, ${sliceOf(slices)} AS __slice FROM ${from})
    TO ${sqlString(dir)} (FORMAT parquet, PARTITION_BY (__slice), OVERWRITE)`);
  log.info(`  messages: read once into ${slices} parts of the groups (Parquet in the work folder)`);
  const files = `${dir}/**/*.parquet`;
  // a file with no row at all wrote no part (and read_parquet refuses a pattern that matches nothing)
  const [{ n }] = await db.rows<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM glob(${sqlString(files)})`);
  return n
    ? `read_parquet(${sqlString(files)}, hive_partitioning = true)`
    : `(SELECT NULL::TIMESTAMP AS sent_at, NULL::VARCHAR AS group_id, NULL::VARCHAR AS member_id, false AS __bad, 0::BIGINT AS __slice WHERE false)`;
}

/**
 * agg_messages from a messages file: first as plain rows (ISO times, IDs with nothing to trim
 * or check), which is what nearly every export holds, without the general parsers' levels of
 * expressions (at the benchmark's 20 M messages the parse took 3.3 s so, 4.4 s with them);
 * at the first row that is not plain, that pass stops and the file is read again with them.
 * Both give the same table for a plain file (row-checks.ts plainForm).
 */
export async function aggregateMessages(db: Db, source: SourceFile, plan: ParsePlan, log: Pick<Logger, 'info'>, strategy?: 'one pass' | 'in parts', slices = 1, parts?: PartsFolder): Promise<LoadedTable> {
  const rejectsTable = `rejects_${source.table}_${source.index}`;
  const options = { keepRaw: false, columns: ['sent_at', 'group_id', 'member_id'] };
  // (the SQL is made inside each run: withScan may switch the source to a serial read)
  const plain = () => plan.plainSelect(scanSql(source, rejectsTable), source, options);
  let done = false;
  if (plain()) {
    await withScan(db, source, async () => {
      try {
        await aggregate(db, `(${plain()})`, '__mask <> 0', log, strategy, slices, parts);
        done = true;
      } catch (error) {
        if (!isNotPlain(error)) throw error;
        log.info(`  messages: ${source.file} has rows that are not plain (times other than YYYY-MM-DD HH:MM:SS, IDs to trim or check); reading it again with the general parsers`);
      }
    });
  }
  if (!done) await withScan(db, source, () => aggregate(db, `(${plan.select(scanSql(source, rejectsTable), source, options)})`, '__mask <> 0', log, strategy, slices, parts));
  source.rejects = await readRejects(db, rejectsTable);
  const [{ rows }] = await db.rows<{ rows: number }>(`SELECT (messages + bad)::BIGINT AS rows FROM agg_messages WHERE grouping_set = ${TOTAL_SET}`);
  reconcile(source, rows + source.rejects.length);
  source.stored = rows;
  return { table: source.table, sources: [source], plan, rowTable: null, rows: recordsOf([source]) };
}

/** True when the fast pass saw no bad row and DuckDB read every record. */
export async function messagesClean(db: Db, loaded: LoadedTable): Promise<boolean> {
  if (loaded.sources.some((s) => s.rejects.length)) return false;
  const [{ bad }] = await db.rows<{ bad: number }>(`SELECT bad FROM agg_messages WHERE grouping_set = ${TOTAL_SET}`);
  return bad === 0;
}

/** The same aggregates from stored, validated rows (the exact path). */
export async function aggregateFromRows(db: Db, validRows: string, log: Pick<Logger, 'info'>): Promise<void> {
  await aggregate(db, validRows, 'false', log);
}

const SET_KEYS = ['grouping_set', 'group_id', 'member_id', 'date', 'staff', 'weekday', 'hour'];

/**
 * The fast pass's agg_messages made equal to aggregateFromRows' table, without aggregating the
 * file again: the fast pass left out the rows that failed their own checks, so what is left to
 * take out are the rows that passed those but were rejected by a cross check (a group not in
 * groups.csv), usually a handful. `crossRejected` selects them (group_id, member_id, sent_at).
 * Keys left with no accepted message go, and no row counts as bad. Re-aggregating the 20 M
 * messages of the benchmark from stored rows took 12.5 s, with the fast pass's table held.
 */
export async function subtractRejected(db: Db, crossRejected: string): Promise<void> {
  await db.exec(`CREATE OR REPLACE TEMP TABLE agg_rejected AS ${AGGREGATE(crossRejected, 'false')}`);
  const [{ rejected }] = await db.rows<{ rejected: number }>(`SELECT coalesce(sum(messages), 0)::BIGINT AS rejected FROM agg_rejected WHERE grouping_set = ${TOTAL_SET}`);
  if (rejected > 0) {
    // the sets' keys: group_id is never NULL in a rejected row (it passed its own checks), and
    // an equality on it lets DuckDB hash-join; the total's keys are all NULL
    await db.exec(`
      UPDATE agg_messages a SET messages = a.messages - r.messages
      FROM agg_rejected r
      WHERE a.group_id = r.group_id AND ${SET_KEYS.filter((k) => k !== 'group_id').map((k) => `a.${k} IS NOT DISTINCT FROM r.${k}`).join(' AND ')}`);
    await db.exec(`UPDATE agg_messages SET messages = messages - ${rejected} WHERE grouping_set = ${TOTAL_SET}`);
  }
  await db.exec(`DELETE FROM agg_messages WHERE messages = 0 AND grouping_set <> ${TOTAL_SET}`);
  await db.exec(`UPDATE agg_messages SET bad = 0 WHERE bad <> 0`);
  await db.exec(`DROP TABLE agg_rejected`);
}
