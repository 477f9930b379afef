/**
 * What a killed build leaves behind, and how the next build puts it right.
 *
 * A build that fails cleans up after itself; one that is killed (kill -9, a power cut, an
 * out-of-memory killer) cannot. Every folder a build makes carries its process ID:
 *
 *   dist.build-<pid>-<random>    the site it writes (published by switching the dist link)
 *   dist.link-<pid>-<random>     the new link, for an instant before it replaces dist
 *   dist.previous-<pid>          an older site moved aside (a folder at dist becoming a link;
 *                                or every build, before qunlens used links or without them)
 *   dist.staging-<pid>-<random>  the site being written, before qunlens used links
 *   .qunlens/render-<pid>-…      Astro's pages, before they move into the site (in the project)
 *   <temp>/qunlens-work-<pid>-…  DuckDB's spill and the data files (qunlens-check-… for check)
 *
 * At its start a build restores a missing output from `dist.previous-*` and removes the
 * others, unless they are the published site or their process still runs (a build running
 * beside it), and says so in one line each.
 */
import { tmpdir } from 'node:os';
import type { Effects } from '../core/effects.ts';
import { RENDER_ROOT } from '../render/folders.ts';
import { PublishError } from './publish.ts';

/** Prefix for mkdtemp: a work folder in the OS temp folder, named with this process's ID. */
export function workFolderPrefix(kind: 'work' | 'check', effects: Effects): string {
  return effects.path.join(tmpdir(), `qunlens-${kind}-${process.pid}-`);
}

/** True when a process with this ID exists (ours or another user's). */
export function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Leftover {
  path: string;
  kind: string;
  pid: number;
}

async function listFolder(effects: Effects, dir: string): Promise<string[]> {
  try {
    return await effects.readdir(dir);
  } catch {
    return [];
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Entries of `dir` named by `pattern` (groups: kind, pid) whose process is not running. */
async function deadBuildsIn(effects: Effects, dir: string, pattern: RegExp): Promise<Leftover[]> {
  const found: Leftover[] = [];
  for (const name of await listFolder(effects, dir)) {
    const match = pattern.exec(name);
    if (!match) continue;
    const pid = Number(match[2]);
    if (!isRunning(pid)) found.push({ path: effects.path.join(dir, name), kind: match[1], pid });
  }
  return found;
}

function besideOutput(effects: Effects, outDir: string): RegExp {
  return new RegExp(`^${escapeRegExp(effects.path.basename(outDir))}\\.(build|link|previous|staging)-(\\d+)(?:-[0-9a-f]+)?$`);
}

/** How a leftover is named in the log: relative to the working folder when inside it. */
function shown(effects: Effects, path: string): string {
  const relative = effects.path.relative(process.cwd(), path);
  return relative && !relative.startsWith('..') && !effects.path.isAbsolute(relative) ? relative : path;
}

/**
 * The output is missing and an older site sits aside (`dist.previous-<pid>` of a build that no
 * longer runs): a build was killed between moving the old site aside and putting the new one in
 * place. The old site goes back.
 */
async function restoreOutput(effects: Effects, outDir: string, leftovers: Leftover[]): Promise<Leftover | null> {
  if ((await effects.kind(outDir)) !== 'missing') return null;
  for (const aside of leftovers.filter((l) => l.kind === 'previous')) {
    if (!(await effects.exists(effects.path.join(aside.path, 'data', 'summary.json')))) continue;
    await effects.rename(aside.path, outDir);
    effects.log.info(`recovered ${shown(effects, outDir)} from ${effects.path.basename(aside.path)} (a build was killed while publishing)`);
    return aside;
  }
  return null;
}

/** The folder the output link points to (the published site), if it is a link. */
async function publishedFolder(effects: Effects, outDir: string): Promise<string | null> {
  if ((await effects.kind(outDir)) !== 'link') return null;
  return effects.path.resolve(effects.path.dirname(outDir), await effects.readlink(outDir));
}

/**
 * Before a build: restore an output a killed build left missing, then remove every folder
 * builds that no longer run left behind (never the published site, never a running build's).
 */
export async function recoverLeftovers(effects: Effects, outDir: string): Promise<void> {
  if ((await effects.kind(outDir)) === 'file') throw new PublishError(`${outDir} is a file, not a site: remove it or choose another --out`);
  const beside = await deadBuildsIn(effects, effects.path.dirname(outDir), besideOutput(effects, outDir));
  const restored = await restoreOutput(effects, outDir, beside);
  const published = await publishedFolder(effects, outDir);
  const stale = [
    ...beside.filter((l) => l !== restored && l.path !== published),
    ...(await deadBuildsIn(effects, RENDER_ROOT, /^(render)-(\d+)-[0-9a-f]+$/)),
    ...(await deadBuildsIn(effects, tmpdir(), /^qunlens-(work|check)-(\d+)-\w+$/)),
  ];
  const removed: string[] = [];
  for (const leftover of stale) {
    try {
      await effects.rm(leftover.path);
      removed.push(shown(effects, leftover.path));
    } catch (error) {
      effects.log.warn(`could not remove ${leftover.path}, left by a build that no longer runs: ${(error as Error).message}`);
    }
  }
  if (removed.length) {
    const names = removed.length > 4 ? `${removed.slice(0, 4).join(', ')} and ${removed.length - 4} more` : removed.join(', ');
    effects.log.info(`removed ${removed.length} ${removed.length === 1 ? 'folder' : 'folders'} left by builds that no longer run (${names})`);
  }
}
