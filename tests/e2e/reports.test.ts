/** Notebook reports in the build: run on the shipped database; a failing cell fails the build. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, type BuildOptions } from '../../src/build.ts';
import { ReportError } from '../../src/notebook/parse.ts';
import { nodeEffects, silentLogger } from '../../src/core/effects.ts';
import { i18n } from '../../src/i18n/index.ts';
import { FIXTURES, tempDir } from '../helpers.ts';

function options(reportsDir: string, outDir: string): BuildOptions {
  return { dataDir: join(FIXTURES, 'hand'), outDir, projectDir: tempDir(), render: false, salt: 'test-salt', builtAt: '2026-04-01T00:00:00.000Z', reportsDir };
}

function reportsDir(text: string): string {
  const dir = join(tempDir(), 'reports');
  mkdirSync(dir);
  writeFileSync(join(dir, 'joins.md'), text);
  return dir;
}

describe('reports in the build', () => {
  const out = join(tempDir(), 'dist');

  it('runs every report against the tables the site ships, with the build\'s as-of date', async () => {
    const dir = reportsDir('---\ntitle: Joins\n---\n{{total.joins | int}} joins.\n```sql total\nSELECT sum(joins) AS joins, ${as_of} AS as_of FROM channel_summary\n```\n');
    const result = await build(options(dir, out), nodeEffects(silentLogger));
    const [report] = result.site.reports;
    const summary = JSON.parse(readFileSync(join(out, 'data', 'summary.json'), 'utf8'));
    const joins = result.metrics.channels.reduce((s, c) => s + c.joins, 0);
    const html = `<p>${i18n('zh').int(joins)} joins.</p>\n`;
    expect(report.blocks[0]).toEqual({ kind: 'prose', html: { zh: html, en: html } });
    expect(report.blocks[1]).toMatchObject({ kind: 'cell', name: 'total', rows: [[joins, result.model.asOf]] });
    // the report ran on the as-of date the site publishes
    expect(summary.as_of).toBe(result.model.asOf);
  });

  it('fails on a broken cell naming file, cell and DuckDB\'s message; the previous site stays', async () => {
    const before = readFileSync(join(out, 'data', 'summary.json'));
    const dir = reportsDir('---\ntitle: Joins\n---\n\n```sql total\nSELECT sum(joinz) FROM channel_summary\n```\n');
    await expect(build(options(dir, out), nodeEffects(silentLogger))).rejects.toThrow(/reports\/joins\.md:5: cell "total" failed: Binder Error: Referenced column "joinz" not found/);
    expect(readFileSync(join(out, 'data', 'summary.json'))).toEqual(before);
    expect(existsSync(join(out, 'data', 'qunlens.duckdb'))).toBe(true);
  });

  it('stops a cell running past reportCellTimeoutSeconds from qunlens.config.json; the previous site stays', async () => {
    const before = readFileSync(join(out, 'data', 'summary.json'));
    const projectDir = tempDir();
    writeFileSync(join(projectDir, 'qunlens.config.json'), JSON.stringify({ reportCellTimeoutSeconds: 0.5 }));
    const dir = reportsDir('---\ntitle: Slow\n---\n```sql slow\nSELECT count(*) AS n FROM range(100000000) a, range(100000000) b WHERE a.range + b.range = 7\n```\n');
    const error = await build({ ...options(dir, out), projectDir }, nodeEffects(silentLogger)).catch((e: Error) => e);
    // a ReportError is an operator error: the CLI exits 1 with the message alone
    expect(error).toBeInstanceOf(ReportError);
    expect((error as Error).message).toMatch(/reports\/joins\.md:4: cell "slow" was stopped after 0\.5 s \(reportCellTimeoutSeconds in qunlens\.config\.json\)/);
    expect(readFileSync(join(out, 'data', 'summary.json'))).toEqual(before);
  }, 60_000);
});
