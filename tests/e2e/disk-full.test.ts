/**
 * A full disk is the operator's to fix, not a bug: builds into really full file systems (small
 * tmpfs mounts) stop with exit 1 and one message, and the previous site stays. Mounting needs
 * root (CI runs as root); elsewhere these tests are skipped and say why.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { openNativeDb } from '../../src/db/native.ts';
import { isDiskFull } from '../../src/publish/disk-full.ts';
import { copyFixture, hashTree, runCli, tempDir } from '../helpers.ts';

const ENV = { QUNLENS_SALT: 'test' };
const mounted: string[] = [];

/** A fresh tmpfs of this size, or the reason there can be none here. */
function mountTmpfs(size: string): string {
  const dir = tempDir('qunlens-small-disk-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  mounted.push(dir);
  return dir;
}

function whyNoMount(): string | null {
  try {
    mountTmpfs('64k');
    return null;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return `mount -t tmpfs is not permitted here (${stderr || (error as Error).message.split('\n')[0]})`;
  }
}

const noMount = whyNoMount();

afterAll(() => {
  for (const dir of mounted) spawnSync('umount', ['-l', dir]);
});

/** The disk-full message, naming the folder. */
const diskFull = (folder: string) =>
  new RegExp(`^error: the disk is full: writing .+ in ${folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} needed more space \\([\\d.]+ (bytes|KiB|MiB) free on that filesystem\\); free some space.* and build again; the previous site is unchanged$`, 'm');

describe.skipIf(noMount !== null)(noMount ? `a full disk (skipped: ${noMount})` : 'a full disk', () => {
  it('a full output disk stops the build with exit 1 and a message, and the previous site stays', async () => {
    const disk = mountTmpfs('10m'); // room for one data-only site (6 MB), not two
    const out = join(disk, 'dist');
    const data = copyFixture('hand');
    const first = await runCli(['build', '--data', data, '--out', out, '--no-render'], { cwd: tempDir(), env: ENV });
    expect(first.code, first.stderr).toBe(0);
    const before = hashTree(out);

    const run = await runCli(['build', '--data', data, '--out', out, '--no-render', '--force'], { cwd: tempDir(), env: ENV });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(diskFull(disk));
    expect(run.stderr).not.toMatch(/unexpectedly|at .*\.ts:\d+/);
    expect(hashTree(out)).toEqual(before);
    expect(readdirSync(disk).sort()).toEqual(['dist', basename(realpathSync(out))].sort());
  }, 120_000);

  it("a full temporary folder (DuckDB's database and spill) stops the build the same way", async () => {
    const disk = mountTmpfs('2m');
    const out = join(tempDir(), 'dist');
    const data = copyFixture('hand');
    const first = await runCli(['build', '--data', data, '--out', out, '--no-render'], { cwd: tempDir(), env: ENV });
    expect(first.code, first.stderr).toBe(0);
    const before = hashTree(out);

    const run = await runCli(['build', '--data', data, '--out', out, '--no-render', '--force'], { cwd: tempDir(), env: { ...ENV, TMPDIR: disk } });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(diskFull(disk));
    expect(run.stderr).toMatch(/\(qunlens-work-\d+-\w+\/\S+\) in /);
    expect(run.stderr).toMatch(/or set TMPDIR to a folder on a larger disk/);
    expect(run.stderr).not.toMatch(/unexpectedly|at .*\.ts:\d+/);
    expect(hashTree(out)).toEqual(before);
    expect(readdirSync(disk)).toEqual([]); // its work folder removed
  }, 120_000);

  it('recognises the errors a full file system really gives: Node, a worker thread, DuckDB, another process', async () => {
    const disk = mountTmpfs('64k');
    writeFileSync(join(disk, 'filler'), Buffer.alloc(60 << 10)); // whatever fits
    const big = Buffer.alloc(256 << 10, 1);
    const caught = async (write: () => Promise<unknown>) => write().then(() => null, (error: unknown) => error);

    const node = await caught(() => writeFile(join(disk, 'node.bin'), big));
    expect((node as NodeJS.ErrnoException).code).toBe('ENOSPC');

    const worker = await caught(
      () =>
        new Promise((resolve, reject) => {
          const thread = new Worker(`require('node:fs').writeFileSync(${JSON.stringify(join(disk, 'worker.bin'))}, Buffer.alloc(256 << 10))`, { eval: true });
          thread.once('error', reject);
          thread.once('exit', resolve);
        }),
    );

    const db = await openNativeDb({ memoryLimit: '256MB' });
    const duckdb = await caught(() => db.exec(`COPY (SELECT range AS n, repeat('x', 100) AS pad FROM range(100000)) TO '${join(disk, 'duck.csv')}'`));
    // the Parquet parts a very large messages.csv is read into (events.ts)
    const parts = await caught(() => db.exec(`COPY (SELECT range AS n, md5(range::VARCHAR) AS pad, range % 3 AS __slice FROM range(100000)) TO '${join(disk, 'parts')}' (FORMAT parquet, PARTITION_BY (__slice), OVERWRITE)`));
    await db.close();

    const child = spawnSync(process.execPath, ['-e', `require('node:fs').writeFileSync(${JSON.stringify(join(disk, 'child.bin'))}, Buffer.alloc(256 << 10))`], { encoding: 'utf8' });
    const astroLike = new Error(`Astro could not render the pages: ${child.stderr.trim().split('\n').slice(-4).join('\n')}`);

    for (const [source, error] of Object.entries({ node, worker, duckdb, parts, astroLike })) {
      expect(error, source).toBeInstanceOf(Error);
      expect(isDiskFull(error), `${source}: ${(error as Error).message}`).toBe(true);
    }
    expect(isDiskFull(new Error('IO Error: Cannot open file "x": Permission denied'))).toBe(false);
  }, 60_000);
});
