/**
 * The real command line on fixture folders: what an operator sees and what reaches dist/.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CSV_OUTPUTS } from '../../src/outputs/outputs.ts';
import { copyFixture, hashTree, readCsvObjects, runCli, tempDir } from '../helpers.ts';

const REQUIRED_COLUMNS: Record<string, string[]> = {
  'channel_summary.csv': ['channel', 'joins', 'activation_rate', 'retention_d7', 'retention_d30', 'retention_d90', 'conversion_30d', 'repurchase_rate', 'gmv_per_joiner_90d'],
  'membership_survival.csv': ['channel', 'day', 'at_risk', 'events', 'survival', 'lower', 'upper'],
  'activity_retention.csv': ['channel', 'week', 'eligible', 'retained', 'rate', 'lower', 'upper'],
  'group_survival.csv': ['group_type', 'day', 'at_risk', 'events', 'survival', 'lower', 'upper'],
  'lifespan_summary.csv': ['group_type', 'groups', 'deaths', 'median_days', 'median_lower', 'median_upper'],
  'type_benchmarks.csv': ['group_type', 'metric', 'groups', 'p25', 'p50', 'p75'],
  'groups.csv': ['group_id', 'group_type', 'size', 'weekly_active_ratio', 'lifespan_days', 'status', 'flags'],
  'data_quality.csv': ['file', 'line', 'column', 'severity', 'message'],
};

/** Every file under a folder as text (binary files as latin1 and UTF-8, so they are searched too). */
function allFiles(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const bytes = readFileSync(join(e.parentPath, e.name));
      return { path: join(e.parentPath, e.name), text: bytes.toString('latin1') + bytes.toString('utf8') };
    });
}

describe('npm run build on a fixture folder (full site)', () => {
  let out: string;
  let stderr: string;
  beforeAll(async () => {
    const data = copyFixture('hand');
    // personal data an operator's export really contains
    const members = join(data, 'members.csv');
    writeFileSync(members, readFileSync(members, 'utf8').replace(/^f1,/m, '13812345678,').replace(/^e2,/m, 'oTmHYjg2O7UlaW8hyR9jbD2fUnZY,'));
    const orders = join(data, 'orders.csv');
    writeFileSync(orders, readFileSync(orders, 'utf8').replace(/,f1,/g, ',13812345678,'));
    const groups = join(data, 'groups.csv');
    writeFileSync(groups, readFileSync(groups, 'utf8').replace('摄影兴趣群', '<script>alert(1)</script>摄影群 联系13987654321'));
    out = join(tempDir(), 'dist');
    const run = await runCli(['build', '--data', data, '--out', out], { cwd: tempDir(), env: { QUNLENS_SALT: 'test' } });
    stderr = run.stderr;
    expect(run.code, run.stderr).toBe(0);
  }, 180_000);

  it('prints one progress line per step', () => {
    for (const step of ['read', 'validate', 'model', 'metrics', 'outputs', 'render', 'publish']) expect(stderr).toMatch(new RegExp(`^  ${step} .*\\d+\\.\\ds$`, 'm'));
  });

  it('writes every machine-readable output with its columns, as UTF-8 with BOM', () => {
    for (const file of Object.keys(CSV_OUTPUTS)) {
      const bytes = readFileSync(join(out, 'data', file));
      expect([...bytes.subarray(0, 3)], file).toEqual([0xef, 0xbb, 0xbf]);
    }
    for (const [file, columns] of Object.entries(REQUIRED_COLUMNS)) {
      const header = readFileSync(join(out, 'data', file), 'utf8').replace(/^\uFEFF/, '').split('\n')[0].split(',');
      expect(header.slice(0, columns.length), file).toEqual(columns);
    }
    expect(existsSync(join(out, 'data', 'qunlens.duckdb'))).toBe(true);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
  });

  it('publishes no phone number, unionid, raw member ID or raw markup', () => {
    const files = allFiles(out);
    for (const { path, text } of files) {
      expect(text, path).not.toContain('13812345678');
      expect(text, path).not.toContain('13987654321');
      expect(text, path).not.toContain('oTmHYjg2O7UlaW8hyR9jbD2fUnZY');
      expect(text, path).not.toContain('<script>alert');
      // data files carry no digit run that even looks like a phone number
      if (/\.(csv|json|duckdb)$/.test(path)) expect(text, path).not.toMatch(/1[3-9]\d{9}/);
    }
    // the member IDs of the fixture appear nowhere (hashed)
    const memberships = readFileSync(join(out, 'data', 'qunlens.duckdb')).toString('latin1');
    for (const id of ['a1', 'b2', 'c1']) expect(memberships).not.toMatch(new RegExp(`\\b${id},`));
    const group = readCsvObjects(join(out, 'data', 'groups.csv')).find((g) => g.group_id === 'G5')!;
    expect(group.name).toBe('＜script＞alert(1)＜/script＞摄影群 联系139****4321');
    // the group page text is escaped too
    expect(readFileSync(join(out, 'index.html'), 'utf8')).not.toContain('<script>alert');
  });
});

describe('a missing required column stops the build', () => {
  it('exits non-zero naming members.csv and joined_at, and leaves the previous site intact', async () => {
    const out = join(tempDir(), 'dist');
    const good = await runCli(['build', '--data', copyFixture('hand'), '--out', out, '--no-render'], { cwd: tempDir(), env: { QUNLENS_SALT: 'test' } });
    expect(good.code, good.stderr).toBe(0);
    const before = hashTree(out);

    const broken = copyFixture('hand');
    const members = join(broken, 'members.csv');
    writeFileSync(members, readFileSync(members, 'utf8').replace('joined_at', 'join_date'));
    const inputBefore = hashTree(broken);
    const run = await runCli(['build', '--data', broken, '--out', out], { cwd: tempDir(), env: { QUNLENS_SALT: 'test' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/members\.csv: required column joined_at is missing/);
    expect(run.stderr).toMatch(/headers found: "member_id", "group_id", "join_date"/);
    expect(run.stderr).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
    expect(hashTree(out)).toEqual(before);
    expect(hashTree(broken)).toEqual(inputBefore);
    // nothing left behind next to the output: dist, a link, and the site's folder it points to
    expect(readdirSync(join(out, '..')).sort()).toEqual(['dist', basename(realpathSync(out))].sort());
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
  });

  it('a missing required file is named with what was found', async () => {
    const dir = copyFixture('hand');
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'groups.csv'));
    const run = await runCli(['build', '--data', dir, '--out', join(tempDir(), 'dist')], { cwd: tempDir() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the groups table is required but no file in .* is one: name its file groups, 客户群, 客户群列表, 群列表 or 群台账 .* \(found: channels\.csv, members\.csv, messages\.csv, orders\.csv\)/);
  });

  it('a data folder that does not exist is named, without a stack trace', async () => {
    const run = await runCli(['build', '--data', join(tempDir(), 'nowhere'), '--out', join(tempDir(), 'dist'), '--no-render'], { cwd: tempDir() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: data folder .*nowhere does not exist$/m);
    expect(run.stderr).not.toMatch(/unexpectedly/);
  });

  it('a damaged workbook saved as .csv is read as a workbook and gets a message saying so', async () => {
    const dir = copyFixture('hand');
    writeFileSync(join(dir, 'orders.csv'), Buffer.from('PK\u0003\u0004 not really a zip'));
    const run = await runCli(['check', '--data', dir], { cwd: tempDir() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/orders\.csv: cannot be read as an Excel workbook: the zip archive has no end/);
  });
});

describe('npm run check', () => {
  it('exits 0 on clean data and 1 when rows are rejected, listing them', async () => {
    const clean = await runCli(['check', '--data', copyFixture('hand')], { cwd: tempDir() });
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/0 errors/);
    const dir = copyFixture('hand');
    const members = join(dir, 'members.csv');
    writeFileSync(members, readFileSync(members, 'utf8') + 'x1,G1,2026-13-45,,导购,,2,\n');
    const bad = await runCli(['check', '--data', dir], { cwd: tempDir() });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/error {3}members\.csv:17 \[joined_at\] joined_at "2026-13-45" is not a date/);
  });

  it('rejects a bad option with usage', async () => {
    const run = await runCli(['build', '--as-of', '31/03/2026'], { cwd: tempDir() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--as-of must be a date as YYYY-MM-DD/);
  });
});
