/**
 * Publishing under fire: real builds killed with SIGKILL at random instants around publish, a
 * dist/ folder from an older qunlens, Astro's process outliving a killed build, and what the
 * next build does with the leftovers. Real processes, real folders.
 */
import { cpSync, existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD_KEY_FILE } from '../../src/publish/build-key.ts';
import { recoverLeftovers } from '../../src/publish/leftovers.ts';
import { RENDER_ROOT } from '../../src/render/folders.ts';
import { nodeEffects } from '../../src/core/effects.ts';
import { CSV_OUTPUTS } from '../../src/outputs/outputs.ts';
import { copyFixture, descendants, hashTree, processAlive, runCli, startCli, tempDir } from '../helpers.ts';

const ENV = { QUNLENS_SALT: 'test' };
/** publish waits this long before each change to the file system, so random kills fall between them */
const PAUSE_MS = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil<T>(test: () => T, timeoutMs: number, what: string): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = test();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** Recovery as a build runs it, in this process, with its lines collected. */
async function recover(out: string): Promise<string[]> {
  const lines: string[] = [];
  await recoverLeftovers(nodeEffects({ step() {}, info: (l) => lines.push(l), warn: (l) => lines.push(`warning: ${l}`) }), out);
  return lines;
}

/** Folders in the OS temp folder and in .qunlens/ named for this process ID. */
function ownedElsewhere(pid: number): string[] {
  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);
  return [
    ...list(tmpdir()).filter((n) => n.startsWith(`qunlens-work-${pid}-`)).map((n) => join(tmpdir(), n)),
    ...list(RENDER_ROOT).filter((n) => n.startsWith(`render-${pid}-`)).map((n) => join(RENDER_ROOT, n)),
  ];
}

describe('publishing', () => {
  const data = copyFixture('hand');
  /** a folder holding dist (a link) and its site, built with pages: the "old" site of every try */
  let pristine: string;
  let oldKey: string;
  let oldTree: Record<string, string>;
  /** the files of a data-only site (the "new" site of the kill tries) */
  let newFiles: string[];

  beforeAll(async () => {
    pristine = tempDir();
    const built = await runCli(['build', '--data', data, '--out', join(pristine, 'dist')], { cwd: tempDir(), env: ENV });
    expect(built.code, built.stderr).toBe(0);
    oldTree = hashTree(join(pristine, 'dist'));
    oldKey = JSON.parse(readFileSync(join(pristine, 'dist', BUILD_KEY_FILE), 'utf8')).key;
    const other = join(tempDir(), 'dist');
    const dataOnly = await runCli(['build', '--data', data, '--out', other, '--no-render'], { cwd: tempDir(), env: ENV });
    expect(dataOnly.code, dataOnly.stderr).toBe(0);
    newFiles = Object.keys(hashTree(other)).sort();
  }, 300_000);

  /** A copy of the pristine output (link and site folder) in a fresh folder. */
  function freshOutput(): { parent: string; out: string } {
    const parent = tempDir();
    cpSync(pristine, parent, { recursive: true, verbatimSymlinks: true });
    return { parent, out: join(parent, 'dist') };
  }

  /** What the output path holds: the old site byte for byte, or a whole new one. Throws otherwise. */
  function siteAt(out: string): 'old' | 'new' {
    expect(existsSync(join(out, 'data', 'summary.json')), `${out}: data/summary.json`).toBe(true);
    JSON.parse(readFileSync(join(out, 'data', 'summary.json'), 'utf8'));
    const key = JSON.parse(readFileSync(join(out, BUILD_KEY_FILE), 'utf8')).key;
    if (key === oldKey) {
      expect(existsSync(join(out, 'index.html'))).toBe(true);
      expect(hashTree(out)).toEqual(oldTree);
      return 'old';
    }
    expect(Object.keys(hashTree(out)).sort()).toEqual(newFiles);
    for (const file of Object.keys(CSV_OUTPUTS)) expect(existsSync(join(out, 'data', file)), file).toBe(true);
    return 'new';
  }

  it('the output is always a whole site, old or new, when a build is killed at a random instant around publish', async () => {
    const tries = Number(process.env.QUNLENS_KILL_TRIES ?? 12);
    const env = { ...ENV, QUNLENS_TEST_PUBLISH_PAUSE_MS: String(PAUSE_MS) };
    const args = (out: string) => ['build', '--data', data, '--out', out, '--no-render', '--force'];
    // how long a build takes, and from its last step before publish to its end (this machine, now)
    const timed = startCli(args(freshOutput().out), { cwd: tempDir(), env });
    const started = performance.now();
    const pageData = await timed.waitFor(/^ {2}page data /m);
    await timed.exited;
    const whole = performance.now() - started;
    const tail = performance.now() - pageData;
    const outcomes = { old: 0, new: 0, leftovers: 0 };
    const log: string[] = [`build ${Math.round(whole)} ms, of which ${Math.round(tail)} ms from "page data" to its end`];
    for (let i = 0; i < tries; i++) {
      const { parent, out } = freshOutput();
      const run = startCli(args(out), { cwd: tempDir(), env });
      // three tries in four around publish (from the last step before it to a little past the
      // end, each at a random instant in its own slice of that span), the others anywhere
      const anywhere = i % 4 === 3;
      let delay: number;
      if (anywhere) delay = Math.random() * whole;
      else {
        await run.waitFor(/^ {2}page data /m);
        const slice = i - Math.floor(i / 4);
        const slices = tries - Math.floor(tries / 4);
        delay = ((slice + Math.random()) / slices) * tail * 1.2;
      }
      await sleep(delay);
      run.child.kill('SIGKILL');
      const ended = await run.exited;
      const pid = run.child.pid!;
      const state = siteAt(out);
      outcomes[state]++;
      const leftBeside = readdirSync(parent).length - 2;
      const leftElsewhere = ownedElsewhere(pid).length;
      if (leftBeside + leftElsewhere > 0) outcomes.leftovers++;
      // the next build's recovery: the same site, and nothing else beside it
      const lines = await recover(out);
      expect(siteAt(out)).toBe(state);
      expect(readdirSync(parent).sort()).toEqual(['dist', basename(realpathSync(out))].sort());
      expect(ownedElsewhere(pid)).toEqual([]);
      // (what it left elsewhere, another test's build may have removed first: only these are ours alone)
      if (leftBeside > 0) expect(lines.join('\n')).toMatch(/^removed \d+ folders? left by builds that no longer run \(/m);
      log.push(`${anywhere ? 'anywhere' : 'publish '} +${Math.round(delay)} ms: ${ended.signal ?? `exit ${ended.code}`}, ${state} site, ${leftBeside} beside + ${leftElsewhere} elsewhere left`);
    }
    console.log(`kill tries: ${tries}, old site ${outcomes.old}, new site ${outcomes.new}, tries that left folders ${outcomes.leftovers}\n  ${log.join('\n  ')}`);
    expect(outcomes.old + outcomes.new).toBe(tries);
  }, 900_000);

  it('a dist/ folder from an older qunlens becomes a link; a build killed while moving it is recovered by the next', async () => {
    const parent = tempDir();
    const out = join(parent, 'dist');
    cpSync(realpathSync(join(pristine, 'dist')), out, { recursive: true }); // a real folder, as qunlens used to write
    const run = startCli(['build', '--data', data, '--out', out, '--no-render', '--force'], { cwd: tempDir(), env: { ...ENV, QUNLENS_TEST_PUBLISH_PAUSE_MS: '1500' } });
    const aside = join(parent, `dist.previous-${run.child.pid}`);
    await waitUntil(() => existsSync(aside), 120_000, 'the old site to be moved aside');
    // the one instant without an output: once per output folder, when the folder becomes a link
    expect(existsSync(out)).toBe(false);
    run.child.kill('SIGKILL');
    await run.exited;

    const next = await runCli(['build', '--data', data, '--out', out, '--no-render', '--force'], { cwd: tempDir(), env: ENV });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(`from dist.previous-${run.child.pid} (a build was killed while publishing)`);
    expect(next.stderr).toMatch(/dist was a folder and is now a link to the folder this build wrote/);
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
    expect(siteAt(out)).toBe('new');
    expect(readdirSync(parent).sort()).toEqual(['dist', basename(realpathSync(out))].sort());
  }, 300_000);

  it("Astro's process ends within seconds of its build being killed, and only the next build removes what they left", async () => {
    // killed as soon as Astro's process exists (before it has even started up), and while it renders
    for (const astroRunsMs of [0, 2000]) {
      const { parent, out } = freshOutput();
      const run = startCli(['build', '--data', data, '--out', out, '--force'], { cwd: tempDir(), env: ENV });
      const pid = run.child.pid!;
      await waitUntil(() => descendants(pid).some((p) => p.command.includes('astro-build')), 180_000, "Astro's process");
      await sleep(astroRunsMs);
      const family = descendants(pid);
      const folders = [...readdirSync(parent).filter((n) => n.startsWith(`dist.build-${pid}-`)).map((n) => join(parent, n)), ...ownedElsewhere(pid)];
      expect(folders).toHaveLength(3); // the site being written, Astro's pages, the work folder

      // a build starting beside a running one leaves the running one's folders alone
      expect((await recover(out)).join('\n')).not.toContain(`-${pid}-`);
      for (const folder of folders) expect(existsSync(folder), folder).toBe(true);

      run.child.kill('SIGKILL');
      await run.exited;
      const killedAt = Date.now();
      await waitUntil(() => family.every((p) => !processAlive(p.pid)), 3_000, `the build's processes to end: ${family.map((p) => p.command.slice(0, 80)).join('; ')}`);
      console.log(`build killed ${astroRunsMs} ms into Astro: the ${family.length} processes it started (${family.map((p) => basename(p.command.split(' ')[1] ?? p.command)).join(', ')}) were gone ${Date.now() - killedAt} ms after it`);

      expect(siteAt(out)).toBe('old');
      expect((await recover(out)).join('\n')).toMatch(/^removed \d+ folders left by builds that no longer run \(/m);
      for (const folder of folders) expect(existsSync(folder), folder).toBe(false);
      expect(siteAt(out)).toBe('old');
    }
  }, 400_000);
});
