import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNativeDb, type NativeDb } from '../../src/db/native.ts';
import { sqlString } from '../../src/db/db.ts';
import { NUMBER_LIMITS } from '../../src/core/contract.ts';
import { dateBounds, parse, publicTextMacros, valueMacros } from '../../src/read/values.ts';

let db: NativeDb;
beforeAll(async () => {
  db = await openNativeDb();
  await db.exec(valueMacros('Asia/Shanghai', { dates: { earliest: '2000-01-01', latest: '2026-12-07' } }) + publicTextMacros());
});
afterAll(() => db.close());

async function one(expr: string): Promise<unknown> {
  const [row] = await db.rows<{ v: unknown }>(`SELECT ${expr} AS v`);
  return row.v;
}
const ts = (s: string | null) => one(`qz_ts(${s === null ? 'NULL' : sqlString(s)})`);

describe('datetimes (DATA.md Values)', () => {
  it.each([
    ['2026-03-05 14:02', '2026-03-05 14:02:00'],
    ['2026-03-05 14:02:09', '2026-03-05 14:02:09'],
    ['2026-03-05T14:02:09', '2026-03-05 14:02:09'],
    ['2026-03-05 14:02:09.250', '2026-03-05 14:02:09.25'],
    ['2026/3/5 14:02', '2026-03-05 14:02:00'],
    ['2026/3/5 14:02:09', '2026-03-05 14:02:09'],
    ['2026/03/05', '2026-03-05 00:00:00'],
    ['2026-3-5', '2026-03-05 00:00:00'],
    ['2026.3.5', '2026-03-05 00:00:00'],
    ['2026年3月5日', '2026-03-05 00:00:00'],
    ['2026年3月5日 14:02', '2026-03-05 14:02:00'],
    ['2026年3月5日 14时02分09秒', '2026-03-05 14:02:09'],
    ['２０２６年３月５日', '2026-03-05 00:00:00'],
    ['２０２６－０３－０５　１４：０２', '2026-03-05 14:02:00'],
    [' 2026-03-05 14:02:09 ', '2026-03-05 14:02:09'],
  ])('%s → %s (local)', async (input, expected) => {
    expect(await ts(input)).toBe(expected);
  });

  it('converts explicit offsets into the configured zone', async () => {
    expect(await ts('2026-03-05T14:02:09+08:00')).toBe('2026-03-05 14:02:09');
    expect(await ts('2026-03-05T06:02:09Z')).toBe('2026-03-05 14:02:09');
    expect(await ts('2026-03-05 22:30:00-05:00')).toBe('2026-03-06 11:30:00');
    expect(await ts('2026-03-05 14:02:09+0800')).toBe('2026-03-05 14:02:09');
  });

  it('reads epoch seconds and milliseconds as instants', async () => {
    // 1772690529 = 2026-03-05T06:02:09Z = 14:02:09 in Shanghai
    expect(await ts('1772690529')).toBe('2026-03-05 14:02:09');
    expect(await ts('1772690529123')).toBe('2026-03-05 14:02:09.123');
  });

  it('reads Excel serial days as local wall-clock time', async () => {
    expect(await ts('46086')).toBe('2026-03-05 00:00:00');
    expect(await ts('46086.5')).toBe('2026-03-05 12:00:00');
  });

  it.each(['2026-13-45', '2026-02-30', 'yesterday', '3/5/2026', '12345678', '2026-03-05 25:61'])('rejects %s', async (input) => {
    expect(await ts(input)).toBeNull();
  });

  it('treats blanks and dashes as no value', async () => {
    for (const blank of ['', '  ', '-', '--', null]) expect(await ts(blank)).toBeNull();
    expect(await one(`qz_text('--')`)).toBeNull();
  });

  it('has a date variant', async () => {
    expect(await one(`CAST(qz_date('2026/3/5 23:59:59') AS VARCHAR)`)).toBe('2026-03-05');
    expect(await one(`CAST(qz_date('2026-03-04T16:30:00Z') AS VARCHAR)`)).toBe('2026-03-05');
  });
});

describe('dates (a day column, e.g. checkins.date): the fast path agrees with the general parser', () => {
  // parse.date reads a plain column: r is the raw field, a its normalised text (the same here)
  const day = (s: string) => one(`(SELECT CAST(${parse.date('r', 'a')} AS VARCHAR) FROM (SELECT ${sqlString(s)} AS r, ${sqlString(s)} AS a))`);
  it.each([
    ['2026-03-05', '2026-03-05'],
    ['2026-03-05 23:59:59', '2026-03-05'],
    ['2026/3/5', '2026-03-05'],
    ['2026年3月5日', '2026-03-05'],
    ['2024-02-29', '2024-02-29'],
  ])('%s → %s', async (input, want) => expect(await day(input)).toBe(want));
  it.each(['2026-02-30', '2026-13-01', '2026-03-5x'])('rejects %s', async (input) => expect(await day(input)).toBeNull());
});

describe('numbers', () => {
  it.each([
    ['12.5', 12.5],
    ['1,234.50', 1234.5],
    ['１２３', 123],
    ['¥99', 99],
    ['99元', 99],
    ['1.2万', 12000],
    ['-3', -3],
    ['3e2', 300],
  ])('%s → %d', async (input, expected) => {
    expect(await one(`qz_num(${sqlString(input)})`)).toBe(expected);
  });
  it('keeps amounts exact', async () => {
    expect(await one(`CAST(qz_amount('0.1') + qz_amount('0.2') AS VARCHAR)`)).toBe('0.3000');
  });
  it('rejects text and blanks', async () => {
    expect(await one(`qz_num('abc')`)).toBeNull();
    expect(await one(`qz_num('--')`)).toBeNull();
  });
  it('integers must be whole', async () => {
    expect(await one(`qz_int('12')`)).toBe(12);
    expect(await one(`qz_int('1.5')`)).toBeNull();
  });
});

describe('plausible dates (DateBounds)', () => {
  it('end the day after the build, in the configured zone', () => {
    // 04:00 UTC is noon in Shanghai; 17:00 UTC is already the next day there
    expect(dateBounds('2000-01-01', new Date('2026-12-06T04:00:00Z'), 'Asia/Shanghai')).toEqual({ earliest: '2000-01-01', latest: '2026-12-07' });
    expect(dateBounds('2000-01-01', new Date('2026-12-06T17:00:00Z'), 'Asia/Shanghai').latest).toBe('2026-12-08');
    expect(dateBounds('2000-01-01', new Date('2026-12-06T17:00:00Z'), 'UTC').latest).toBe('2026-12-07');
    expect(dateBounds('2000-01-01', new Date('2026-12-31T04:00:00Z'), 'Asia/Shanghai').latest).toBe('2027-01-01');
    expect(dateBounds('2000-01-01', new Date('2028-02-28T04:00:00Z'), 'Asia/Shanghai').latest).toBe('2028-02-29');
  });
  it('are macros the checks compare typed values with', async () => {
    expect(await one(`CAST(qz_earliest() AS VARCHAR)`)).toBe('2000-01-01');
    expect(await one(`CAST(qz_latest() AS VARCHAR)`)).toBe('2026-12-07');
  });
  it('leave the typo\'d years of the probes outside, whatever their format', async () => {
    // parsed, then out of bounds: the parser reads them, the check (checks.ts) rejects them
    for (const [input, day] of [
      ['9999-12-31', '9999-12-31'],
      ['2099-03-05 10:00:00', '2099-03-05'],
      ['0001-01-01', '0001-01-01'],
      ['99999', '2173-10-13'], // Excel serial day
      ['9999999999999', '2286-11-21'], // epoch milliseconds
      ['9999999999', '2286-11-21'], // epoch seconds
      ['10000', '1927-05-18'], // Excel serial day before 2000
    ]) {
      expect(await one(`CAST(CAST(qz_ts(${sqlString(input)}) AS DATE) AS VARCHAR)`), input).toBe(day);
      expect(await one(`qz_ts(${sqlString(input)}) < qz_earliest() OR qz_ts(${sqlString(input)}) >= CAST(qz_latest() + 1 AS TIMESTAMP)`), input).toBe(true);
    }
    expect(await one(`qz_ts('2026-12-07 23:59:59') >= CAST(qz_latest() + 1 AS TIMESTAMP)`)).toBe(false);
    expect(await one(`qz_ts('2026-12-08 00:00:00') >= CAST(qz_latest() + 1 AS TIMESTAMP)`)).toBe(true);
  });
});

describe('amounts, counts and points: never a throw, never a guess', () => {
  const amount = (s: string) => one(`CAST(qz_amount(${sqlString(s)}) AS VARCHAR)`);
  /** the ingest expression: fast path on the raw field, general parser on its normalised text */
  const viaParse = (kind: 'amount' | 'integer' | 'number', s: string) =>
    one(`(SELECT CAST(${parse[kind]('r', 'a')} AS VARCHAR) FROM (SELECT ${sqlString(s)} AS r, qz_ascii(${sqlString(s)}) AS a))`);
  const reason = (s: string, max: number = NUMBER_LIMITS.amount) => one(`qz_num_reason(${sqlString(s)}, ${max})`);

  it.each([
    ['1,234.50', '1234.5000'],
    ['1234.5', '1234.5000'],
    ['¥1,234', '1234.0000'],
    ['1,234', '1234.0000'], // a comma before three digits is a thousands separator
    ['1.2万', '12000.0000'],
    ['¥1.2万', '12000.0000'],
    ['１２３', '123.0000'],
    ['１，２３４．５', '1234.5000'],
    ['12,345,678', '12345678.0000'],
    ['99元', '99.0000'],
    ['RMB 100', '100.0000'],
    ['0.12345', '0.1235'],
    ['100000000', '100000000.0000'], // the largest amount accepted
  ])('amount %s → %s, by the macro and by the ingest expression', async (input, want) => {
    expect(await amount(input)).toBe(want);
    expect(await viaParse('amount', input)).toBe(want);
  });

  it.each([
    ['1e309', 'not finite'],
    ['Infinity', 'not finite'],
    ['inf', 'not finite'],
    ['-inf', 'not finite'],
    ['NaN', 'not finite'],
    ['1e14', 'too large'],
    ['99999999999999.9999', 'too large'],
    ['100000000.01', 'too large'],
    ['2亿', 'too large'],
    ['1,2,3', 'grouping'],
    ['1,2345', 'grouping'],
    ['1,234,5', 'grouping'],
    ['1.234,5', 'decimal comma'],
    ['12,5', 'decimal comma'],
    ['12,50', 'decimal comma'],
    ['1_2_3', null],
    ['abc', null],
  ])('amount %s is no amount (%s)', async (input, why) => {
    expect(await amount(input)).toBeNull();
    expect(await viaParse('amount', input)).toBeNull();
    expect(await reason(input)).toBe(why);
  });

  it.each([
    ['12', '12'],
    ['007', '7'],
    ['+5', '5'],
    ['1e3', '1000'],
    ['1,234', '1234'],
    ['１２', '12'],
    ['100000', '100000'],
  ])('count %s → %s', async (input, want) => expect(await viaParse('integer', input)).toBe(want));

  // a plain BIGINT cast rounds '1.5' to 2 and reads '0x1F' and '1_000': the fast path must not
  it.each(['1.5', '2.5', '0x1F', '1_000', '1,2,3', '12,5', 'inf', 'NaN', '1e309', '100001', '999999999999999', '1e14'])('count %s is no count', async (input) => {
    expect(await viaParse('integer', input)).toBeNull();
    expect(await one(`qz_int(${sqlString(input)})`)).toBeNull();
  });

  it.each([
    ['-3.5', '-3.5'],
    ['10', '10.0'],
    ['12,345', '12345.0'],
    ['1.2万', '12000.0'],
    ['-1000000000', '-1000000000.0'],
  ])('points %s → %s', async (input, want) => expect(await viaParse('number', input)).toBe(want));

  it.each(['inf', 'Infinity', 'NaN', '1e309', '1e10', '-1e10', '1,2,3', '1.234,5', '1_000'])('points %s are no number', async (input) => {
    expect(await viaParse('number', input)).toBeNull();
    expect(await one(`qz_number(${sqlString(input)})`)).toBeNull();
  });

  it('parse every probe in one columnar pass without an error', async () => {
    const probes = ['1e309', 'Infinity', 'NaN', '-inf', '1e14', '99999999999999.9999', '1e400', '-1e400', '1,2,3', '1.234,5', '12,5', '9'.repeat(40), `1${'0'.repeat(310)}`, '1e-400', '亿', '万', ',', '.', 'e', '0x', '--1'];
    const rows = await db.rows(`SELECT ${parse.amount('r', 'a')} AS amount, ${parse.integer('r', 'a')} AS count, ${parse.number('r', 'a')} AS points,
        qz_num_reason(r, ${NUMBER_LIMITS.amount}) AS why
      FROM (SELECT r, qz_ascii(r) AS a FROM (VALUES ${probes.map((p) => `(${sqlString(p)})`).join(', ')}) v(r))`);
    expect(rows).toHaveLength(probes.length);
  });
});

describe('booleans, staff flag, join scene, IDs', () => {
  it('booleans', async () => {
    for (const t of ['true', 'TRUE', '是', '1', 'Y']) expect(await one(`qz_bool(${sqlString(t)})`)).toBe(true);
    for (const f of ['false', '否', '0', 'n']) expect(await one(`qz_bool(${sqlString(f)})`)).toBe(false);
    expect(await one(`qz_bool('maybe')`)).toBeNull();
  });
  it('WeCom 成员类型', async () => {
    expect(await one(`qz_staff('1')`)).toBe(true);
    expect(await one(`qz_staff('2')`)).toBe(false);
    expect(await one(`qz_staff('企业成员')`)).toBe(true);
    expect(await one(`qz_staff('外部联系人')`)).toBe(false);
  });
  it('join scene', async () => {
    expect(await one(`qz_join_scene('3')`)).toBe('qr_code');
    expect(await one(`qz_join_scene('邀请链接')`)).toBe('invite_link');
    expect(await one(`qz_join_scene('9')`)).toBeNull();
  });
  it('flags IDs mangled into scientific notation', async () => {
    expect(await one(`qz_id_mangled('1.38E+10')`)).toBe(true);
    expect(await one(`qz_id_mangled('１.２３Ｅ＋１７')`)).toBe(true);
    expect(await one(`qz_id_mangled('wmABC123')`)).toBe(false);
    expect(await one(`qz_id_mangled('13812345678')`)).toBe(false);
  });
});

describe('public text', () => {
  it('masks phone numbers, including adjacent ones', async () => {
    expect(await one(`qz_public('张店长13812345678的群')`)).toBe('张店长138****5678的群');
    expect(await one(`qz_public('13812345678,13987654321')`)).toBe('138****5678,139****4321');
    expect(await one(`qz_public('订单 2138123456789')`)).toBe('订单 2138123456789');
  });
  it('removes unionid-like and external IDs', async () => {
    expect(await one(`qz_public('owner oTmHYjg2O7UlaW8hyR9jbD2fUnZY x')`)).toBe('owner [ID] x');
    expect(await one(`qz_public('wmAbCdEf0123456789abcdef01')`)).toBe('[ID]');
  });
  it('makes markup inert and guards spreadsheet formulas', async () => {
    expect(await one(`qz_public('<script>alert(1)</script>福利群')`)).toBe('＜script＞alert(1)＜/script＞福利群');
    expect(await one(`qz_public('=HYPERLINK(1)')`)).toBe("'=HYPERLINK(1)");
  });
});
