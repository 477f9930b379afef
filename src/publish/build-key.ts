/**
 * The build key: one hash of everything a site depends on — every input file's bytes, the
 * qunlens code and its locked dependencies, the configuration, the salt, the build options and
 * the plausible days (which end the day after the build).
 * A rebuild whose key equals the one stored with the current site has nothing to do. Contents
 * are hashed, never modification times: a copied or touched file with the same bytes is the
 * same input, an edited file with a restored mtime is not.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { QunlensConfig } from '../core/config.ts';
import { listDataFiles } from '../read/discover.ts';
import type { Effects } from '../core/effects.ts';
import type { DateBounds } from '../read/values.ts';

/** Stored next to the site it describes (a dot-file: hosting copies usually skip it). */
export const BUILD_KEY_FILE = '.qunlens-build.json';

/** Bumped when the meaning of the key changes. */
const KEY_VERSION = 1;

// the project root (this file is src/publish/build-key.ts): every file the site is made by
export const CODE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What the site is built from, beyond the data files. */
const CODE_FILES = ['package-lock.json', 'astro.config.mjs', 'tsconfig.json'];
const CODE_DIRS = ['src', 'public'];

export interface BuildKeyParts {
  dataDir: string;
  config: QunlensConfig;
  salt: string;
  asOf?: string;
  base?: string;
  render: boolean;
  /**
   * The plausible days: their last is the day after the build, so a build on a later day reads
   * the data again (a row dated tomorrow, rejected today, is accepted then).
   */
  dates: DateBounds;
}

export interface BuildKey {
  key: string;
  /** input files hashed, with sizes (for the log line) */
  files: number;
  bytes: number;
}

async function listFiles(effects: Effects, dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await effects.readdir(dir)).sort()) {
    if (entry.startsWith('.')) continue;
    const full = effects.path.join(dir, entry);
    const stat = await effects.stat(full);
    if (stat.isDirectory) out.push(...(await listFiles(effects, full)));
    else out.push(full);
  }
  return out;
}

export async function computeBuildKey(effects: Effects, parts: BuildKeyParts): Promise<BuildKey> {
  // every file of the data folder and its folders (a table may be a folder of monthly files)
  const inputs = await listDataFiles(effects, parts.dataDir);
  const code: string[] = [];
  for (const dir of CODE_DIRS) {
    const full = effects.path.join(CODE_ROOT, dir);
    if (await effects.exists(full)) code.push(...(await listFiles(effects, full)));
  }
  for (const file of CODE_FILES) {
    const full = effects.path.join(CODE_ROOT, file);
    if (await effects.exists(full)) code.push(full);
  }
  const inputFiles = inputs.map((name) => effects.path.join(parts.dataDir, ...name.split('/')));
  // the big files hashed concurrently: reading and hashing overlap across files
  const [inputHashes, codeHashes] = await Promise.all([Promise.all(inputFiles.map((p) => effects.hashFile(p))), Promise.all(code.map((p) => effects.hashFile(p)))]);
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ version: KEY_VERSION, config: parts.config, asOf: parts.asOf ?? null, base: parts.base ?? '/', render: parts.render, dates: parts.dates }));
  // the salt changes every member hash, but must not be recoverable from the key
  hash.update(createHash('sha256').update(`qunlens-salt:${parts.salt}`).digest('hex'));
  inputs.forEach((name, i) => hash.update(`\0input\0${name}\0${inputHashes[i]}`));
  code.forEach((p, i) => hash.update(`\0code\0${effects.path.relative(CODE_ROOT, p)}\0${codeHashes[i]}`));
  const bytes = (await Promise.all(inputFiles.map((p) => effects.stat(p)))).reduce((s, st) => s + st.size, 0);
  // letters only (hex digits → a…p), as every hash qunlens publishes: a digit run in a hash
  // must never look like a phone number in dist/
  const key = hash.digest('hex').replace(/[0-9a-f]/g, (c) => 'abcdefghijklmnop'[parseInt(c, 16)]);
  return { key, files: inputFiles.length, bytes };
}

/** The key stored with the site in outDir, or null when there is none (or no site). */
export async function storedBuildKey(effects: Effects, outDir: string): Promise<string | null> {
  const file = effects.path.join(outDir, BUILD_KEY_FILE);
  if (!(await effects.exists(file)) || !(await effects.exists(effects.path.join(outDir, 'data', 'summary.json')))) return null;
  try {
    const stored = JSON.parse(await effects.readText(file)) as { key?: unknown };
    return typeof stored.key === 'string' ? stored.key : null;
  } catch {
    return null;
  }
}
