/**
 * Reports in a sandbox: a cell is one read-only statement over the shipped tables and earlier
 * cells, on a locked-down database, within a time limit. Every escape a probe found has a test
 * here, on the real DuckDB.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openNativeDb } from '../../src/db/native.ts';
import { ReportError } from '../../src/notebook/parse.ts';
import { runReports } from '../../src/notebook/index.ts';
import { statementWords } from '../../src/notebook/sandbox.ts';
import { nodeEffects, silentLogger } from '../../src/core/effects.ts';
import { tempDir } from '../helpers.ts';

const effects = nodeEffects(silentLogger);
let databaseFile = '';
let secretFile = '';
let outside = '';

beforeAll(async () => {
  const dir = tempDir();
  databaseFile = join(dir, 'shipped.duckdb');
  secretFile = join(dir, 'secret.csv');
  writeFileSync(secretFile, 'token\nTOP-SECRET\n');
  outside = join(dir, 'outside');
  const db = await openNativeDb({ path: databaseFile });
  await db.exec(`CREATE TABLE channel_summary AS SELECT * FROM (VALUES ('guide', 120), ('invite', 80), ('material', 40)) t(channel, joins)`);
  await db.exec(`CREATE VIEW big_channels AS SELECT * FROM channel_summary WHERE joins >= 80`);
  await db.close();
});

function report(cells: Record<string, string>): string {
  const dir = tempDir();
  mkdirSync(dir, { recursive: true });
  const body = Object.entries(cells).map(([name, sql]) => `\`\`\`sql ${name}\n${sql}\n\`\`\``);
  writeFileSync(join(dir, 'x.md'), ['---', 'title: X', '---', ...body].join('\n'));
  return dir;
}

function run(reportsDir: string, cellTimeoutSeconds?: number) {
  return runReports(effects, { databaseFile, asOf: '2026-10-31', reportsDir, shownAs: 'src/reports', cellTimeoutSeconds });
}

/** The one cell `leak` (line 4 of src/reports/x.md) is refused with a ReportError matching `message`. */
async function refused(sql: string, message: RegExp): Promise<string> {
  const error = await run(report({ leak: sql })).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, sql).toBeInstanceOf(ReportError);
  const text = (error as Error).message;
  expect(text, sql).toMatch(/^src\/reports\/x\.md:4: cell "leak" /);
  expect(text, sql).toMatch(message);
  expect(text, sql).not.toMatch(/TOP-SECRET|root:/);
  return text;
}

async function rowCount(): Promise<number> {
  const db = await openNativeDb({ path: databaseFile, readOnly: true });
  try {
    const [{ n }] = await db.rows<{ n: number }>(`SELECT count(*)::INT AS n FROM channel_summary`);
    return n;
  } finally {
    await db.close();
  }
}

describe('what a cell may be', () => {
  it('a cell reads the shipped tables and views, earlier cells and its own WITH names', async () => {
    const [view] = await run(
      report({
        big: `SELECT * FROM big_channels ORDER BY joins DESC`,
        top: `WITH ranked AS (SELECT *, row_number() OVER (ORDER BY joins DESC) AS r FROM big) SELECT channel FROM ranked WHERE r = 1`,
        // a cell's text goes to DuckDB as a value: quotes and parentheses in it stay text
        quoted: `SELECT 'it''s (not) ); over' AS s`,
        days: `SELECT range AS d FROM range(3) UNION ALL SELECT unnest([7])`,
        listed: `VALUES (1, 'a')`,
        columns: `DESCRIBE channel_summary`,
        summary: `SUMMARIZE SELECT joins FROM channel_summary`,
      }),
    );
    const cell = (name: string) => view.blocks.find((b) => b.kind === 'cell' && b.name === name) as { rows: unknown[][]; rowCount: number };
    expect(cell('big').rows).toEqual([['guide', 120], ['invite', 80]]);
    expect(cell('top').rows).toEqual([['guide']]);
    expect(cell('quoted').rows).toEqual([["it's (not) ); over"]]);
    expect(cell('days').rows.flat()).toEqual([0, 1, 2, 7]);
    expect(cell('listed').rows).toEqual([[1, 'a']]);
    expect(cell('columns').rows.map((r) => r[0])).toEqual(['channel', 'joins']);
    expect(cell('summary').rowCount).toBe(1);
  });

  it('a cell is one statement: a second one is refused, naming both', async () => {
    const message = await refused(`SELECT 1; COPY channel_summary TO '${outside}.csv'`, /must be one SELECT statement; found 2 statements \(SELECT …; COPY …\)\. Make each its own cell/);
    expect(message).not.toMatch(/failed/);
    await refused(`SELECT 1; SELECT 2`, /found 2 statements \(SELECT …; SELECT …\)/);
    expect(existsSync(`${outside}.csv`)).toBe(false);
  });

  it('a cell cannot close the parenthesis around it and run a statement of its own', async () => {
    await refused(`SELECT 1); COPY channel_summary TO '${outside}.csv'; SELECT (1`, /failed: Parser Error: syntax error at or near "\)"/);
    await refused(`SELECT 1) TO '${outside}.csv' (FORMAT csv); SELECT (1`, /failed: Parser Error/);
    expect(existsSync(`${outside}.csv`)).toBe(false);
  });

  it('a cell cannot write a file (COPY … TO, EXPORT DATABASE)', async () => {
    await refused(`COPY channel_summary TO '${outside}.csv'`, /must be one SELECT statement; found COPY …, which is not a SELECT\. A cell only reads: SELECT, WITH … SELECT/);
    await refused(`COPY (SELECT 1) TO '${outside}.csv'`, /found COPY …/);
    await refused(`EXPORT DATABASE '${outside}'`, /found EXPORT …/);
    expect(existsSync(`${outside}.csv`)).toBe(false);
    expect(existsSync(outside)).toBe(false);
  });

  it('a cell cannot attach a database, or install or load an extension', async () => {
    await refused(`ATTACH '${outside}.duckdb' AS other`, /found ATTACH …/);
    await refused(`INSTALL httpfs`, /found INSTALL …/);
    await refused(`LOAD httpfs`, /found LOAD …/);
    expect(existsSync(`${outside}.duckdb`)).toBe(false);
  });

  it('a cell cannot change a setting (SET, RESET, PRAGMA, CALL)', async () => {
    await refused(`SET enable_external_access = true`, /found SET …/);
    await refused(`RESET lock_configuration`, /found RESET …/);
    await refused(`SET VARIABLE leak = 1`, /found SET …/);
    await refused(`PRAGMA memory_limit = '10GB'`, /found PRAGMA …/);
    // PRAGMAs that DuckDB turns into a SELECT are still not SELECTs as written
    await refused(`PRAGMA database_list`, /found PRAGMA …/);
    await refused(`CALL pragma_database_list()`, /found CALL …/);
  });

  it('a cell cannot create, drop or change a table of the shipped database', async () => {
    await refused(`CREATE TABLE t AS SELECT 1`, /found CREATE …/);
    await refused(`CREATE TEMP TABLE channel_summary AS SELECT 'forged' AS channel, 1 AS joins`, /found CREATE …/);
    await refused(`DROP TABLE channel_summary`, /found DROP …/);
    await refused(`INSERT INTO channel_summary VALUES ('forged', 1)`, /found INSERT …/);
    await refused(`UPDATE channel_summary SET joins = 0`, /found UPDATE …/);
    await refused(`DELETE FROM channel_summary RETURNING *`, /found DELETE …/);
    await refused(`WITH gone AS (DELETE FROM channel_summary RETURNING *) SELECT * FROM gone`, /failed: Parser Error/);
    expect(await rowCount()).toBe(3);
  });

  it('a PIVOT without its values listed (two statements to DuckDB) says how to write it', async () => {
    await refused(`PIVOT channel_summary ON channel USING sum(joins)`, /a PIVOT is one only with its values listed: PIVOT … ON column IN/);
    const [view] = await run(report({ p: `PIVOT channel_summary ON channel IN ('guide', 'invite') USING sum(joins)` }));
    expect(view.blocks[0]).toMatchObject({ rows: [[120, 80]] });
  });
});

describe('what a cell may read', () => {
  it('a cell cannot read a file outside the shipped database', async () => {
    for (const sql of [
      `SELECT * FROM read_text('/etc/passwd')`,
      `SELECT * FROM read_csv('${secretFile}')`,
      `SELECT * FROM read_parquet('${secretFile}')`,
      `SELECT * FROM read_blob('${secretFile}')`,
      `SELECT * FROM glob('/etc/*')`,
      `SELECT * FROM sniff_csv('${secretFile}')`,
      `SELECT (SELECT content FROM read_text('/etc/passwd')) AS x`,
    ]) {
      await refused(sql, /reads (read_text|read_csv|read_parquet|read_blob|glob|sniff_csv)\(…\), which is not a table the site ships: a cell reads the tables the site ships and earlier cells of its report, and makes rows with range, generate_series, unnest/);
    }
    await refused(`SELECT * FROM '${secretFile}'`, new RegExp(`reads '${secretFile}', which is neither a table the site ships nor an earlier cell: .*\\(big_channels, channel_summary\\)`));
    await refused(`SELECT * FROM '/etc/passwd'`, /reads '\/etc\/passwd', which is neither/);
  });

  it('a cell cannot reach the network', async () => {
    await refused(`SELECT * FROM 'https://example.com/x.csv'`, /reads 'https:\/\/example\.com\/x\.csv', which is neither/);
    await refused(`SELECT * FROM read_csv('https://example.com/x.csv')`, /reads read_csv\(…\)/);
  });

  it('a cell cannot run SQL it builds from text (query, query_table, json_execute_serialized_sql)', async () => {
    await refused(`SELECT * FROM query('SELECT * FROM read_text(''/etc/passwd'')')`, /reads query\(…\)/);
    await refused(`SELECT * FROM query_table('channel_summary')`, /reads query_table\(…\)/);
    await refused(`SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))`, /reads json_execute_serialized_sql\(…\)/);
  });

  it("a cell cannot read the build machine's settings or environment", async () => {
    await refused(`SELECT current_setting('secret_directory') AS home`, /calls current_setting\(\), which reads the build machine's or DuckDB's settings/);
    await refused(`SELECT list_transform([1], x -> main.current_setting('temp_directory')) AS p`, /calls current_setting\(\)/);
    await refused(`SELECT getenv('HOME') AS home`, /calls getenv\(\)/);
    await refused(`SELECT getvariable('x') AS v`, /calls getvariable\(\)/);
    await refused(`SELECT * FROM duckdb_settings()`, /reads duckdb_settings\(…\)/);
    await refused(`SELECT * FROM duckdb_extensions()`, /reads duckdb_extensions\(…\)/);
    await refused(`SELECT * FROM enable_logging()`, /reads enable_logging\(…\)/);
  });

  it("a cell cannot read DuckDB's own catalog (file paths, settings)", async () => {
    for (const [sql, shown] of [
      [`SELECT path FROM duckdb_databases`, 'duckdb_databases'],
      [`SELECT * FROM pragma_database_list`, 'pragma_database_list'],
      [`SELECT * FROM pg_settings`, 'pg_settings'],
      [`SELECT * FROM pg_catalog.pg_settings`, 'pg_catalog.pg_settings'],
      [`SELECT * FROM system.main.duckdb_databases`, 'system.main.duckdb_databases'],
      [`SELECT * FROM information_schema.tables`, 'information_schema.tables'],
      [`SUMMARIZE pg_settings`, 'pg_settings'],
      // outside its WITH a CTE's name is the view again, so the name is refused anywhere
      [`SELECT * FROM (WITH pg_settings AS (SELECT 1) SELECT * FROM pg_settings), pg_settings`, 'pg_settings'],
    ]) {
      await refused(sql, new RegExp(`reads ${shown.replaceAll('.', '\\.')}, which is DuckDB's own catalog, not a table the site ships`));
    }
  });

  it('a cell reads only earlier cells, not later ones or tables that do not exist', async () => {
    const error = await run(report({ first: `SELECT * FROM second`, second: `SELECT 1 AS x` })).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ReportError);
    expect((error as Error).message).toMatch(/^src\/reports\/x\.md:4: cell "first" reads second, which is neither a table the site ships nor an earlier cell/);
  });

  it('a cell may not take the name of a DuckDB catalog view', async () => {
    const error = await run(report({ pg_settings: `SELECT 1 AS x` })).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/cell "pg_settings" has the name of a table of the database/);
  });
});

describe('the report database', () => {
  it('is locked down even for SQL that no check has seen', async () => {
    const db = await openNativeDb({ path: databaseFile, readOnly: true, lockedDown: true });
    try {
      const attempt = (sql: string) => db.exec(sql).then(() => 'ran', (e: Error) => e.message.split('\n')[0]);
      expect(await attempt(`SELECT * FROM read_text('${secretFile}')`)).toMatch(/^Permission Error: .*file system operations are disabled by configuration/);
      expect(await attempt(`COPY channel_summary TO '${outside}.csv'`)).toMatch(/^Permission Error/);
      expect(await attempt(`ATTACH '${outside}.duckdb' AS o`)).toMatch(/^Permission Error/);
      expect(await attempt(`LOAD httpfs`)).toMatch(/^Permission Error: Loading external extensions is disabled/);
      expect(await attempt(`INSTALL httpfs`)).toMatch(/^Permission Error/);
      for (const set of [`SET enable_external_access = true`, `SET memory_limit = '10GB'`, `RESET lock_configuration`, `SET autoload_known_extensions = true`, `PRAGMA threads = 1`]) {
        expect(await attempt(set), set).toMatch(/the configuration has been locked|Cannot enable external access/);
      }
      expect(await attempt(`DROP TABLE channel_summary`)).toMatch(/read-only mode/);
      // earlier cells live in temporary tables, which a read-only database still holds
      expect(await attempt(`CREATE TEMP TABLE earlier AS SELECT 1 AS x`)).toBe('ran');
      expect(existsSync(`${outside}.csv`)).toBe(false);
      const [settings] = await db.rows(
        `SELECT current_setting('enable_external_access') AS e, current_setting('autoload_known_extensions') AS al, current_setting('autoinstall_known_extensions') AS ai, current_setting('allow_community_extensions') AS c, current_setting('lock_configuration') AS l`,
      );
      expect(settings).toEqual({ e: false, al: false, ai: false, c: false, l: true });
    } finally {
      await db.close();
    }
  });
});

describe('the time limit', () => {
  it('a cell running past reportCellTimeoutSeconds is stopped, naming file, line, cell and the limit', async () => {
    const dir = report({
      quick: `SELECT 1 AS x`,
      slow: `SELECT count(*) AS n FROM range(100000000) a, range(100000000) b WHERE a.range + b.range = 7`,
    });
    const t0 = performance.now();
    const error = await run(dir, 0.5).catch((e: Error) => e);
    const seconds = (performance.now() - t0) / 1000;
    expect(error).toBeInstanceOf(ReportError);
    expect((error as Error).message).toBe(
      'src/reports/x.md:7: cell "slow" was stopped after 0.5 s (reportCellTimeoutSeconds in qunlens.config.json): make it read less, or raise the limit',
    );
    expect(seconds).toBeLessThan(15);
  }, 30_000);
});

describe('statementWords (for messages)', () => {
  it('names the first word of each statement, past comments and quoted text', () => {
    expect(statementWords(`-- a; b\nSELECT ';' AS "x;y" /* ; */; /* c */ (copy t TO 'f'); $$;$$ ;  attach 'x'`)).toEqual(['SELECT', 'COPY', 'ATTACH']);
    expect(statementWords(`  `)).toEqual([]);
  });
});
