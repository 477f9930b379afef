/**
 * Nothing personal and no spreadsheet formula reaches anything published (README "Personal
 * data"), whatever column of whatever file it came in.
 *
 * The hand fixture plus hostile rows: every text-like column of the contract (TABLES: kinds
 * id, text, label) carries every hostile value in an accepted row: mobile numbers in each
 * common formatting, ID-card numbers, an e-mail address, WeChat/WeCom IDs, formulas, markup.
 * Rejected rows and warnings quote hostile values too (data-quality messages), as do header
 * names and file names. After a full build with the pages rendered, every output is searched:
 * each file under dist/, every table and column of dist/data/qunlens.duckdb read back through
 * DuckDB (its storage compresses strings), every CSV cell, every string of summary.json.
 *
 * So the test cannot pass by the data vanishing, it also finds the masked forms where each
 * column is published.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/core/config.ts';
import { TABLES, type TableName } from '../../src/core/contract.ts';
import { sqlIdent, sqlString } from '../../src/db/db.ts';
import { openNativeDb } from '../../src/db/native.ts';
import { previewCsv } from '../../src/preview/preview.ts';
import { copyFixture, parseCsv, tempDir, toCsv } from '../helpers.ts';
import { buildData } from './build-helpers.ts';

const SALT = 'test-salt'; // build-helpers.ts

/** A hostile value: the raw field, and a text its published form contains (or starts with). */
interface Hostile {
  raw: string;
  shown: string;
  /** the published value starts with `shown` (a defused formula) */
  starts?: boolean;
  kind: 'phone' | 'id_card' | 'email' | 'wechat_id' | 'formula' | 'markup';
}

const fw = (s: string) => s.replace(/[0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/**
 * The hostile values of column number c (10…99): digits carry c, so a masked form found in an
 * output says which column it came from. Phones: 139, middle 5·c·f, last 7·c·f.
 */
function hostile(c: number): Hostile[] {
  const phone = (f: number, format: (first: string, middle: string, last: string) => string): Hostile => ({
    raw: format('139', `5${c}${f}`, `7${c}${f}`),
    shown: `139****7${c}${f}`,
    kind: 'phone',
  });
  return [
    phone(0, (a, b, d) => `${a}${b}${d}`),
    phone(1, (a, b, d) => `${a} ${b} ${d}`),
    phone(2, (a, b, d) => `${a}-${b}-${d}`),
    phone(3, (a, b, d) => `+86 ${a} ${b} ${d}`),
    phone(4, (a, b, d) => `+86${a}${b}${d}`),
    phone(5, (a, b, d) => `0086 ${a}${b}${d}`),
    phone(6, (a, b, d) => `(+86)${a}-${b}-${d}`),
    { raw: fw(`139 5${c}7 7${c}7`), shown: `139****7${c}7`, kind: 'phone' }, // full-width digits
    phone(8, (a, b, d) => `店长张三${a}${b}${d}转`),
    { raw: `1101051949${c}31${c}0X`, shown: `110***********${c}0X`, kind: 'id_card' },
    { raw: `110105 1949${c}31 ${c}1X`, shown: `110***********${c}1X`, kind: 'id_card' },
    { raw: `110105 1949 ${c}31 ${c}2x`, shown: `110***********${c}2x`, kind: 'id_card' },
    { raw: `zhang.san${c}@c${c}.example.com`, shown: `z***@c${c}.example.com`, kind: 'email' },
    { raw: `oGZUI0egBJY1zhBYw2KhdUfw${c}JE`, shown: '[ID]', kind: 'wechat_id' },
    { raw: `wmGZUI0egBJY1zhBYw2K${c}Hd`, shown: '[ID]', kind: 'wechat_id' },
    { raw: `=HYPERLINK("http://x","y${c}")`, shown: `'=HYPERLINK("http://x","y${c}")`, starts: true, kind: 'formula' },
    { raw: `@SUM(${c})`, shown: `'@SUM(${c})`, starts: true, kind: 'formula' },
    { raw: '+1', shown: "'+1", starts: true, kind: 'formula' },
    { raw: `-2+3+cmd|' /C calc'!A${c}`, shown: `'-2+3+cmd|' /C calc'!A${c}`, starts: true, kind: 'formula' },
    { raw: `\t=1${c}`, shown: `'=1${c}`, starts: true, kind: 'formula' },
    { raw: `\r=2${c}`, shown: `'=2${c}`, starts: true, kind: 'formula' },
    { raw: `<script>alert(${c})</script>`, shown: `＜script＞alert(${c})＜/script＞`, kind: 'markup' },
  ];
}

/** A hostile value quoted inside a message: masked, but not defused (only a value's start runs). */
const quotedForm = (h: Hostile) => plain(h.starts ? h.shown.slice(1) : h.shown);

/** Personal data in any output, whatever the column: the raw forms, never their masks. */
const PERSONAL: [string, RegExp][] = [
  // a hostile phone's middle digits (5·c·f) between its first three and its last four (7·c·f)
  ['phone', /139[^0-9*]{0,3}5(\d\d)(\d)[^0-9*]{0,3}7\1\2/],
  // region and birth year of a hostile ID card side by side
  ['ID card', /110105\D?1949/],
  ['e-mail', /zhang\.san/i],
  ['openid/unionid', /GZUI0egBJY1zh/],
  ['markup', /<script>alert/],
];

/** A value a spreadsheet would run: =, +, -, @ first (after spaces), or tab / CR first. */
const isNumber = (v: string) => /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v);
const formulaLeak = (v: string) => /^[\t\r]/.test(v) || (/^[ \u3000]*[=+\-@]/.test(v) && !isNumber(v));

/** Text as published, comparable: full-width digits and spaces as ASCII, HTML entities decoded. */
function plain(text: string): string {
  return text
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replaceAll('\u3000', ' ')
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/\\u([0-9a-f]{4})/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/**
 * Where each text-like column of the contract is published: [output, column] pairs in which
 * its hostile values must appear masked ('hashed': replaced by a salted hash everywhere; 'no':
 * never published). A column added to the contract fails the test until it is listed here.
 */
type Place = [file: string, column: string];
const PUBLISHED: Record<string, 'hashed' | 'no' | Place[]> = {
  'groups.group_id': 'hashed',
  'groups.name': [['groups.csv', 'name'], ['db:groups', 'name'], ['html', 'name']],
  'groups.type': [
    ['groups.csv', 'group_type'],
    ['groups.csv', 'type_label'],
    ['lifespan_summary.csv', 'group_type'],
    ['type_benchmarks.csv', 'group_type'],
    ['label_mapping.csv', 'label'],
    ['label_mapping.csv', 'mapped_to'],
    ['checkin_benchmark.csv', 'group_type'],
    ['db:memberships', 'group_type'],
    ['html', 'type'],
  ],
  'groups.owner_id': [['groups.csv', 'owner'], ['db:groups', 'owner']],
  'groups.store': [['groups.csv', 'store'], ['store_summary.csv', 'store'], ['db:memberships', 'store']],
  'groups.region': [['groups.csv', 'region'], ['region_summary.csv', 'region'], ['store_summary.csv', 'region'], ['db:memberships', 'region']],
  'members.member_id': 'hashed',
  'members.group_id': 'hashed',
  'members.channel': [['label_mapping.csv', 'label'], ['data_quality.csv', 'message']],
  'members.state': [['data_quality.csv', 'message']],
  'members.inviter_id': [['inviters.csv', 'inviter'], ['db:inviters', 'inviter']],
  'channels.state': [['data_quality.csv', 'message']], // (a duplicate state is rejected, quoted)
  'channels.channel': [['label_mapping.csv', 'label']],
  'channels.store': 'no',
  'channels.staff_id': 'no',
  'channels.material': 'no',
  'channels.remark': 'no',
  'messages.group_id': 'hashed',
  'messages.member_id': 'hashed',
  'messages.msgtype': 'no',
  'messages.message_id': 'no',
  'activity.group_id': 'hashed',
  'activity.member_id': 'hashed',
  'orders.order_id': 'no',
  'orders.member_id': 'hashed',
  'orders.group_id': 'hashed',
  'orders.product': 'no',
  'checkins.member_id': 'hashed',
  'checkins.group_id': 'hashed',
  'checkins.kind': [['points_by_kind.csv', 'kind'], ['db:points_by_kind', 'kind']],
  'checkins.team': [['team_points.csv', 'team'], ['db:team_points', 'team']],
};

const TEXT_KINDS = new Set(['id', 'text', 'label']);
/** column number of each contract column (its hostile values carry it) */
const COLUMN_NO = new Map<string, number>();
for (const t of TABLES) for (const c of t.columns) COLUMN_NO.set(`${t.name}.${c.name}`, 10 + COLUMN_NO.size);
const H = (column: string) => hostile(COLUMN_NO.get(column)!);
/** tags for values that are not contract columns: rejected fields, headers, file names */
const REJECTED_DATE = 91;
const GHOST_GROUP = 92;
const HEADER = 93;
const V = hostile(10).length;

function writeTable(dir: string, table: TableName, rows: string[][], extraHeaders: string[] = []): void {
  const path = join(dir, `${table}.csv`);
  let existing: string[][];
  try {
    existing = parseCsv(readFileSync(path, 'utf8'));
  } catch {
    existing = [TABLES.find((t) => t.name === table)!.columns.map((c) => c.name)];
  }
  const [header, ...old] = existing;
  const width = header.length;
  const all = [[...header, ...extraHeaders], ...old.map((r) => [...r, ...extraHeaders.map(() => '')]), ...rows.map((r) => [...r, ...extraHeaders.map(() => 'x')])];
  if (rows.some((r) => r.length !== width)) throw new Error(`${table}: row width`);
  writeFileSync(path, toCsv(all));
}

/** The hand fixture plus hostile rows in every text column (accepted) and rejected ones. */
function hostileData(): string {
  const dir = copyFixture('hand');
  const groups: string[][] = [];
  const members: string[][] = [];
  const channels: string[][] = [];
  const messages: string[][] = [];
  const orders: string[][] = [];
  const checkins: string[][] = [];
  for (let v = 0; v < V; v++) {
    const g = H('groups.group_id')[v].raw;
    const at = (day: number, time = '10:00:00') => `2026-01-${String(day).padStart(2, '0')} ${time}`;
    // groups.csv: group_id, name, type, owner_id, store, region, created_at, dissolved_at
    groups.push([g, H('groups.name')[v].raw, H('groups.type')[v].raw, H('groups.owner_id')[v].raw, H('groups.store')[v].raw, H('groups.region')[v].raw, at(5), '']);
    // a rejected group quoting a hostile value (not a date), and one with a legitimate 17-digit ID
    groups.push([`GR${v}`, 'x', '福利型', '', '', '', `${hostile(REJECTED_DATE)[v].raw}号`, '']);
    // members.csv: member_id, group_id, joined_at, left_at, channel, state, is_staff, inviter_id
    const staff = H('members.inviter_id')[v].raw;
    // (a customer is never also the group's staff: '+1' is both columns' value)
    const customer = H('members.member_id')[v].raw === staff ? `${staff}c` : H('members.member_id')[v].raw;
    // (group IDs in the other files name the hostile groups: they carry groups.group_id's values)
    members.push([staff, g, at(5), '', '', '', '1', '']);
    members.push([customer, g, at(6), '', H('members.channel')[v].raw, '', '2', staff]);
    members.push([`s${v}`, g, at(7), '', '', H('members.state')[v].raw, '2', staff]);
    members.push([`t${v}`, g, at(8), '', '', H('channels.state')[v].raw, '2', '']);
    members.push([`u${v}`, hostile(GHOST_GROUP)[v].raw, at(8), '', '导购', '', '2', '']); // rejected: no such group
    // channels.csv: state, channel, store, staff_id, material, remark (the state twice: rejected)
    const ch = ['channels.state', 'channels.channel', 'channels.store', 'channels.staff_id', 'channels.material', 'channels.remark'].map((c) => H(c)[v].raw);
    channels.push(ch, ch);
    // messages.csv: sent_at, group_id, member_id, msgtype
    // (no CR in messages.csv: its one-pass read stops at a quoted line break, a separate matter;
    // the trimmed value is the same ID)
    const noCr = (row: string[]) => row.map((x) => x.replace(/^\r/, ''));
    messages.push(noCr([at(6, '12:00:00'), g, customer, H('messages.msgtype')[v].raw]));
    messages.push(noCr([at(9, '12:00:00'), g, H('messages.member_id')[v].raw, 'text']));
    // orders.csv: order_id, member_id, group_id, ordered_at, amount, refunded, product
    orders.push([H('orders.order_id')[v].raw, H('orders.member_id')[v].raw, g, at(10), '10', '否', H('orders.product')[v].raw]);
    // checkins.csv: member_id, group_id, date, kind, points, team
    for (const day of [6, 7, 8]) checkins.push([customer, g, `2026-01-0${day}`, H('checkins.kind')[v].raw, '5', H('checkins.team')[v].raw]);
    checkins.push([H('checkins.member_id')[v].raw, g, '2026-01-09', '签到', '1', '']);
  }
  groups.push(['12345678901234567', '长数字群号', '福利型', '', '', '', '2026-01-05 10:00:00', '']);
  members.push(['k1', '12345678901234567', '2026-01-06 10:00:00', '', '导购', '', '2', '']);
  // hostile header names (ignored columns, quoted in warnings)
  const headers = hostile(HEADER).filter((h) => !/[\t\r]/.test(h.raw)).map((h) => h.raw);
  writeTable(dir, 'groups', groups);
  writeTable(dir, 'members', members);
  writeTable(dir, 'channels', channels);
  writeTable(dir, 'messages', messages);
  writeTable(dir, 'orders', orders);
  writeTable(dir, 'checkins', checkins, headers);
  // files outside the contract are named in a warning
  for (const name of ['13912345678.csv', 'zhang.san@example.com.csv', '110105194912310010.csv']) writeFileSync(join(dir, name), 'a\n1\n');
  return dir;
}

/** Every file under a folder, by path relative to it. */
function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const qzHash = (id: string, len: number) =>
  createHash('sha256').update(`${SALT}:${id}`).digest('hex').slice(0, len).replace(/[0-9a-f]/g, (c) => 'abcdefghijklmnop'['0123456789abcdef'.indexOf(c)]);

let out: string;
/** every CSV output: file → rows as objects */
const csvs = new Map<string, Record<string, string>[]>();
/** every table of the browser database (`table`) and of the region files (`region-N.duckdb table`): rows, all values as text */
const dbTables = new Map<string, Record<string, string | null>[]>();
/** every other file: path → text */
const texts = new Map<string, string>();

beforeAll(async () => {
  const data = hostileData();
  ({ out } = await buildData(data, { render: true }));
  for (const path of walk(out)) {
    const name = relative(out, path);
    if (name.endsWith('.duckdb')) continue;
    const text = readFileSync(path, 'utf8');
    if (name.startsWith('data/') && name.endsWith('.csv')) {
      const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true });
      csvs.set(name.slice(5), parsed.data);
    }
    texts.set(name, text);
  }
  const db = await openNativeDb();
  try {
    // the shipped database and each region's own (region-N.duckdb)
    const files = readdirSync(join(out, 'data')).filter((f) => f.endsWith('.duckdb'));
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) {
      await db.exec(`ATTACH ${sqlString(join(out, 'data', file))} AS pub (READ_ONLY)`);
      const columns = await db.rows<{ t: string; c: string }>(`SELECT table_name AS t, column_name AS c FROM duckdb_columns() WHERE database_name = 'pub' ORDER BY table_name, column_index`);
      for (const t of new Set(columns.map((c) => c.t))) {
        const cols = columns.filter((c) => c.t === t).map((c) => `CAST(${sqlIdent(c.c)} AS VARCHAR) AS ${sqlIdent(c.c)}`);
        dbTables.set(file === 'qunlens.duckdb' ? t : `${file} ${t}`, await db.rows(`SELECT ${cols.join(', ')} FROM pub.${sqlIdent(t)}`));
      }
      await db.exec(`DETACH pub`);
    }
  } finally {
    await db.close();
  }
}, 600_000);

/** Cells of a structured output: [where, value] for every string (headers too). */
function* cells(): Generator<[string, string]> {
  for (const [file, rows] of csvs) {
    for (const h of Object.keys(rows[0] ?? {})) yield [`${file} header`, h];
    for (const [i, r] of rows.entries()) for (const [k, v] of Object.entries(r)) yield [`${file}:${i + 2} ${k}`, v];
  }
  for (const [table, rows] of dbTables) for (const [i, r] of rows.entries()) for (const [k, v] of Object.entries(r)) if (v !== null) yield [`${table.includes(' ') ? table : `qunlens.duckdb ${table}`}[${i}].${k}`, v];
  const strings = function* (where: string, value: unknown): Generator<[string, string]> {
    if (typeof value === 'string') yield [where, value];
    else if (Array.isArray(value)) for (const [i, x] of value.entries()) yield* strings(`${where}[${i}]`, x);
    else if (value && typeof value === 'object') for (const [k, x] of Object.entries(value)) yield* strings(`${where}.${k}`, x);
  };
  yield* strings('summary.json', JSON.parse(texts.get('data/summary.json')!));
}

describe('published text', () => {
  it('lists every text-like column of the contract', () => {
    const textColumns = TABLES.flatMap((t) => t.columns.filter((c) => TEXT_KINDS.has(c.kind)).map((c) => `${t.name}.${c.name}`));
    expect(textColumns.filter((c) => !(c in PUBLISHED)), 'classify these columns in PUBLISHED').toEqual([]);
  });

  it('built the site: pages, CSVs, the browser database', () => {
    expect([...texts.keys()].filter((p) => p.endsWith('.html')).length).toBeGreaterThan(20);
    expect(csvs.size).toBeGreaterThan(15);
    expect(dbTables.size).toBeGreaterThan(15);
  });

  it('no personal data in any file under dist/ or any value of the browser database', () => {
    const leaks: string[] = [];
    for (const [name, text] of texts) {
      const t = plain(text);
      for (const [what, re] of PERSONAL) {
        const m = re.exec(t);
        if (m) leaks.push(`${name}: ${what} ${JSON.stringify(t.slice(Math.max(0, m.index - 30), m.index + 40))}`);
      }
    }
    for (const [where, value] of cells()) {
      const t = plain(value);
      for (const [what, re] of PERSONAL) if (re.test(t)) leaks.push(`${where}: ${what} ${JSON.stringify(value)}`);
    }
    expect(leaks.slice(0, 40), `${leaks.length} leaks`).toEqual([]);
  });

  it('no CSV cell, database value or summary.json string a spreadsheet would run', () => {
    const leaks = [...cells()].filter(([, v]) => formulaLeak(v)).map(([where, v]) => `${where}: ${JSON.stringify(v)}`);
    expect(leaks.slice(0, 40), `${leaks.length} formulas`).toEqual([]);
  });

  it('every published column shows its hostile values masked and defused where it is published', () => {
    const missing: string[] = [];
    const html = [...texts].filter(([p]) => p.endsWith('.html')).map(([, t]) => plain(t)).join('\n');
    for (const [column, places] of Object.entries(PUBLISHED)) {
      if (!Array.isArray(places)) continue;
      for (const [file, col] of places) {
        let values: string[];
        if (file === 'html') values = [html];
        else if (file.startsWith('db:')) values = (dbTables.get(file.slice(3)) ?? []).map((r) => r[col] ?? '');
        else values = (csvs.get(file) ?? []).map((r) => r[col] ?? '');
        values = values.map(plain);
        for (const h of H(column)) {
          const quoted = col === 'message';
          const shown = quoted ? quotedForm(h) : plain(h.shown);
          const found = values.some((v) => (h.starts && file !== 'html' && !quoted ? v.startsWith(shown) : v.includes(shown)));
          if (!found) missing.push(`${column} → ${file} ${col}: ${JSON.stringify(h.shown)}`);
        }
      }
    }
    expect(missing, `${missing.length} missing`).toEqual([]);
  });

  it('hashes IDs the mask would change, keeps the others as given (joinable)', () => {
    const groups = csvs.get('groups.csv')!;
    const ids = new Set(groups.map((g) => g.group_id));
    expect(ids.has('12345678901234567')).toBe(true);
    expect(ids.has('G1')).toBe(true);
    for (const h of H('groups.group_id')) expect(ids.has(`h_${qzHash(h.raw.trim(), 12)}`), h.raw).toBe(true);
    // the same public IDs in the browser database, so its tables join with the CSVs
    const dbIds = new Set(dbTables.get('memberships')!.map((m) => m.group_id));
    for (const id of dbIds) expect(ids.has(id!)).toBe(true);
  });

  it('keeps distinct labels distinct and the same key in every output (filters join)', () => {
    const types = new Set(csvs.get('groups.csv')!.map((g) => g.group_type));
    // 22 hostile types + the hand fixture's four known ones + … every hostile type its own key
    const hostileTypes = [...types].filter((t) => !/^[a-z_]+$/.test(t));
    expect(hostileTypes.length).toBe(V);
    const mapped = new Set(csvs.get('label_mapping.csv')!.filter((l) => l.kind === 'type').map((l) => l.mapped_to));
    for (const t of types) expect(mapped.has(t), t).toBe(true);
    for (const m of dbTables.get('memberships')!) expect(types.has(m.group_type!)).toBe(true);
    const stores = new Set(csvs.get('groups.csv')!.map((g) => g.store).filter(Boolean));
    expect(new Set(csvs.get('store_summary.csv')!.map((s) => s.store).filter(Boolean))).toEqual(stores);
  });

  it('data-quality messages, columns and file names: masked', () => {
    const dq = csvs.get('data_quality.csv')!;
    const messages = dq.map((r) => plain(r.message));
    for (const h of hostile(REJECTED_DATE)) expect(messages.some((m) => m.includes(quotedForm(h))), h.raw).toBe(true);
    for (const h of hostile(GHOST_GROUP)) expect(messages.some((m) => m.includes(quotedForm(h))), h.raw).toBe(true);
    const columns = dq.map((r) => plain(r.column));
    for (const h of hostile(HEADER).filter((x) => !/[\t\r]/.test(x.raw))) {
      expect(columns.some((c) => c.startsWith(plain(h.shown)) || (!h.starts && c.includes(plain(h.shown)))), h.raw).toBe(true);
    }
    const files = new Set(dq.map((r) => r.file));
    expect(files).toContain('139****5678.csv');
    expect(files).toContain('z***@example.com.csv');
  });
});

describe('the CSV preview (the browser checks a file with the same rules)', () => {
  it('quotes rejected values, header names and file names masked', async () => {
    const dir = tempDir();
    const rows = hostile(REJECTED_DATE).map((h, i) => [`G${i}`, 'x', '福利型', '', '', '', `${h.raw}号`, '']);
    const headers = hostile(HEADER).filter((h) => !/[\t\r]/.test(h.raw));
    const header = [...TABLES[0].columns.map((c) => c.name), ...headers.map((h) => h.raw)];
    const text = toCsv([header, ...rows.map((r) => [...r, ...headers.map(() => '')])]);
    const db = await openNativeDb();
    try {
      const result = await previewCsv(db, { name: 'groups.csv', bytes: new TextEncoder().encode(text) }, {
        timeZone: 'Asia/Shanghai',
        earliestDate: DEFAULT_CONFIG.earliestDate,
        orderAmountCeiling: DEFAULT_CONFIG.orderAmountCeiling,
        register: async (file, bytes) => {
          const path = join(dir, file);
          writeFileSync(path, bytes);
          return path;
        },
      });
      const shown = result.issues.map((i) => plain(`${i.column ?? ''} ${i.message}`)).join('\n');
      for (const [what, re] of PERSONAL) expect(re.test(shown), what).toBe(false);
      for (const h of hostile(REJECTED_DATE)) expect(shown.includes(quotedForm(h)), h.raw).toBe(true);
      for (const i of result.issues) expect(formulaLeak(i.column ?? ''), i.column!).toBe(false);
    } finally {
      await db.close();
    }
  });
});
