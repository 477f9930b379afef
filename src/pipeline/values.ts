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
 */
import { sqlString } from '../db/db.ts';

/** Full-width forms (NFKC for the characters exports contain) → ASCII. */
const FULL_WIDTH = '０１２３４５６７８９－：／．，　＋（）ｅＥ';
const HALF_WIDTH = '0123456789-:/., +()eE';

/** SQL: full-width → ASCII of an already trimmed text expression. */
export function asciiOf(textExpr: string): string {
  // strlen counts bytes, length characters: equal means plain ASCII, nothing to translate
  return `CASE WHEN strlen(${textExpr}) = length(${textExpr}) THEN ${textExpr} ELSE translate(${textExpr}, '${FULL_WIDTH}', '${HALF_WIDTH}') END`;
}

export function valueMacros(timeZone: string): string {
  const zone = sqlString(timeZone);
  return `
-- text as given, trimmed; '', '-', '--' and full-width blanks mean "no value". Most values
-- have no surrounding blanks: check the first and last character before trimming anything.
CREATE OR REPLACE MACRO qz_blank_code(c) AS c IN (9, 10, 13, 32, 12288, 65279);
CREATE OR REPLACE MACRO qz_trimmed(t) AS CASE WHEN t IN ('', '-', '--') THEN NULL ELSE t END;
CREATE OR REPLACE MACRO qz_text(s) AS
  CASE
    WHEN s IS NULL OR s = '' THEN NULL
    WHEN NOT qz_blank_code(ascii(s)) AND NOT qz_blank_code(ascii(right(s, 1))) THEN qz_trimmed(s)
    ELSE qz_trimmed(trim(s, ' ' || chr(9) || chr(13) || chr(10) || chr(12288) || chr(65279)))
  END;

-- text normalised for parsing: full-width → ASCII (only when there is something non-ASCII)
CREATE OR REPLACE MACRO qz_ascii(s) AS ${asciiOf('qz_text(s)')};

-- datetimes → local TIMESTAMP (no zone) in the configured zone
CREATE OR REPLACE MACRO qz_ts_ascii(x) AS
  CASE
    WHEN x IS NULL THEN NULL
    -- the common export shape first, cheaply
    WHEN length(x) <= 19 AND regexp_full_match(x, '\\d{4}[-/]\\d{1,2}[-/]\\d{1,2}([ T]\\d{1,2}:\\d{2}(:\\d{2})?)?')
      THEN try_cast(x AS TIMESTAMP)
    -- explicit offset: convert to the configured zone (a plain cast would drop the offset)
    WHEN regexp_full_match(x, '\\d{4}[-/]\\d{1,2}[-/]\\d{1,2}[ T]\\d{1,2}:\\d{2}(:\\d{2}(\\.\\d+)?)?\\s*(Z|z|UTC|[+-]\\d{2}(:?\\d{2})?)')
      THEN timezone(${zone}, try_cast(replace(x, 'UTC', 'Z') AS TIMESTAMPTZ))
    -- epoch milliseconds / seconds
    WHEN regexp_full_match(x, '\\d{12,13}(\\.\\d+)?')
      THEN timezone(${zone}, make_timestamptz(CAST(round(CAST(x AS DOUBLE) * 1000) AS BIGINT)))
    WHEN regexp_full_match(x, '\\d{9,10}(\\.\\d+)?')
      THEN timezone(${zone}, make_timestamptz(CAST(round(CAST(x AS DOUBLE) * 1000000) AS BIGINT)))
    -- Excel serial days (1927–2173), local wall-clock time
    WHEN regexp_full_match(x, '\\d{5}(\\.\\d+)?')
      THEN TIMESTAMP '1899-12-30 00:00:00' + to_microseconds(CAST(round(CAST(x AS DOUBLE) * 86400000000) AS BIGINT))
    -- 2026年3月5日 14时02分09秒 / 2026年3月5日 14:02
    WHEN contains(x, '年')
      THEN try_cast(regexp_replace(regexp_replace(regexp_replace(replace(replace(replace(x, '年', '-'), '月', '-'), '日', ' '),
             '(时|点)', ':', 'g'), '分', ':', 'g'), '[秒:\\s]+$', '') AS TIMESTAMP)
    -- 2026.3.5
    WHEN regexp_full_match(x, '\\d{4}\\.\\d{1,2}\\.\\d{1,2}( .*)?')
      THEN try_cast(regexp_replace(x, '^(\\d{4})\\.(\\d{1,2})\\.(\\d{1,2})', '\\1-\\2-\\3') AS TIMESTAMP)
    ELSE try_cast(x AS TIMESTAMP)
  END;
CREATE OR REPLACE MACRO qz_ts(s) AS qz_ts_ascii(qz_ascii(s));
CREATE OR REPLACE MACRO qz_date(s) AS CAST(qz_ts(s) AS DATE);

-- numbers: thousands separators, currency marks, 万/亿
CREATE OR REPLACE MACRO qz_num_ascii(x) AS
  CASE
    WHEN x IS NULL THEN NULL
    WHEN suffix(x, '万') THEN try_cast(regexp_replace(x[1:-2], '[,¥￥ ]|元', '', 'g') AS DOUBLE) * 10000
    WHEN suffix(x, '亿') THEN try_cast(regexp_replace(x[1:-2], '[,¥￥ ]|元', '', 'g') AS DOUBLE) * 100000000
    ELSE try_cast(regexp_replace(x, '[,¥￥ ]|元|RMB|CNY', '', 'g') AS DOUBLE)
  END;
CREATE OR REPLACE MACRO qz_num(s) AS qz_num_ascii(qz_ascii(s));
CREATE OR REPLACE MACRO qz_amount_ascii(x) AS CAST(round(qz_num_ascii(x), 4) AS DECIMAL(18, 4));
CREATE OR REPLACE MACRO qz_int_ascii(x) AS
  CASE WHEN qz_num_ascii(x) = floor(qz_num_ascii(x)) AND abs(qz_num_ascii(x)) < 1e15 THEN CAST(qz_num_ascii(x) AS BIGINT) END;
-- money kept exact to 1/10000 so sums do not depend on summation order
CREATE OR REPLACE MACRO qz_amount(s) AS CAST(round(qz_num(s), 4) AS DECIMAL(18, 4));
CREATE OR REPLACE MACRO qz_int(s) AS
  CASE WHEN qz_num(s) = floor(qz_num(s)) AND abs(qz_num(s)) < 1e15 THEN CAST(qz_num(s) AS BIGINT) END;

-- booleans
CREATE OR REPLACE MACRO qz_bool_ascii(x) AS
  CASE
    WHEN lower(x) IN ('true', 't', 'yes', 'y', '1', '是', '对', '已退款', '退款') THEN true
    WHEN lower(x) IN ('false', 'f', 'no', 'n', '0', '否', '未退款', '无') THEN false
  END;
CREATE OR REPLACE MACRO qz_bool(s) AS qz_bool_ascii(qz_ascii(s));
-- WeCom 成员类型: 1 企业成员 (staff), 2 外部联系人 (customer); also plain booleans
CREATE OR REPLACE MACRO qz_staff_ascii(x) AS
  CASE
    WHEN lower(x) IN ('2', '外部联系人', '客户', 'customer', 'external') THEN false
    WHEN lower(x) IN ('企业成员', '员工', 'staff', 'employee', 'internal') THEN true
    ELSE qz_bool_ascii(x)
  END;
CREATE OR REPLACE MACRO qz_staff(s) AS qz_staff_ascii(qz_ascii(s));
CREATE OR REPLACE MACRO qz_join_scene_ascii(x) AS
  CASE
    WHEN x IN ('1', '直接邀请', '直接邀请入群') THEN 'direct_invite'
    WHEN x IN ('2', '邀请链接', '通过邀请链接入群') THEN 'invite_link'
    WHEN x IN ('3', '扫描群二维码', '扫码', '扫描二维码', '通过扫描群二维码入群') THEN 'qr_code'
  END;
CREATE OR REPLACE MACRO qz_join_scene(s) AS qz_join_scene_ascii(qz_ascii(s));

-- IDs: strings, never numbers; a value in scientific notation was mangled by Excel
CREATE OR REPLACE MACRO qz_id(s) AS qz_text(s);
CREATE OR REPLACE MACRO qz_id_mangled_ascii(x) AS regexp_full_match(x, '[0-9]+(\\.[0-9]+)?[eE][+-]?[0-9]+');
CREATE OR REPLACE MACRO qz_id_mangled(s) AS qz_id_mangled_ascii(qz_ascii(s));
`;
}

/**
 * Personal data kept out of anything published: phone numbers (1[3-9]\d{9}) masked to
 * 138****5678, openid/unionid-like and WeCom external IDs removed; markup characters made
 * inert (full-width ＜＞) so a `<script>` in a group name cannot reach a page or file raw.
 */
export function publicTextMacros(): string {
  // Each mask runs twice: a match consumes its delimiter, so "phone,phone" needs a second pass.
  return `
CREATE OR REPLACE MACRO qz_mask_phones(s) AS
  regexp_replace(s, '(^|[^0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})($|[^0-9])', '\\1\\2****\\3\\4', 'g');
CREATE OR REPLACE MACRO qz_mask_ids(s) AS
  regexp_replace(regexp_replace(s,
    '(^|[^A-Za-z0-9_-])o[A-Za-z0-9_-]{27}($|[^A-Za-z0-9_-])', '\\1[ID]\\2', 'g'),
    '(^|[^A-Za-z0-9_-])w[mo][A-Za-z0-9_-]{20,}($|[^A-Za-z0-9_-])', '\\1[ID]\\2', 'g');
CREATE OR REPLACE MACRO qz_public(s) AS
  CASE WHEN s IS NULL THEN NULL ELSE
    regexp_replace(translate(qz_mask_ids(qz_mask_ids(qz_mask_phones(qz_mask_phones(s)))), '<>', '＜＞'),
      '^([=+@\t\r])', '''\\1')
  END;
`;
}
