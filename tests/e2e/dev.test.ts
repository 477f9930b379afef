/**
 * Inputs that change under a build: `npm run dev` waits until a file being copied is complete,
 * and no build (dev's or `npm run build`'s) publishes a site from inputs that changed while it
 * ran. Real processes, real files written slowly.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyFixture, hashTree, runCli, startCli, tempDir, type RunningCli } from '../helpers.ts';

const ENV = { QUNLENS_SALT: 'test' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** members.csv with two more memberships: 16 counted instead of 14 (the first row is staff) */
function grownMembers(data: string): Buffer {
  return Buffer.concat([readFileSync(join(data, 'members.csv')), Buffer.from('x1,G2,2026-02-10 11:00:00,,导购,,2,\nx2,G3,2026-02-11 09:00:00,,导购,,2,\n')]);
}

function publishedMemberships(out: string): number | null {
  try {
    return JSON.parse(readFileSync(join(out, 'data', 'summary.json'), 'utf8')).memberships;
  } catch {
    return null;
  }
}

/** Every memberships count the published site shows, read every 50 ms until `until` resolves. */
async function watchPublished(out: string, until: () => boolean, timeoutMs: number): Promise<Set<number | null>> {
  const seen = new Set<number | null>();
  const start = Date.now();
  while (!until()) {
    seen.add(publishedMemberships(out));
    if (Date.now() - start > timeoutMs) throw new Error(`timed out; seen ${[...seen].join(', ')}`);
    await sleep(50);
  }
  seen.add(publishedMemberships(out));
  return seen;
}

describe('npm run dev with files still being written', () => {
  let dev: RunningCli | undefined;
  afterEach(async () => {
    dev?.child.kill('SIGTERM');
    await dev?.exited;
    dev = undefined;
  });

  async function startDev(settle: string): Promise<{ data: string; out: string }> {
    const data = copyFixture('hand');
    const out = join(tempDir(), 'dist');
    dev = startCli(['dev', '--data', data, '--out', out, '--no-render', '--port', '0', '--settle', settle], { cwd: tempDir(), env: ENV });
    await dev.waitFor(/^serving .* at http:\/\/127\.0\.0\.1:\d+\//m, 120_000);
    expect(publishedMemberships(out)).toBe(14);
    return { data, out };
  }

  it('never builds or publishes the half of a file copied slowly (half, a 2 s pause, the rest)', async () => {
    const { data, out } = await startDev('3');
    const from = dev!.stderr().length;
    const full = grownMembers(data);
    const half = Math.floor(full.length / 2);
    const writing = (async () => {
      writeFileSync(join(data, 'members.csv'), full.subarray(0, half));
      await sleep(2000);
      appendFileSync(join(data, 'members.csv'), full.subarray(half));
    })();
    const seen = await watchPublished(out, () => publishedMemberships(out) === 16, 120_000);
    await writing;
    expect([...seen].sort()).toEqual([14, 16]);
    // one build read the inputs, the whole file: none started during the pause
    expect(dev!.stderr().slice(from).match(/^ {2}read /gm)).toHaveLength(1);
    expect(dev!.stderr().slice(from)).toMatch(/changed: rebuilding once its files have not changed for 3s/);
  }, 240_000);

  it('throws away a build whose input changed while it ran, and builds again', async () => {
    const { data, out } = await startDev('0.5');
    const from = dev!.stderr().length;
    const full = grownMembers(data);
    const half = Math.floor(full.length / 2);
    writeFileSync(join(data, 'members.csv'), full.subarray(0, half));
    // the half file settles and its build starts; the rest arrives once it has read its inputs
    const writing = (async () => {
      await dev!.waitFor(/^ {2}hash /m, 60_000, from);
      appendFileSync(join(data, 'members.csv'), full.subarray(half));
    })();
    const seen = await watchPublished(out, () => publishedMemberships(out) === 16, 180_000);
    await writing;
    expect([...seen].sort()).toEqual([14, 16]);
    const log = dev!.stderr().slice(from);
    expect(log).toMatch(/the input files changed while the site was being built \(members\.csv changed from [\d,]+ to [\d,]+ bytes in .*\), so this site was not published: rebuilding once they stop changing/);
    expect(log.match(/^ {2}read /gm)!.length).toBeGreaterThanOrEqual(2);
  }, 240_000);
});

describe('npm run build with an input changing while it runs', () => {
  it('stops with exit 1, publishes nothing and leaves nothing behind', async () => {
    const data = copyFixture('hand');
    const parent = tempDir();
    const out = join(parent, 'dist');
    const first = await runCli(['build', '--data', data, '--out', out, '--no-render'], { cwd: tempDir(), env: ENV });
    expect(first.code, first.stderr).toBe(0);
    const before = hashTree(out);
    const build = startCli(['build', '--data', data, '--out', out, '--no-render', '--force'], { cwd: tempDir(), env: ENV });
    await build.waitFor(/^ {2}hash /m);
    appendFileSync(join(data, 'members.csv'), 'x1,G2,2026-02-10 11:00:00,,导购,,2,\n');
    const { code } = await build.exited;
    expect(code, build.stderr()).toBe(1);
    expect(build.stderr()).toMatch(/^error: the input files changed while the site was being built \(members\.csv changed from 772 to [\d,]+ bytes in .*\), so this site was not published: build again once the files are complete$/m);
    expect(build.stderr()).not.toMatch(/unexpectedly/);
    expect(hashTree(out)).toEqual(before);
    expect(readdirSync(parent).sort()).toEqual(['dist', basename(realpathSync(out))].sort());
    expect(existsSync(out)).toBe(true);
  }, 120_000);
});
