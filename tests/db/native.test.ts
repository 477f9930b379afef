/**
 * Native DuckDB's values as plain JS: one value of each type the code meets, pinned as the
 * connector gave them before it converted by column type (the `Db` contract in db/db.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNativeDb, type NativeDb } from '../../src/db/native.ts';

let db: NativeDb;
beforeAll(async () => {
  db = await openNativeDb();
});
afterAll(async () => db?.close());

const one = async (expr: string): Promise<unknown> => (await db.rows<{ v: unknown }>(`SELECT ${expr} AS v`))[0].v;

describe('native values as plain JS', () => {
  const cases: [string, unknown][] = [
    ['NULL', null],
    ['NULL::INTEGER', null],
    ['true', true],
    ['1::TINYINT', 1],
    ['-2::SMALLINT', -2],
    ['42::INTEGER', 42],
    ['42::BIGINT', 42],
    ['9007199254740993::BIGINT', 9007199254740992],
    ['200::UTINYINT', 200],
    ['4000000000::UINTEGER', 4000000000],
    ['18446744073709551615::UBIGINT', 18446744073709551615],
    ['170141183460469231731687303715884105727::HUGEINT', 1.7014118346046923e38],
    ['-5::HUGEINT', -5],
    ['12::UHUGEINT', 12],
    ['1.5::FLOAT', 1.5],
    ['0.1::DOUBLE', 0.1],
    ["'nan'::DOUBLE", NaN],
    ["'inf'::DOUBLE", Infinity],
    ['1234.5678::DECIMAL(18, 4)', 1234.5678],
    ['-0.01::DECIMAL(4, 2)', -0.01],
    ['123456789012345678.9::DECIMAL(38, 1)', 123456789012345680],
    ['0.1::DECIMAL(38, 20)', 0.1],
    ["'中文'", '中文'],
    ["'x'::BLOB", 'x'],
    ["'\\xAA'::BLOB", '\\xAA'],
    ["DATE '2026-03-01'", '2026-03-01'],
    ["TIMESTAMP '2026-03-01 12:34:56'", '2026-03-01 12:34:56'],
    ["TIMESTAMP '2026-03-01 12:34:56.789'", '2026-03-01 12:34:56.789'],
    ["TIMESTAMP_S '2026-03-01 12:34:56'", '2026-03-01 12:34:56'],
    ["TIMESTAMP_MS '2026-03-01 12:34:56.5'", '2026-03-01 12:34:56.5'],
    ["TIME '12:34:56'", '12:34:56'],
    ['INTERVAL 3 DAY', '3 days'],
    ["'6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID", '6ba7b810-9dad-11d1-80b4-00c04fd430c8'],
    ["'b'::ENUM('a', 'b')", 'b'],
    ['[1, 2, NULL]::BIGINT[]', [1, 2, null]],
    ["[DATE '2026-01-01']", ['2026-01-01']],
    ['[[1.5]]::DECIMAL(4, 1)[][]', [[1.5]]],
    ['[1, 2]::INTEGER[2]', [1, 2]],
    ["{'a': 1::BIGINT, 'b': 'x', 'c': [2.5::DECIMAL(3, 1)]}", { a: 1, b: 'x', c: [2.5] }],
    ["MAP {'k': 1}", "{'k': 1}"],
    ["'101'::BIT", '101'],
    ["'123'::BIGNUM", 123],
    ['union_value(k := 2)', '2'],
    ["TIMESTAMPTZ '2026-01-01 10:00:00+00'", '2026-01-01 10:00:00+00'],
    ["TIMETZ '10:00:00+02'", '10:00:00+02'],
    ["TIMESTAMP_NS '2026-01-01 10:00:00.123456789'", '2026-01-01 10:00:00.123456789'],
    ['1::VARIANT', '1'],
    ['[]::INTEGER[]', []],
    ["{'a': NULL}", { a: null }],
  ];
  for (const [expr, expected] of cases) {
    it(expr, async () => {
      expect(await one(expr)).toEqual(expected);
    });
  }

  it('a later column of the same name wins, as before', async () => {
    expect(await db.rows(`SELECT 1 AS a, 2 AS a`)).toEqual([{ a: 2 }]);
  });

  it('many rows, across chunks', async () => {
    const rows = await db.rows<{ i: number; d: string }>(`SELECT i, DATE '2026-01-01' + i::INTEGER AS d FROM range(5000) t(i)`);
    expect(rows.length).toBe(5000);
    expect(rows[4999]).toEqual({ i: 4999, d: '2039-09-09' });
  });
});

// The read step prepares a file (a DESCRIBE of a Parquet file, say) while DuckDB loads another,
// on the one connection: the connector runs a connection's statements one at a time, in order.
describe('one statement at a time', () => {
  it('statements asked for together run in the order asked, each after the one before', async () => {
    const [, [{ n }], , [{ m }]] = await Promise.all([
      db.exec(`CREATE OR REPLACE TABLE serial_t AS SELECT range AS x FROM range(2000000)`),
      db.rows<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM serial_t`),
      db.exec(`INSERT INTO serial_t SELECT range FROM range(5)`),
      db.rows<{ m: number }>(`SELECT count(*)::INTEGER AS m FROM serial_t`),
    ]);
    expect([n, m]).toEqual([2000000, 2000005]);
    // many at once, each reading what the one before it wrote (the threads' race shows more often)
    const steps = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0 ? db.exec(`CREATE OR REPLACE TABLE serial_t AS SELECT ${i} AS x`) : db.rows<{ x: number }>(`SELECT x FROM serial_t`),
    );
    const seen = (await Promise.all(steps)).filter((r): r is { x: number }[] => Array.isArray(r)).map((r) => r[0].x);
    expect(seen).toEqual(Array.from({ length: 20 }, (_, k) => 2 * k));
  });

  it('a failed statement does not stop the ones after it', async () => {
    const results = await Promise.allSettled([db.exec(`SELECT * FROM no_such_table`), db.rows<{ v: number }>(`SELECT 7 AS v`)]);
    expect(results[0].status).toBe('rejected');
    expect(results[1]).toEqual({ status: 'fulfilled', value: [{ v: 7 }] });
  });
});

describe('keepBlocks', () => {
  const setting = async (options: Parameters<typeof openNativeDb>[0]) => {
    const opened = await openNativeDb(options);
    try {
      return (await opened.rows<{ kept: string; limit: string }>(`SELECT current_setting('block_allocator_memory') AS kept, current_setting('memory_limit') AS "limit"`))[0];
    } finally {
      await opened.close();
    }
  };
  it('keeps up to the memory limit for reuse (the build and check databases)', async () => {
    const { kept, limit } = await setting({ memoryLimit: '500MB', keepBlocks: true });
    expect(limit).toBe('476.8 MiB');
    expect(kept).toBe(limit);
  });
  it('keeps nothing otherwise (report cells, tests, a database without a limit)', async () => {
    expect((await setting({ memoryLimit: '500MB' })).kept).toBe('0 bytes');
    expect((await setting({ keepBlocks: true })).kept).toBe('0 bytes');
  });
});
