import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openNativeDb } from '../../src/db/native.ts';
import { runReports } from '../../src/notebook/index.ts';
import { standaloneSql, type CellResult } from '../../src/notebook/run.ts';
import { nodeEffects, silentLogger } from '../../src/core/effects.ts';
import { tempDir } from '../helpers.ts';

const effects = nodeEffects(silentLogger);
let databaseFile = '';

beforeAll(async () => {
  databaseFile = join(tempDir(), 'shipped.duckdb');
  const db = await openNativeDb({ path: databaseFile });
  await db.exec(`CREATE TABLE channel_summary AS SELECT * FROM (VALUES ('guide', 120, 0.75), ('invite', 80, 0.5), ('material', 40, NULL)) t(channel, joins, retention_d30)`);
  await db.close();
});

function reports(files: Record<string, string>): string {
  const dir = tempDir();
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('runReports', () => {
  it('runs cells on the shipped database, later cells reading earlier ones, and fills the prose', async () => {
    const dir = reports({
      'a.md': [
        '---',
        'title: A',
        'parameters:',
        '  min_joins: 50',
        '---',
        'Best: **{{best.channel}}** at {{best.retention_d30 | pct}} of {{best.joins | int}}; as of {{meta.as_of}}.',
        '```sql big',
        'SELECT * FROM channel_summary WHERE joins >= ${min_joins} ORDER BY joins DESC',
        '```',
        '```sql best hidden',
        'SELECT * FROM big ORDER BY retention_d30 DESC LIMIT 1',
        '```',
        '```sql meta',
        'SELECT ${as_of} AS as_of, ${month_start} AS month_start',
        '```',
        '```chart',
        'data: big',
        'type: bar',
        'x: retention_d30',
        'y: channel',
        'title: Retention',
        'takeaway: {{best.channel}} keeps most: {{best.retention_d30 | pct}} <ok>',
        '```',
      ].join('\n'),
      'README.md': 'not a report',
    });
    const [view] = await runReports(effects, { databaseFile, asOf: '2026-10-31', reportsDir: dir, shownAs: 'src/reports' });
    expect(view.slug).toBe('a');
    expect(view.cells).toBe(3);
    const [prose, big, best, meta, chart] = view.blocks;
    const html = '<p>Best: <strong>guide</strong> at 75.0% of 120; as of 2026-10-31.</p>\n';
    expect(prose).toEqual({ kind: 'prose', html: { zh: html, en: html } });
    expect(big).toMatchObject({ kind: 'cell', name: 'big', rowCount: 2, rows: [['guide', 120, 0.75], ['invite', 80, 0.5]], sql: 'SELECT * FROM channel_summary WHERE joins >= 50 ORDER BY joins DESC' });
    expect(big.kind === 'cell' && big.columns.map((c) => c.name)).toEqual(['channel', 'joins', 'retention_d30']);
    // the cell as Explore would run it: the cell it reads in front of it as a CTE
    expect(best).toMatchObject({ kind: 'cell', hidden: true, exploreSql: 'WITH big AS (\nSELECT * FROM channel_summary WHERE joins >= 50 ORDER BY joins DESC\n)\nSELECT * FROM big ORDER BY retention_d30 DESC LIMIT 1' });
    expect(meta).toMatchObject({ rows: [['2026-10-31', '2026-10-01']] });
    // chart text is plain (the page escapes it); values fill in
    const text = { title: 'Retention', takeaway: 'guide keeps most: 75.0% <ok>' };
    expect(chart).toMatchObject({ kind: 'chart', spec: { zh: { data: 'big', ...text }, en: { data: 'big', ...text } } });
  });

  it("writes the values it quotes as each page's language does (i18n), in the prose and in chart text", async () => {
    const dir = reports({
      'q.md': [
        '---',
        'title: Q',
        '---',
        '{{v.share | pct}} · {{v.n | int}} · {{v.x | num}} · {{v.small | money}} · {{v.big | money}} · {{v.day | date}} · {{v.day}} · {{v.plain}} · {{v.label | pct}}',
        '```sql v',
        "SELECT 0.7412 AS share, 12345.6 AS n, 3.14159 AS x, 12.5 AS small, 1234.5 AS big, DATE '2026-10-31' AS day, 1234.5678 AS plain, 'a<b' AS label",
        '```',
        '```chart',
        'data: v',
        'type: bar',
        'x: n',
        'y: label',
        'title: Up to {{v.day | date}}',
        'takeaway: {{v.share | pct}} of {{v.n | int}}',
        '```',
      ].join('\n'),
    });
    const [view] = await runReports(effects, { databaseFile, asOf: '2026-10-31', reportsDir: dir, shownAs: 'src/reports' });
    const [prose, , chart] = view.blocks;
    // zh-CN and en-GB group and round numbers alike; dates are each language's own
    expect(prose).toEqual({
      kind: 'prose',
      html: {
        zh: '<p>74.1% · 12,346 · 3.1 · ¥12.5 · ¥1,235 · 2026年10月31日 · 2026-10-31 · 1,234.57 · a&lt;b</p>\n',
        en: '<p>74.1% · 12,346 · 3.1 · ¥12.5 · ¥1,235 · 31 Oct 2026 · 2026-10-31 · 1,234.57 · a&lt;b</p>\n',
      },
    });
    expect(chart).toMatchObject({
      kind: 'chart',
      spec: { zh: { title: 'Up to 2026年10月31日', takeaway: '74.1% of 12,346' }, en: { title: 'Up to 31 Oct 2026', takeaway: '74.1% of 12,346' } },
    });
  });

  it('fails naming the report file, the cell and DuckDB\'s message', async () => {
    const dir = reports({ 'broken.md': '---\ntitle: B\n---\n\n```sql oops\nSELECT no_such_column FROM channel_summary\n```\n' });
    await expect(runReports(effects, { databaseFile, asOf: '2026-10-31', reportsDir: dir, shownAs: 'src/reports' })).rejects.toThrow(
      /^src\/reports\/broken\.md:5: cell "oops" failed: Binder Error: Referenced column "no_such_column" not found/,
    );
  });

  it('cannot write to the shipped database or take the name of one of its tables', async () => {
    // the escapes one by one: sandbox.test.ts
    const write = reports({ 'w.md': '---\ntitle: W\n---\n```sql w\nDELETE FROM channel_summary RETURNING *\n```\n' });
    await expect(runReports(effects, { databaseFile, asOf: '2026-10-31', reportsDir: write, shownAs: 'src/reports' })).rejects.toThrow(/w\.md:4: cell "w" must be one SELECT statement; found DELETE …/);
    const shadow = reports({ 's.md': '---\ntitle: S\n---\n```sql channel_summary\nSELECT 1\n```\n' });
    await expect(runReports(effects, { databaseFile, asOf: '2026-10-31', reportsDir: shadow, shownAs: 'src/reports' })).rejects.toThrow(/has the name of a table of the database/);
  });

  it('names a {{value}} that points nowhere', async () => {
    const dir = reports({ 'v.md': '---\ntitle: V\n---\n{{nope.x}}\n```sql a\nSELECT 1 AS x\n```\n{{a.y}}\n' });
    await expect(runReports(effects, { databaseFile, asOf: '2026-10-31', reportsDir: dir, shownAs: 'src/reports' })).rejects.toThrow(/v\.md: \{\{nope\.x\}\} names no SQL cell/);
  });

  it('runs the reports shipped in src/reports/ without a data folder of their own', async () => {
    expect(await runReports(effects, { databaseFile, asOf: '2026-10-31', reportsDir: join(tempDir(), 'missing') })).toEqual([]);
  });
});

describe('standaloneSql', () => {
  const cell = (name: string, sql: string) => ({ name, sql }) as CellResult;
  it('merges with a WITH of its own and follows what earlier cells read', () => {
    const earlier = [cell('a', 'SELECT 1 AS x'), cell('b', 'SELECT x FROM a'), cell('c', 'SELECT 3')];
    expect(standaloneSql('WITH z AS (SELECT * FROM b) SELECT * FROM z', earlier)).toBe('WITH a AS (\nSELECT 1 AS x\n),\nb AS (\nSELECT x FROM a\n),\nz AS (SELECT * FROM b) SELECT * FROM z');
    expect(standaloneSql('SELECT 1', earlier)).toBe('SELECT 1');
  });
});
