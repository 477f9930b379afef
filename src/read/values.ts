/**
 * Value parsing as DuckDB macros, so 20 million timestamps are parsed in columnar SQL and never
 * in a JavaScript loop. Each parser returns NULL for "not parseable"; validation turns a NULL
 * from a non-empty input into a rejected row with a message (see validate.ts).
 *
 * Formats (DATA.md "Values"):
 *  datetimes  2026-03-05 14:02[:09[.123]], 2026-03-05T14:02:09+08:00 / Z, 2026/3/5 14:02[:09],
 *             2026.3.5, 2026年3月5日[ 14:02[:09] | 14时02分], dates alone, epoch seconds or
 *             milliseconds, Excel serial days. Without an offset: local time in the configured zone.
 *  numbers    full-width digits, thousands separators, ¥/元, 1.2万, '-'/'--' as empty.
 *  IDs        trimmed strings; scientific notation (Excel's damage) is an error.
 *
 * What a parser reads may still be implausible: a date outside `DateBounds` (a typo'd year) or a
 * number beyond `NUMBER_LIMITS` is rejected by a check (row-checks.ts; the limits are the contract's, core/contract.ts). Commas are thousands
 * separators only, in groups of three ('1,234' is 1234): '1,2,3', '12,5' or '1.234,5' could mean
 * two different numbers and read as none. No parser throws, whatever the text.
 */
import { sqlString, type Db } from '../db/db.ts';
import { NUMBER_LIMITS } from '../core/contract.ts';

/** Full-width forms (NFKC for the characters exports contain) → ASCII. */
const FULL_WIDTH = '０１２３４５６７８９－：／．，　＋（）ｅＥ';
const HALF_WIDTH = '0123456789-:/., +()eE';

/** SQL: full-width → ASCII of an already trimmed text expression. */
export function asciiOf(textExpr: string): string {
  // strlen counts bytes, length characters: equal means plain ASCII, nothing to translate
  return `CASE WHEN strlen(${textExpr}) = length(${textExpr}) THEN ${textExpr} ELSE translate(${textExpr}, '${FULL_WIDTH}', '${HALF_WIDTH}') END`;
}

const list = (formats: string[]) => `[${formats.map(sqlString).join(', ')}]`;
const OFFSET_FORMATS = list(['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%d %H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%d %H:%M:%S.%f%z', '%Y-%m-%dT%H:%M%z', '%Y-%m-%d %H:%M%z', '%Y/%m/%d %H:%M:%S%z', '%Y/%m/%d %H:%M%z']);
const LOCAL_FORMATS = list([
  '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%d %H:%M', '%Y-%m-%dT%H:%M', '%Y-%m-%d',
  '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d',
  '%Y.%m.%d %H:%M:%S', '%Y.%m.%d %H:%M', '%Y.%m.%d',
  '%Y年%m月%d日 %H:%M:%S', '%Y年%m月%d日 %H:%M', '%Y年%m月%d日', '%Y年%m月%d日%H:%M:%S', '%Y年%m月%d日%H:%M',
  '%Y年%m月%d日 %H时%M分%S秒', '%Y年%m月%d日 %H时%M分', '%Y年%m月%d日%H时%M分%S秒', '%Y年%m月%d日%H时%M分',
]);

/** The days a date may fall on, inclusive (YYYY-MM-DD): outside them it is a typo'd year. */
export interface DateBounds {
  /** config.earliestDate */
  earliest: string;
  /** the day after the build's day (its wall clock in the configured zone) */
  latest: string;
}

/** Plausible days for a build run at `now`: from `earliest` to the day after now's day in the zone. */
export function dateBounds(earliest: string, now: Date, timeZone: string): DateBounds {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(now);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const latest = new Date(Date.UTC(part('year'), part('month') - 1, part('day') + 1)).toISOString().slice(0, 10);
  return { earliest, latest };
}


export interface ValueOptions {
  /** plausible days: a date outside is rejected (checks.ts reads qz_earliest(), qz_latest()) */
  dates: DateBounds;
  /** duckdb-wasm: the zone's offset, fixed (no ICU) */
  fixedOffsetMinutes?: number;
}

const isoDay = (day: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`not a day: ${day}`);
  return `DATE ${sqlString(day)}`;
};

export function valueMacros(timeZone: string, options: ValueOptions): string {
  const zone = sqlString(timeZone);
  // duckdb-wasm has no ICU (its time zones are a download): there, the zone's offset is fixed
  // (exact for zones without daylight saving, as China's since 1991)
  const fixed = options.fixedOffsetMinutes;
  const fromEpochMicros = (micros: string) => (fixed === undefined ? `timezone(${zone}, make_timestamptz(${micros}))` : `make_timestamp(${micros}) + INTERVAL (${fixed}) MINUTE`);
  const fromInstant = (tstz: string) => (fixed === undefined ? `timezone(${zone}, ${tstz})` : `CAST(${tstz} AS TIMESTAMP) + INTERVAL (${fixed}) MINUTE`);
  return `
-- text as given, trimmed; '', '-', '--' and full-width blanks mean "no value". Most values
-- have no surrounding blanks: check the first and last character before trimming anything.
-- (No IN lists in these macros: DuckDB turns an IN list into a join that runs for every row,
-- even inside a CASE branch almost no row reaches; OR chains stay lazy.)
CREATE OR REPLACE MACRO qz_blank_code(c) AS (c = 9 OR c = 10 OR c = 13 OR c = 32 OR c = 12288 OR c = 65279);
CREATE OR REPLACE MACRO qz_trimmed(t) AS CASE WHEN (t = '' OR t = '-' OR t = '--') THEN NULL ELSE t END;
CREATE OR REPLACE MACRO qz_text(s) AS
  CASE
    WHEN s IS NULL OR s = '' THEN NULL
    WHEN NOT qz_blank_code(ascii(s)) AND NOT qz_blank_code(ascii(right(s, 1))) THEN qz_trimmed(s)
    ELSE qz_trimmed(trim(s, ' ' || chr(9) || chr(13) || chr(10) || chr(12288) || chr(65279)))
  END;

-- text normalised for parsing: full-width → ASCII (only when there is something non-ASCII)
CREATE OR REPLACE MACRO qz_ascii(s) AS ${asciiOf('qz_text(s)')};

-- datetimes → local TIMESTAMP (no zone) in the configured zone. One strptime call tries the
-- listed formats; offsets are converted (a plain cast would drop them); epoch seconds or
-- milliseconds and Excel serial days are numbers.
CREATE OR REPLACE MACRO qz_ts_ascii(x) AS
  CASE
    WHEN x IS NULL THEN NULL
    WHEN regexp_full_match(x, '\\d{9,13}(\\.\\d+)?') THEN
      ${fromEpochMicros(`CAST(round(CAST(x AS DOUBLE) * CASE WHEN length(x) >= 12 AND NOT contains(x, '.') OR regexp_full_match(x, '\\d{12,13}\\.\\d+') THEN 1000 ELSE 1000000 END) AS BIGINT)`)}
    WHEN regexp_full_match(x, '\\d{5}(\\.\\d+)?') THEN
      TIMESTAMP '1899-12-30 00:00:00' + to_microseconds(CAST(round(CAST(x AS DOUBLE) * 86400000000) AS BIGINT))
    WHEN regexp_matches(x, '\\d:\\d\\d(:\\d\\d(\\.\\d+)?)?\\s*(Z|z|UTC|[+-]\\d\\d(:?\\d\\d)?)$') THEN
      ${fromInstant(`try_strptime(regexp_replace(regexp_replace(x, '\\s*(Z|z|UTC)$', '+00:00'), '\\s+([+-])', '\\1'), ${OFFSET_FORMATS})`)}
    ELSE try_strptime(x, ${LOCAL_FORMATS})
  END;
CREATE OR REPLACE MACRO qz_ts(s) AS qz_ts_ascii(qz_ascii(s));
CREATE OR REPLACE MACRO qz_date(s) AS CAST(qz_ts(s) AS DATE);

-- the plausible days (DateBounds): checks.ts rejects a date outside them
CREATE OR REPLACE MACRO qz_earliest() AS ${isoDay(options.dates.earliest)};
CREATE OR REPLACE MACRO qz_latest() AS ${isoDay(options.dates.latest)};

-- numbers: currency marks and blanks dropped, then 万/亿 as a factor. Commas only as thousands
-- separators in groups of three ('1,234.5', '1,234' = 1234); anything else ('1,2,3', '12,5',
-- '1.234,5') is ambiguous and reads as no number, as do underscores ('1_2_3', which a cast
-- reads as 123). qz_num_ascii may give inf or NaN ('Infinity', '1e309'): the kinds below
-- bound the magnitude, which no non-finite value passes (NaN compares above every number).
-- (Each macro names its argument at most a few times: a macro is inlined, so every mention
-- copies the argument's whole expression, and binding time grows with the product.)
CREATE OR REPLACE MACRO qz_num_core(x) AS regexp_replace(x, '[¥￥ ]|元|RMB|CNY', '', 'g');
CREATE OR REPLACE MACRO qz_num_plain(c) AS
  try_cast(CASE WHEN regexp_full_match(c, '[^,_]*|[+-]?\\d{1,3}(,\\d{3})+(\\.\\d*)?') THEN replace(c, ',', '') END AS DOUBLE);
CREATE OR REPLACE MACRO qz_num_scaled(c) AS
  qz_num_plain(regexp_replace(c, '[万亿]$', '')) * CASE WHEN suffix(c, '万') THEN 10000 WHEN suffix(c, '亿') THEN 100000000 ELSE 1 END;
CREATE OR REPLACE MACRO qz_num_ascii(x) AS qz_num_scaled(qz_num_core(x));
CREATE OR REPLACE MACRO qz_num(s) AS qz_num_ascii(qz_ascii(s));
-- money kept exact to 1/10000 so sums do not depend on summation order; the cast cannot fail
-- on a value within the limit
CREATE OR REPLACE MACRO qz_amount_ascii(x) AS
  CASE WHEN abs(qz_num_ascii(x)) <= ${NUMBER_LIMITS.amount} THEN try_cast(round(qz_num_ascii(x), 4) AS DECIMAL(18, 4)) END;
CREATE OR REPLACE MACRO qz_int_ascii(x) AS
  CASE WHEN abs(qz_num_ascii(x)) <= ${NUMBER_LIMITS.integer} AND qz_num_ascii(x) = floor(qz_num_ascii(x)) THEN try_cast(qz_num_ascii(x) AS BIGINT) END;
CREATE OR REPLACE MACRO qz_number_ascii(x) AS
  CASE WHEN abs(qz_num_ascii(x)) <= ${NUMBER_LIMITS.number} THEN qz_num_ascii(x) END;
CREATE OR REPLACE MACRO qz_amount(s) AS qz_amount_ascii(qz_ascii(s));
CREATE OR REPLACE MACRO qz_int(s) AS qz_int_ascii(qz_ascii(s));
CREATE OR REPLACE MACRO qz_number(s) AS qz_number_ascii(qz_ascii(s));
-- why the number in raw text s was not read, for the messages of rejected rows: 'decimal
-- comma', 'grouping' (commas not between groups of three), 'not finite', 'too large' (beyond
-- max), or NULL (not a number at all). Full-width forms translated, not trimmed: the core
-- drops blanks.
CREATE OR REPLACE MACRO qz_halfwidth(s) AS translate(s, '${FULL_WIDTH}', '${HALF_WIDTH}');
CREATE OR REPLACE MACRO qz_num_reason_core(c, max) AS
  CASE
    WHEN regexp_full_match(c, '[+-]?\\d+,\\d{1,2}|[+-]?\\d{1,3}(\\.\\d{3})+,\\d+') THEN 'decimal comma'
    WHEN contains(c, ',') AND try_cast(replace(c, ',', '') AS DOUBLE) IS NOT NULL AND qz_num_scaled(c) IS NULL THEN 'grouping'
    WHEN NOT isfinite(qz_num_scaled(c)) THEN 'not finite'
    WHEN abs(qz_num_scaled(c)) > max THEN 'too large'
  END;
CREATE OR REPLACE MACRO qz_num_reason(s, max) AS qz_num_reason_core(qz_num_core(qz_halfwidth(s)), max);

-- booleans
CREATE OR REPLACE MACRO qz_bool_ascii(x) AS
  CASE
    WHEN (lower(x) = 'true' OR lower(x) = 't' OR lower(x) = 'yes' OR lower(x) = 'y' OR lower(x) = '1' OR lower(x) = '是' OR lower(x) = '对' OR lower(x) = '已退款' OR lower(x) = '退款') THEN true
    WHEN (lower(x) = 'false' OR lower(x) = 'f' OR lower(x) = 'no' OR lower(x) = 'n' OR lower(x) = '0' OR lower(x) = '否' OR lower(x) = '未退款' OR lower(x) = '无') THEN false
  END;
CREATE OR REPLACE MACRO qz_bool(s) AS qz_bool_ascii(qz_ascii(s));
-- WeCom 成员类型: 1 企业成员 (staff), 2 外部联系人 (customer); also plain booleans
CREATE OR REPLACE MACRO qz_staff_ascii(x) AS
  CASE
    WHEN (lower(x) = '2' OR lower(x) = '外部联系人' OR lower(x) = '客户' OR lower(x) = 'customer' OR lower(x) = 'external') THEN false
    WHEN (lower(x) = '企业成员' OR lower(x) = '员工' OR lower(x) = 'staff' OR lower(x) = 'employee' OR lower(x) = 'internal') THEN true
    ELSE qz_bool_ascii(x)
  END;
CREATE OR REPLACE MACRO qz_staff(s) AS qz_staff_ascii(qz_ascii(s));
CREATE OR REPLACE MACRO qz_join_scene_ascii(x) AS
  CASE
    WHEN (x = '1' OR x = '直接邀请' OR x = '直接邀请入群') THEN 'direct_invite'
    WHEN (x = '2' OR x = '邀请链接' OR x = '通过邀请链接入群') THEN 'invite_link'
    WHEN (x = '3' OR x = '扫描群二维码' OR x = '扫码' OR x = '扫描二维码' OR x = '通过扫描群二维码入群') THEN 'qr_code'
  END;
CREATE OR REPLACE MACRO qz_join_scene(s) AS qz_join_scene_ascii(qz_ascii(s));

-- IDs: strings, never numbers; a value in scientific notation was mangled by Excel.
-- qz_id_suspect is a cheap pre-check (starts with a digit, has an e) before the regex.
CREATE OR REPLACE MACRO qz_id(s) AS qz_text(s);
CREATE OR REPLACE MACRO qz_id_mangled_ascii(x) AS regexp_full_match(x, '[0-9]+(\\.[0-9]+)?[eE][+-]?[0-9]+');
CREATE OR REPLACE MACRO qz_id_mangled(s) AS qz_id_mangled_ascii(qz_ascii(s));
CREATE OR REPLACE MACRO qz_id_suspect(t) AS
  ((t >= '0' AND t < ':') OR t >= '０') AND (contains(t, 'E') OR contains(t, 'e') OR contains(t, 'Ｅ') OR contains(t, 'ｅ'));
`;
}

/**
 * The one choke point for published text: `qz_public(s)`. Every text value that came from the
 * input (a field, a label, a header, a file name, a message quoting any of them) passes through
 * it before it can reach an output: the CSVs, summary.json, the pages' data, the browser's
 * database, the data-quality list, the CSV preview. What it does:
 *
 *  - e-mail addresses            zhang.san@example.com        → z***@example.com
 *  - 18-digit ID-card numbers    110105194912310021, with or without spaces or hyphens
 *                                between the 6-4-4-4 or 6-8-4 groups → 110***********0021
 *  - mainland mobile numbers     13812345678, 138 1234 5678, 138-1234-5678, +86 138 1234 5678,
 *                                +8613812345678, 0086 138…, (+86)138…, full-width digits
 *                                                               → 138****5678 (the +86 dropped)
 *  - openid/unionid (o + 27) and WeCom external/user IDs (wm…/wo…, 22+)  → [ID]
 *  - markup                      < and > → ＜ ＞ (inert in any page or file)
 *  - spreadsheet formulas        a value whose first character after spaces is = + - @, or
 *                                that starts with a tab or CR, gets a leading ' (OWASP CSV
 *                                injection guidance)
 *
 * Numbers, dates and amounts are typed columns, never text: none of this touches them.
 * qz_public is idempotent (published text passed through again is unchanged). Keys made from
 * text (qz_public_id, qz_public_key in model.ts) hash the values it would change, so two
 * labels never become one and an ID stays joinable.
 *
 * Why one SQL macro and no JavaScript twin: DuckDB evaluates it over columns (and only over the
 * few text columns published per group or per label, never per message); text built in
 * JavaScript (config labels, file names, the preview's messages) is sent through the same
 * macro with `publicTexts`, natively in the build and by duckdb-wasm in the browser. One
 * definition and one regular-expression engine (RE2): nothing can drift between two copies.
 *
 * A match consumes the non-digit after it, so "phone,phone" needs a second pass (ID cards and
 * phones run twice). A string that cannot hold any of these skips the expressions: shorter
 * than 6 characters (the shortest, an e-mail, is a@b.cn), or without a digit, an @ or the
 * start of an ID (one cheap test; most labels are words).
 */
export function publicTextMacros(): string {
  const D = '[0-9０-９]';
  const notD = '[^0-9０-９]';
  const sep = '[- .　－]?';
  const phone = `(^|${notD})(?:[(（]?(?:[+＋]|00|００)?[8８][6６][)）]?${sep})?([1１][3-9３-９]${D})${sep}${D}{4}${sep}(${D}{4})($|${notD})`;
  const idSep = '[- 　]?';
  const idCard = `(^|${notD})(${D}{3})${D}{3}${idSep}${D}{4}${idSep}${D}{4}${idSep}(${D}{3}[0-9０-９XxＸｘ])($|${notD})`;
  const email = '([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:[.][A-Za-z0-9-]+)*[.][A-Za-z]{2,})';
  return `
CREATE OR REPLACE MACRO qz_mask_emails(s) AS regexp_replace(s, '${email}', '\\1***@\\2', 'g');
CREATE OR REPLACE MACRO qz_mask_id_cards(s) AS regexp_replace(s, '${idCard}', '\\1\\2***********\\3\\4', 'g');
CREATE OR REPLACE MACRO qz_mask_phones(s) AS regexp_replace(s, '${phone}', '\\1\\2****\\3\\4', 'g');
CREATE OR REPLACE MACRO qz_mask_ids(s) AS
  regexp_replace(regexp_replace(s,
    '(^|[^A-Za-z0-9_-])o[A-Za-z0-9_-]{27}($|[^A-Za-z0-9_-])', '\\1[ID]\\2', 'g'),
    '(^|[^A-Za-z0-9_-])w[mo][A-Za-z0-9_-]{20,}($|[^A-Za-z0-9_-])', '\\1[ID]\\2', 'g');
CREATE OR REPLACE MACRO qz_mask(s) AS
  CASE WHEN length(s) < 6 OR NOT regexp_matches(s, '[0-9０-９@]|[ow][A-Za-z0-9_-]{21}') THEN s
    ELSE qz_mask_ids(qz_mask_ids(qz_mask_phones(qz_mask_phones(qz_mask_id_cards(qz_mask_id_cards(qz_mask_emails(s)))))))
  END;
CREATE OR REPLACE MACRO qz_public(s) AS
  CASE WHEN s IS NULL THEN NULL ELSE
    regexp_replace(translate(qz_mask(s), '<>', '＜＞'), '^([ 　]*[=+@-]|[\\t\\r])', '''\\1')
  END;
`;
}

/**
 * Text built in JavaScript, published: through `qz_public` on the database at hand (native in
 * the build, duckdb-wasm in the browser), so it follows the very rules SQL columns do.
 */
export async function publicTexts<T extends string | null>(db: Db, texts: readonly T[]): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < texts.length; i += 1000) {
    const chunk = texts.slice(i, i + 1000);
    const values = chunk.map((t, j) => `(${j}, ${t === null ? 'NULL' : sqlString(t)})`).join(', ');
    const rows = await db.rows<{ t: T }>(`SELECT qz_public(CAST(t AS VARCHAR)) AS t FROM (VALUES ${values}) v(i, t) ORDER BY i`);
    out.push(...rows.map((r) => r.t));
  }
  return out;
}

/**
 * Parsers as SQL over a column reference, for the ingest queries: a cheap fast path for the
 * shapes exports almost always have, the general macros only for the rows that need them
 * (DuckDB evaluates a CASE branch only on the rows that reach it). Each builder may repeat its
 * raw argument `r`, so it must be a plain column; `a`, the normalised text, may be an
 * expression: it is read only on the general path.
 */
/** An ISO shape the plain cast reads (no offset: those are longer). */
export const isoTimestamp = (r: string) => `(${r} LIKE '____-__-__ __:__:__' OR ${r} LIKE '____-__-__T__:__:__')`;

export const parse = {
  /** trimmed text, NULL for '', '-', '--' */
  text(c: string): string {
    // A first character below '!' is a space, a control character, or the string is empty: all
    // go to the general macro, as do values ending in a blank. (The reader already removed CR
    // of CRLF line ends; a BOM only precedes the header.)
    const blankEdge = `${c} < '!' OR suffix(${c}, ' ') OR suffix(${c}, chr(9)) OR prefix(${c}, '　') OR suffix(${c}, '　')`;
    return `CASE WHEN ${c} IS NULL THEN NULL WHEN ${blankEdge} THEN qz_text(${c}) WHEN ${c} = '-' OR ${c} = '--' THEN NULL ELSE ${c} END`;
  },
  /** `r`: the raw field (a plain column); `a`: its trimmed, full-width-normalised text */
  timestamp(r: string, a: string): string {
    return `CASE WHEN ${isoTimestamp(r)} THEN try_cast(${r} AS TIMESTAMP) WHEN ${a} IS NULL THEN NULL ELSE qz_ts_ascii(${a}) END`;
  },
  /** a calendar day: 'YYYY-MM-DD' by the plain cast, anything else as a timestamp's day */
  date(r: string, a: string): string {
    // (the cast accepts some text after a date, '2026-03-5x': only a round trip takes the fast path)
    return `CASE WHEN ${r} LIKE '____-__-__' AND CAST(try_cast(${r} AS DATE) AS VARCHAR) = ${r} THEN try_cast(${r} AS DATE) ELSE CAST(${parse.timestamp(r, a)} AS DATE) END`;
  },
  // The fast paths take what a plain cast reads, within the kind's limit; the cast also reads
  // '1_000' (any underscores), and BIGINT's rounds '1.5' and reads '0x1F': those go to the
  // general parser, which rejects them.
  amount(r: string, a: string): string {
    return `CASE WHEN abs(try_cast(${r} AS DECIMAL(18, 4))) <= ${NUMBER_LIMITS.amount} AND NOT contains(${r}, '_') THEN try_cast(${r} AS DECIMAL(18, 4)) ELSE qz_amount_ascii(${a}) END`;
  },
  integer(r: string, a: string): string {
    // only a round trip takes the fast path: digits as BIGINT prints them
    return `CASE WHEN CAST(try_cast(${r} AS BIGINT) AS VARCHAR) = ${r} AND abs(try_cast(${r} AS BIGINT)) <= ${NUMBER_LIMITS.integer} THEN try_cast(${r} AS BIGINT) ELSE qz_int_ascii(${a}) END`;
  },
  number(r: string, a: string): string {
    return `CASE WHEN abs(try_cast(${r} AS DOUBLE)) <= ${NUMBER_LIMITS.number} AND NOT contains(${r}, '_') THEN try_cast(${r} AS DOUBLE) ELSE qz_number_ascii(${a}) END`;
  },
  boolean(r: string, a: string): string {
    return `CASE ${r} WHEN '否' THEN false WHEN '是' THEN true WHEN 'false' THEN false WHEN 'true' THEN true WHEN '0' THEN false WHEN '1' THEN true ELSE qz_bool_ascii(${a}) END`;
  },
  staff(r: string, a: string): string {
    return `CASE ${r} WHEN '2' THEN false WHEN '1' THEN true ELSE qz_staff_ascii(${a}) END`;
  },
  joinScene(r: string, a: string): string {
    return `CASE ${r} WHEN '1' THEN 'direct_invite' WHEN '2' THEN 'invite_link' WHEN '3' THEN 'qr_code' ELSE qz_join_scene_ascii(${a}) END`;
  },
  /** an Excel error value (#N/A, #REF! …) where an ID should be: a workbook's error cell, or one saved as CSV */
  excelError(t: string): string {
    // (CASE: the list is looked at only for the rare value that starts with #; a range on the
    // bytes, not starts_with: a third of the cost, measured on 20 M IDs. list_contains, not IN:
    // DuckDB turns a long IN list into a hash join, which loses the rows' file order, and the
    // line of every rejected row is its place in that order.)
    return `CASE WHEN ${t} < '$' AND ${t} >= '#' THEN list_contains(['#N/A', '#REF!', '#VALUE!', '#DIV/0!', '#NAME?', '#NULL!', '#NUM!', '#SPILL!', '#CALC!', '#GETTING_DATA', '#FIELD!', '#BLOCKED!', '#CONNECT!', '#BUSY!', '#UNKNOWN!'], ${t}) ELSE false END`;
  },
  /** an ID Excel turned into scientific notation; `t` is the trimmed text column */
  mangled(t: string): string {
    // Excel writes 1.38E+10: a substring search rules out nearly every ID before the regex
    // (CASE, not AND: DuckDB evaluates both sides of an AND for every row; CASE is lazy)
    return `CASE WHEN contains(${t}, 'E+') OR contains(${t}, 'e+') THEN qz_id_mangled(${t}) ELSE false END`;
  },
};

/** A zone's offset from UTC in minutes at a moment (e.g. 480 for Asia/Shanghai). */
export function zoneOffsetMinutes(timeZone: string, at = new Date()): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}
