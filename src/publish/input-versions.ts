/**
 * The input files as they are now — their names and versions (size, modification and change
 * times, inode) — to tell whether they changed while a build ran, and to wait until a file
 * being copied into the data folder is complete.
 */
import type { Effects } from '../core/effects.ts';
import { listDataFiles } from '../read/discover.ts';
import { InputError } from '../read/source-files.ts';

export interface InputVersions {
  /** version id per input file name (files only, no dot-files: the build key's inputs) */
  files: Map<string, string>;
  /** the last change to any of them, or to the folder (a file added or removed), ms since the epoch */
  changedMs: number;
}

/** An input changed between the start of a build and its publish: nothing was published. */
export class InputsChangedError extends Error {
  override name = 'InputsChangedError';
}

export async function inputVersions(effects: Effects, dataDir: string): Promise<InputVersions> {
  const files = new Map<string, string>();
  if ((await effects.kind(dataDir)) === 'missing') throw new InputError([`data folder ${dataDir} does not exist`]);
  let changedMs = (await effects.version(dataDir)).changedMs;
  let names: string[];
  try {
    names = await listDataFiles(effects, dataDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // a file or folder removed meanwhile: look again next time
    names = [];
  }
  for (const name of names) {
    const path = effects.path.join(dataDir, ...name.split('/'));
    try {
      const version = await effects.version(path);
      files.set(name, version.id);
      changedMs = Math.max(changedMs, version.changedMs);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // removed meanwhile
    }
  }
  return { files, changedMs };
}

/** What differs between two readings, one phrase per file ([] when nothing does). */
export function inputChanges(before: InputVersions, after: InputVersions): string[] {
  const changes: string[] = [];
  const size = (id: string) => Number(id.split(':')[0]).toLocaleString('en-US');
  for (const [name, id] of after.files) {
    const was = before.files.get(name);
    if (was === undefined) changes.push(`${name} was added`);
    else if (was !== id) changes.push(size(was) === size(id) ? `${name} was rewritten` : `${name} changed from ${size(was)} to ${size(id)} bytes`);
  }
  for (const name of before.files.keys()) if (!after.files.has(name)) changes.push(`${name} was removed`);
  return changes;
}

/** Throw when an input is not what it was when the build started: that site must not be published. */
export async function assertInputsUnchanged(effects: Effects, dataDir: string, atStart: InputVersions): Promise<void> {
  const changes = inputChanges(atStart, await inputVersions(effects, dataDir));
  if (changes.length === 0) return;
  throw new InputsChangedError(
    `the input files changed while the site was being built (${changes.join('; ')} in ${dataDir}), so this site was not published: build again once the files are complete`,
  );
}

/**
 * Resolve once no input has changed for `settleMs` (a file still being copied changes its size
 * or times at every write). Files that have not changed for that long already pass at once.
 */
export async function waitUntilSteady(effects: Effects, dataDir: string, settleMs: number, pollMs = 250): Promise<InputVersions> {
  let current = await inputVersions(effects, dataDir);
  let steadySince = Math.min(Date.now(), current.changedMs);
  for (;;) {
    const left = settleMs - (Date.now() - steadySince);
    if (left <= 0) return current;
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, pollMs)));
    const next = await inputVersions(effects, dataDir);
    if (inputChanges(current, next).length > 0) steadySince = Date.now();
    current = next;
  }
}
