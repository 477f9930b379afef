/**
 * Publishing a built site so that the output path holds a complete site at every instant, the
 * old one or the new one, even when the build is killed.
 *
 * The output path (`dist`) is a symbolic link to a folder beside it, one per build
 * (`dist.build-<pid>-<random>`). A build writes its whole site into its own folder, makes a
 * link to it under a temporary name and renames that link over the output path. rename(2)
 * replaces the old link in one step, so whoever opens `dist/…` (a web server, a copy, the next
 * build) finds one whole site or the other, never none and never a mix. The old site's folder
 * is removed afterwards; if the build is killed first, the next build removes it
 * (leftovers.ts).
 *
 * A real folder at the output path (from a version of qunlens before links, or made by hand)
 * cannot be replaced that way: it is moved aside to `dist.previous-<pid>` and the link takes
 * its place. That is the one moment with no output, once per output folder, and a build
 * killed right then is recovered by the next. On a file system without symbolic links (FAT,
 * some network shares) every build publishes by those same two renames.
 */
import { randomBytes } from 'node:crypto';
import type { Effects } from '../core/effects.ts';

/** The output path cannot take a site (it is a file): the operator picks another. */
export class PublishError extends Error {
  override name = 'PublishError';
}

const random = () => randomBytes(3).toString('hex');

/** The folder a build writes its site into, beside the output path. */
export function newSiteFolder(outDir: string): string {
  return `${outDir}.build-${process.pid}-${random()}`;
}

/** Where an older site is moved while a real folder at the output path becomes a link. */
export function asideFolder(outDir: string): string {
  return `${outDir}.previous-${process.pid}`;
}

/** A site folder of this output path (as its link names it), which a later publish removes. */
function isSiteFolderOf(target: string, outDir: string, effects: Effects): boolean {
  const base = effects.path.basename(outDir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${base}\\.build-\\d+-[0-9a-f]+$`).test(target);
}

/** errno codes of a file system that cannot hold a symbolic link */
const NO_SYMLINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EINVAL']);

const errno = (error: unknown) => (error as NodeJS.ErrnoException)?.code ?? '';

/**
 * For the tests that kill a build while it publishes: wait this long before each change to the
 * file system, so that a kill at a random instant can fall between any two of them.
 */
function pauseBeforeEachChange(): Promise<void> {
  const ms = Number(process.env.QUNLENS_TEST_PUBLISH_PAUSE_MS ?? 0);
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

export type PublishedAs = 'link' | 'link, replacing a folder' | 'renames';

/**
 * Make `site` (a complete site folder beside outDir) the output. It throws only when the output
 * was left as it was (the caller may then remove `site`); once it returns, `site` is the
 * published site. Removing the old site is best effort: a later build finishes it.
 */
export async function publishSite(effects: Effects, site: string, outDir: string): Promise<PublishedAs> {
  const link = `${outDir}.link-${process.pid}-${random()}`;
  try {
    await pauseBeforeEachChange();
    await effects.symlink(effects.path.basename(site), link);
  } catch (error) {
    if (!NO_SYMLINKS.has(errno(error))) throw error;
    await swapByRenames(effects, site, outDir);
    return 'renames';
  }
  try {
    const current = await effects.kind(outDir);
    if (current === 'directory') {
      await replaceFolderByLink(effects, link, outDir);
      return 'link, replacing a folder';
    }
    if (current === 'file') throw new PublishError(`${outDir} is a file, not a site: remove it or choose another --out`);
    const previous = current === 'link' ? await effects.readlink(outDir) : null;
    await pauseBeforeEachChange();
    await effects.rename(link, outDir);
    if (previous !== null && isSiteFolderOf(previous, outDir, effects)) await removeOldSite(effects, effects.path.join(effects.path.dirname(outDir), previous));
    return 'link';
  } finally {
    await effects.rm(link).catch(() => undefined); // gone already when it was renamed into place
  }
}

/** The output path is a real folder: move it aside, put the link in its place, remove it. */
async function replaceFolderByLink(effects: Effects, link: string, outDir: string): Promise<void> {
  const aside = asideFolder(outDir);
  await pauseBeforeEachChange();
  await effects.rename(outDir, aside);
  try {
    await pauseBeforeEachChange();
    await effects.rename(link, outDir);
  } catch (error) {
    await effects.rename(aside, outDir);
    throw error;
  }
  await removeOldSite(effects, aside);
}

/** Without symbolic links: the old site aside, the new one in its place, the old one removed. */
async function swapByRenames(effects: Effects, site: string, outDir: string): Promise<void> {
  const aside = asideFolder(outDir);
  const hadOld = (await effects.kind(outDir)) !== 'missing';
  await pauseBeforeEachChange();
  if (hadOld) await effects.rename(outDir, aside);
  try {
    await pauseBeforeEachChange();
    await effects.rename(site, outDir);
  } catch (error) {
    if (hadOld) await effects.rename(aside, outDir);
    throw error;
  }
  if (hadOld) await removeOldSite(effects, aside);
}

async function removeOldSite(effects: Effects, folder: string): Promise<void> {
  try {
    await pauseBeforeEachChange();
    await effects.rm(folder);
  } catch (error) {
    effects.log.warn(`the previous site's folder ${folder} could not be removed (${(error as Error).message}); the next build will try again`);
  }
}
