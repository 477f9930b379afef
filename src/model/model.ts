/**
 * Step 3, model: validated rows → the analysis model, all as of the report date T.
 *
 *  m_groups       groups created on or before T, with type keys
 *  m_memberships  customer memberships (staff excluded) joined on or before T, with channel,
 *                 tenure and a salted hash of the member ID
 *  m_activity     non-staff messages per local date, group and member (from messages or
 *                 activity, which therefore give identical metrics); a view, dropped with the
 *                 member-days once the model has what later steps need from it:
 *  f_activity     per membership: active in the first week, weeks with a message
 *  m_group_daily  per group and day: messages, active members
 *  m_group_weekly per group and calendar week: active members, messages
 *  m_active_7d    per group: distinct active members in the 7 days to T
 *  m_hourly       messages per group, ISO weekday and hour (messages.csv only)
 *  m_orders       orders on or before T
 *
 * Labels (Chinese or English, any alias in config) map to keys here; unknown channel labels
 * become `other` and are reported; unknown type labels are types of their own.
 */
import { CHANNEL_KEYS, labelKey, type QunlensConfig } from '../core/config.ts';
import { sqlString, type Db } from '../db/db.ts';
import { DAILY_SET, HOURLY_SET } from '../read/events.ts';
import { fileOfSrcSql } from '../read/source-files.ts';
import type { ValidationResult } from '../validate/validate.ts';

export interface LabelMapping {
  kind: 'channel' | 'type';
  file: string;
  label: string;
  key: string;
  known: boolean;
  rows: number;
}

export interface Model {
  asOf: string;
  asOfSource: 'option' | 'data';
  hasActivity: boolean;
  activitySource: 'messages' | 'activity' | null;
  hasHourly: boolean;
  hasOrders: boolean;
  hasCheckins: boolean;
  labels: LabelMapping[];
  counts: { groups: number; memberships: number; staffMemberships: number; activityRows: number; orders: number; unattributed: number };
}

export class ModelError extends Error {}

export function channelKeyOf(label: string, config: QunlensConfig): { key: string; known: boolean } {
  const k = labelKey(label);
  for (const key of CHANNEL_KEYS) {
    const names = [key, config.channels[key].zh, config.channels[key].en].map(labelKey);
    if (names.includes(k)) return { key, known: true };
  }
  for (const [alias, key] of Object.entries(config.channelLabels)) if (labelKey(alias) === k) return { key, known: true };
  return { key: 'other', known: false };
}

export function typeKeyOf(label: string, config: QunlensConfig): { key: string; known: boolean } {
  const k = labelKey(label);
  for (const [key, info] of Object.entries(config.types)) {
    if ([key, info.zh, info.en].map(labelKey).includes(k)) return { key, known: true };
  }
  for (const [alias, key] of Object.entries(config.typeLabels)) if (labelKey(alias) === k) return { key, known: true };
  // Any other value is a type of its own, named as given.
  return { key: label.trim(), known: false };
}

/** The files of each table, by their index (__src), as the validate step read them. */
type FileNames = Map<string, string[]>;

async function mapLabels(db: Db, config: QunlensConfig, present: Set<string>, files: FileNames): Promise<LabelMapping[]> {
  const label = (kind: 'channel' | 'type', table: string, column: string) => ({
    kind,
    // one line per label, naming every file it is in (monthly exports repeat the same labels)
    sql: `SELECT array_to_string(list_sort(list(DISTINCT ${fileOfSrcSql(files.get(table) ?? [])})), ', ') AS file, ${column} AS label, count(*)::BIGINT AS n
      FROM v_${table} WHERE ${column} IS NOT NULL GROUP BY ${column}`,
  });
  const sources = [label('type', 'groups', 'type'), label('channel', 'members', 'channel')];
  if (present.has('channels')) sources.push(label('channel', 'channels', 'channel'));
  const labels: LabelMapping[] = [];
  for (const source of sources) {
    for (const { file, label, n } of await db.rows<{ file: string; label: string; n: number }>(`${source.sql} ORDER BY n DESC, label, file`)) {
      const { key, known } = source.kind === 'type' ? typeKeyOf(label, config) : channelKeyOf(label, config);
      labels.push({ kind: source.kind, file, label, key, known, rows: n });
    }
  }
  // public_key: the key as published (qz_public_key: an unknown type's key is its label)
  await db.exec(`CREATE OR REPLACE TABLE label_map (kind VARCHAR, label VARCHAR, key VARCHAR, known BOOLEAN, public_key VARCHAR)`);
  const unique = new Map(labels.map((l) => [`${l.kind}\u0000${l.label}`, l]));
  if (unique.size) {
    // (the macro over the column, once: inlined into every row of a VALUES list, its regular
    // expressions are compiled per row, 0.2 s for 36 labels)
    const values = [...unique.values()].map((l) => `(${sqlString(l.kind)}, ${sqlString(l.label)}, ${sqlString(l.key)}, ${l.known})`);
    await db.exec(`INSERT INTO label_map SELECT kind, label, key, known, qz_public_key(key) FROM (VALUES ${values.join(', ')}) v(kind, label, key, known)`);
  }
  return labels;
}

/** Latest local date of any timestamp in any valid input row (METRICS.md "as_of"). */
async function inferAsOf(db: Db, present: Set<string>): Promise<string | null> {
  const parts = [
    `SELECT max(created_at)::DATE AS d FROM v_groups`,
    `SELECT max(dissolved_at)::DATE FROM v_groups`,
    `SELECT max(joined_at)::DATE FROM v_members`,
    `SELECT max(left_at)::DATE FROM v_members`,
  ];
  if (present.has('messages')) parts.push(`SELECT max(date) FROM agg_messages WHERE grouping_set = ${DAILY_SET} AND messages > 0`);
  if (present.has('activity')) parts.push(`SELECT max(date) FROM v_activity`);
  if (present.has('orders')) parts.push(`SELECT max(ordered_at)::DATE FROM v_orders`);
  if (present.has('checkins')) parts.push(`SELECT max(date) FROM v_checkins`);
  const [{ d }] = await db.rows<{ d: string | null }>(`SELECT CAST(max(d) AS VARCHAR) AS d FROM (${parts.join(' UNION ALL ')})`);
  return d;
}

export interface ModelOptions {
  config: QunlensConfig;
  /** Salt for member-ID hashes. */
  salt: string;
}

export async function buildModel(db: Db, validation: ValidationResult, options: ModelOptions): Promise<Model> {
  const { config, salt } = options;
  const present = validation.present as Set<string>;
  // An ID published as-is unless it carries personal data (a phone number, a unionid…) or
  // anything else qz_public would change; then a salted hash, so it stays unique and joinable
  // across the output files.
  // Hashes are written with letters only (hex 0-f → a-p): a published key can never look like
  // a phone number or any other digit sequence.
  await db.exec(`CREATE OR REPLACE MACRO qz_hash(id, len) AS
    translate(left(sha256(${sqlString(salt)} || ':' || id), len), '0123456789abcdef', 'abcdefghijklmnop')`);
  await db.exec(`CREATE OR REPLACE MACRO qz_public_id(id) AS
    CASE WHEN id IS NULL THEN NULL WHEN qz_public(id) = id THEN id ELSE 'h_' || qz_hash(id, 12) END`);
  // A label that is also a key (an unknown group type, a store, a region, a team, a check-in
  // kind, a staff inviter): published as qz_public shows it, plus a salted hash of the raw text
  // when qz_public changed it. Masking alone could make two labels one (two phone numbers with
  // the same first three and last four digits, '=1' and "'=1"); the hash keeps them apart, and
  // the same label gives the same key in every output and in the browser's database.
  await db.exec(`CREATE OR REPLACE MACRO qz_public_key(s) AS
    CASE WHEN s IS NULL THEN NULL WHEN qz_public(s) = s THEN s ELSE qz_public(s) || ' [h_' || qz_hash(s, 8) || ']' END`);
  const files: FileNames = new Map();
  for (const f of validation.files) files.set(f.table, [...(files.get(f.table) ?? []), f.file]);
  const labels = await mapLabels(db, config, present, files);

  const inferred = await inferAsOf(db, present);
  const asOf = config.asOf ?? inferred;
  if (!asOf) throw new ModelError('no valid dated row in any input: nothing to report (see the data-quality list)');
  const T = `DATE ${sqlString(asOf)}`;
  await db.exec(`CREATE OR REPLACE MACRO qz_asof() AS ${T}`);
  // Groups created after T do not exist yet at T. Every text published per group passes
  // through qz_public here, once per group: names and owners as text, the type, store and
  // region (keys of summaries and filters) as keys.
  await db.exec(`
    CREATE OR REPLACE TABLE m_groups AS
    SELECT g.group_id, qz_public_id(g.group_id) AS public_id, qz_public(g.name) AS name,
      coalesce(lm.public_key, qz_public_key(g.type)) AS group_type, qz_public(g.type) AS type_label,
      qz_public(g.owner_id) AS owner, qz_public_key(g.store) AS store, qz_public_key(g.region) AS region,
      g.created_at, CAST(g.created_at AS DATE) AS created_date,
      g.dissolved_at, CAST(g.dissolved_at AS DATE) AS dissolved_date
    FROM v_groups g LEFT JOIN label_map lm ON lm.kind = 'type' AND lm.label = g.type
    WHERE CAST(g.created_at AS DATE) <= ${T}`);

  await db.exec(`CREATE OR REPLACE TABLE m_staff AS SELECT member_id FROM staff_ids`);

  // (an equality-only ON clause: a hash join; "state only when channel is empty" is in the SELECT)
  const stateJoin = present.has('channels')
    ? `LEFT JOIN (SELECT c.state, lm.key FROM v_channels c JOIN label_map lm ON lm.kind = 'channel' AND lm.label = c.channel) st
         ON st.state = m.state`
    : `LEFT JOIN (SELECT NULL::VARCHAR AS state, NULL::VARCHAR AS key) st ON false`;
  // Attribution order (DATA.md): channel column; else state via channels.csv; else other.
  await db.exec(`
    CREATE OR REPLACE TABLE m_memberships AS
    SELECT m.__row + 1 AS membership_id, m.__src AS src, m.member_id,
      qz_hash(m.member_id, 16) AS member_key,
      m.group_id, g.group_type, g.region, g.store,
      m.joined_at, CAST(m.joined_at AS DATE) AS joined_date,
      CAST(m.left_at AS DATE) AS left_date,
      coalesce(cl.key, CASE WHEN m.channel IS NULL THEN st.key END, 'other') AS channel,
      CASE WHEN cl.key IS NOT NULL THEN 'channel' WHEN m.channel IS NULL AND st.key IS NOT NULL THEN 'state' ELSE 'unattributed' END AS channel_source,
      m.inviter_id, m.join_scene,
      -- tenure (METRICS.md): to the leave date if the member left on or before T (event), else to T
      (CAST(m.left_at AS DATE) IS NOT NULL AND CAST(m.left_at AS DATE) <= ${T}) AS left_by_asof,
      CASE WHEN CAST(m.left_at AS DATE) <= ${T} THEN CAST(m.left_at AS DATE) ELSE ${T} END - CAST(m.joined_at AS DATE) AS tenure_days
    FROM v_members m
    JOIN m_groups g ON g.group_id = m.group_id
    LEFT JOIN label_map cl ON cl.kind = 'channel' AND cl.label = m.channel
    ${stateJoin}
    WHERE CAST(m.joined_at AS DATE) <= ${T}
      AND NOT coalesce(m.is_staff, false)
      AND m.member_id NOT IN (SELECT member_id FROM m_staff)`);

  // m_activity is a view: from messages.csv it is the daily set of agg_messages read in place.
  // Copying those 11 M member-days into a table of their own took 2.5 s at the benchmark's
  // scale, and each of its four readers scans it once anyway. The other sources keep their
  // rows in m_activity_rows.
  let activitySource: Model['activitySource'] = null;
  if (present.has('messages')) {
    activitySource = 'messages';
    // agg_messages (events.ts) holds the accepted messages per day and per hour
    await db.exec(`
      CREATE OR REPLACE VIEW m_activity AS
      SELECT group_id, member_id, date, messages
      FROM agg_messages
      WHERE grouping_set = ${DAILY_SET} AND messages > 0 AND date <= ${T} AND NOT staff`);
    // the rhythm of non-staff messages (the hourly set is split by staff, events.ts)
    await db.exec(`
      CREATE OR REPLACE TABLE m_hourly AS
      SELECT group_id, weekday, hour, messages
      FROM agg_messages
      WHERE grouping_set = ${HOURLY_SET} AND messages > 0 AND NOT staff`);
  } else {
    if (present.has('activity')) {
      activitySource = 'activity';
      await db.exec(`
        CREATE OR REPLACE TABLE m_activity_rows AS
        SELECT group_id, member_id, date, sum(messages)::BIGINT AS messages
        FROM v_activity
        WHERE date <= ${T} AND member_id NOT IN (SELECT member_id FROM m_staff)
        GROUP BY ALL HAVING sum(messages) > 0`);
    } else {
      await db.exec(`CREATE OR REPLACE TABLE m_activity_rows (group_id VARCHAR, member_id VARCHAR, date DATE, messages BIGINT)`);
    }
    await db.exec(`CREATE OR REPLACE VIEW m_activity AS SELECT group_id, member_id, date, messages FROM m_activity_rows`);
  }
  if (activitySource !== 'messages') {
    await db.exec(`CREATE OR REPLACE TABLE m_hourly (group_id VARCHAR, weekday INTEGER, hour INTEGER, messages BIGINT)`);
  }

  if (present.has('orders')) {
    await db.exec(`
      CREATE OR REPLACE TABLE m_orders AS
      SELECT order_id, member_id, group_id, CAST(ordered_at AS DATE) AS ordered_date, amount, coalesce(refunded, false) AS refunded
      FROM v_orders WHERE CAST(ordered_at AS DATE) <= ${T}`);
  } else {
    await db.exec(`CREATE OR REPLACE TABLE m_orders (order_id VARCHAR, member_id VARCHAR, group_id VARCHAR, ordered_date DATE, amount DECIMAL(18,4), refunded BOOLEAN)`);
  }

  // Per membership: active in its first 7 days, and a bit per week with a message. Messages
  // count for a membership only while it lasts (join day to leave day, or T): a member who left
  // cannot be active in later weeks; a later spell is its own row. The LEFT join also finds
  // the messages of senders with no membership in that group, for the warning below.
  await db.exec(`
    CREATE OR REPLACE TABLE f_activity AS
    SELECT membership_id,
      bool_or(day < 7) AS active_first_week,
      bit_or(CASE WHEN day < ${7 * config.maxWeeks} THEN (1 << (day // 7))::INTEGER ELSE 0 END) AS weeks,
      sum(messages)::BIGINT AS messages, any_value(group_id) AS example_group
    FROM (
      SELECT m.membership_id, a.group_id, a.messages, (a.date - m.joined_date)::INTEGER AS day,
        a.date >= m.joined_date AND a.date <= CASE WHEN m.left_by_asof THEN m.left_date ELSE ${T} END AS in_spell
      FROM m_activity a LEFT JOIN m_memberships m ON a.group_id = m.group_id AND a.member_id = m.member_id)
    WHERE membership_id IS NULL OR in_spell
    GROUP BY ALL`);

  await addModelWarnings(db, present, labels, files);

  const [counts] = await db.rows<Model['counts']>(`SELECT
    (SELECT count(*) FROM m_groups)::BIGINT AS groups,
    (SELECT count(*) FROM m_memberships)::BIGINT AS memberships,
    (SELECT count(*) FROM v_members WHERE member_id IN (SELECT member_id FROM m_staff))::BIGINT AS "staffMemberships",
    (SELECT count(*) FROM m_activity)::BIGINT AS "activityRows",
    (SELECT count(*) FROM m_orders)::BIGINT AS orders,
    (SELECT count(*) FROM m_memberships WHERE channel_source = 'unattributed')::BIGINT AS unattributed`);

  // What later steps need from the member-days, in small tables: per group and day, per group
  // and calendar week, and the distinct members of the last 7 days. Then the member-days leave
  // DuckDB's memory: at the benchmark's scale they are 11 M rows and 800 MB of a 1 GB limit,
  // and while they were held later joins and sorts spilled to disk: metrics took 9.3–9.8 s
  // there, and 5.5 s once they were dropped.
  await db.exec(`
    CREATE OR REPLACE TABLE m_group_daily AS
    SELECT group_id, date, sum(messages)::BIGINT AS messages, count(*)::INTEGER AS active_members
    FROM m_activity GROUP BY ALL`);
  // (before the weekly table: its 4.6 M member-weeks push the member-days out of memory,
  // and this read them back from disk in 0.7 s instead of 0.05 s)
  await db.exec(`
    CREATE OR REPLACE TABLE m_active_7d AS
    SELECT group_id, count(DISTINCT member_id)::INTEGER AS active_members_7d
    FROM m_activity WHERE date > ${T} - 7 GROUP BY ALL`);
  // Members counted by a 64-bit hash of their ID: a fixed-width key aggregates several times
  // faster than the string over millions of member-days, and two members of one group
  // colliding in one week has odds near n²/2⁶⁵ (under 1e-12 for a 5,000-member group). This
  // feeds only the group page's weekly chart; no metric uses hashed keys.
  // The distinct member-weeks carry no sum (a week's messages are its days' in m_group_daily),
  // and weeks are integers until the end: 4.6 M member-weeks at the benchmark's scale. Weeks
  // count from Monday 0001-01-01 (// truncates, so no date may come before it), as date_trunc('week').
  const weekOf = (date: string) => `(${date} - DATE '0001-01-01') // 7`;
  await db.exec(`
    CREATE OR REPLACE TABLE m_group_weekly AS
    WITH members AS (
      SELECT group_id, week, count(*)::INTEGER AS active_members
      FROM (SELECT DISTINCT group_id, ${weekOf('date')} AS week, hash(member_id) AS member FROM m_activity)
      GROUP BY ALL),
    messages AS (SELECT group_id, ${weekOf('date')} AS week, sum(messages)::INTEGER AS messages FROM m_group_daily GROUP BY ALL)
    SELECT a.group_id, CAST(DATE '0001-01-01' + (7 * a.week)::INTEGER AS DATE) AS week, a.active_members, s.messages
    FROM members a JOIN messages s ON s.group_id IS NOT DISTINCT FROM a.group_id AND s.week = a.week`);
  await db.exec(`DROP VIEW m_activity; DROP TABLE IF EXISTS m_activity_rows; DROP TABLE IF EXISTS agg_messages`);

  return {
    asOf,
    asOfSource: config.asOf !== undefined ? 'option' : 'data',
    hasActivity: activitySource !== null,
    activitySource,
    hasHourly: activitySource === 'messages',
    hasOrders: present.has('orders'),
    hasCheckins: present.has('checkins'),
    labels,
    counts,
  };
}

/** Warnings about rows kept but worth an operator's look; one line per kind and file, with a count. */
async function addModelWarnings(db: Db, present: Set<string>, labels: LabelMapping[], files: FileNames): Promise<void> {
  // (rows dated after an explicit report date are listed by line in the validate step)
  const warnings: string[] = [];
  const members = files.get('members') ?? [];
  const channels = (files.get('channels') ?? []).join(', ') || 'channels.csv';
  for (const l of labels.filter((x) => x.kind === 'channel' && !x.known)) {
    warnings.push(`SELECT ${sqlString(l.file)}, NULL, 'channel', 'warning',
      ${sqlString(`channel label "${l.label}" (${l.rows} rows) is not a known channel and counts as other; add it to channelLabels in qunlens.config.json`)}`);
  }
  warnings.push(`SELECT ${fileOfSrcSql(members, 'src')}, NULL, 'channel', 'warning',
      count(*) || ' memberships (' || round(100.0 * count(*) / (SELECT count(*) FROM m_memberships), 1) || '% of all) have no channel and no state found in ' || ${sqlString(channels)} || '; they count as other (e.g. in group "' || min(group_id) || '")'
    FROM m_memberships WHERE channel_source = 'unattributed' GROUP BY src HAVING count(*) > 0`);
  if (present.has('channels')) {
    warnings.push(`SELECT ${fileOfSrcSql(members)}, NULL, 'state', 'warning',
        'state "' || state || '" (' || count(*) || ' rows) is not in ' || ${sqlString(channels)}
      FROM v_members WHERE channel IS NULL AND state IS NOT NULL AND state NOT IN (SELECT state FROM v_channels WHERE state IS NOT NULL)
      GROUP BY __src, state`);
  }
  if (present.has('messages')) {
    // (f_activity's row without a membership: messages of senders with no membership there)
    const messages = files.get('messages') ?? ['messages.csv'];
    warnings.push(`SELECT ${sqlString(messages[0])}, NULL, 'member_id', 'warning',
        messages || ' messages${messages.length > 1 ? ` (in ${messages.join(', ')})` : ''} come from senders who are not members of that group in ${members.join(', ').replaceAll("'", "''")} (e.g. in group "' || example_group || '"); they count for group activity, not for any membership'
      FROM f_activity WHERE membership_id IS NULL AND messages > 0`);
  }
  for (const sql of warnings) await db.exec(`INSERT INTO dq SELECT *, NULL FROM (${sql})`);
}
