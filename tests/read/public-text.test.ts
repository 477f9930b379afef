/**
 * qz_public, the one filter published text passes through (values.ts publicTextMacros): what it
 * masks, what it defuses, and what it must leave alone. The same table runs through
 * `publicTexts`, the way text built in JavaScript reaches it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNativeDb, type NativeDb } from '../../src/db/native.ts';
import { sqlString } from '../../src/db/db.ts';
import { publicTextMacros, publicTexts } from '../../src/read/values.ts';

let db: NativeDb;
beforeAll(async () => {
  db = await openNativeDb();
  await db.exec(publicTextMacros());
});
afterAll(() => db.close());

/** [input, published] */
const CASES: [string, string][] = [
  // mobile numbers in every common formatting
  ['13812345678', '138****5678'],
  ['138 1234 5678', '138****5678'],
  ['138-1234-5678', '138****5678'],
  ['138.1234.5678', '138****5678'],
  ['+86 138 1234 5678', '138****5678'],
  ['+86-138-1234-5678', '138****5678'],
  ['+8613812345678', '138****5678'],
  ['8613812345678', '138****5678'],
  ['0086 13812345678', '138****5678'],
  ['(+86)138-1234-5678', '138****5678'],
  ['（+86）13812345678', '138****5678'],
  ['电话：+86 138 1234 5678。', '电话：138****5678。'],
  ['１３８１２３４５６７８', '１３８****５６７８'],
  ['１３８　１２３４　５６７８', '１３８****５６７８'],
  ['张店长13812345678的群', '张店长138****5678的群'],
  ['tel13812345678', 'tel138****5678'],
  ['13812345678,13987654321', '138****5678,139****4321'],
  ['13812345678,13987654321,13711112222', '138****5678,139****4321,137****2222'],
  // ID-card numbers
  ['110105194912310021', '110***********0021'],
  ['11010519491231002X', '110***********002X'],
  ['11010519491231002x', '110***********002x'],
  ['110105 19491231 002X', '110***********002X'],
  ['110105 1949 1231 002X', '110***********002X'],
  ['110105-19491231-002X', '110***********002X'],
  ['身份证110105194912310021。', '身份证110***********0021。'],
  // e-mail addresses
  ['zhang.san@example.com', 'z***@example.com'],
  ['联系 a+b_c@mail.qq.com 或', '联系 a***@mail.qq.com 或'],
  ['13812345678@163.com', '1***@163.com'],
  ['a@b.cn', 'a***@b.cn'],
  // WeChat / WeCom IDs
  ['owner oTmHYjg2O7UlaW8hyR9jbD2fUnZY x', 'owner [ID] x'],
  ['wmAbCdEf0123456789abcdef01', '[ID]'],
  // markup and formulas
  ['<script>alert(1)</script>福利群', '＜script＞alert(1)＜/script＞福利群'],
  ['=HYPERLINK("http://x","y")', `'=HYPERLINK("http://x","y")`],
  ['@SUM(1)', "'@SUM(1)"],
  ['+1', "'+1"],
  ['-1', "'-1"],
  ["-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"],
  ['\t=1', "'\t=1"],
  ['\r=1', "'\r=1"],
  ['  =1', "'  =1"],
  ['=13812345678', "'=138****5678"],
  // left alone: what is not personal and cannot run
  ['12345678901234567', '12345678901234567'], // a 17-digit group ID
  ['1234567890123456789', '1234567890123456789'], // 19 digits
  ['订单 2138123456789', '订单 2138123456789'],
  ['2026-03-05 13:12:34', '2026-03-05 13:12:34'],
  ['满100减20', '满100减20'],
  ['A-1组', 'A-1组'],
  ['SH-XH 徐汇店', 'SH-XH 徐汇店'],
  ['第1,380,000名', '第1,380,000名'],
  ['12345678', '12345678'],
  ['10086', '10086'],
  ['400-820-8820', '400-820-8820'],
  ['021-6123-4567', '021-6123-4567'],
  ['user@localhost', 'user@localhost'],
  ["'=1", "'=1"],
  ['签到', '签到'],
  ['', ''],
];

async function sql(input: string): Promise<string> {
  const [row] = await db.rows<{ v: string }>(`SELECT qz_public(${sqlString(input)}) AS v`);
  return row.v;
}

describe('qz_public', () => {
  it.each(CASES)('%j → %j', async (input, published) => {
    expect(await sql(input)).toBe(published);
  });

  it('is idempotent: published text passed through again is unchanged', async () => {
    for (const [, published] of CASES) expect(await sql(published), published).toBe(published);
  });

  it('keeps NULL as NULL', async () => {
    const [row] = await db.rows<{ v: string | null }>(`SELECT qz_public(NULL::VARCHAR) AS v`);
    expect(row.v).toBeNull();
  });
});

describe('publicTexts (text built in JavaScript)', () => {
  it('gives what the SQL macro gives, in order, NULLs kept', async () => {
    const inputs = [...CASES.map(([input]) => input), null];
    expect(await publicTexts(db, inputs)).toEqual([...CASES.map(([, published]) => published), null]);
  });

  it('handles more texts than one statement takes', async () => {
    const inputs = Array.from({ length: 2500 }, (_, i) => `${i} 1381234${String(i).padStart(4, '0')}`);
    const out = await publicTexts(db, inputs);
    expect(out).toHaveLength(2500);
    expect(out[2499]).toBe('2499 138****2499');
  });
});
