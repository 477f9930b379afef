/**
 * A full disk (or a full quota) is not a bug: wherever a write fails for lack of space — Node
 * writing a file, DuckDB writing its database, a CSV or its spill, Astro or the page writers —
 * the build stops with one message that says where, how much is free there and what to do,
 * and the previous site stays as it was.
 */
import type { Effects } from '../core/effects.ts';

export class DiskFullError extends Error {
  override name = 'DiskFullError';
}

const CODES = new Set(['ENOSPC', 'EDQUOT']);
/** how the same errors read in messages: Node's, DuckDB's (strerror) and those passed on from Astro's process */
const MESSAGE = /\bENOSPC\b|\bEDQUOT\b|no space left on device|disk quota exceeded/i;

/** The error and its causes, outermost first. */
function chain(error: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = error; e && typeof e === 'object' && out.length < 10; e = (e as { cause?: unknown }).cause) out.push(e);
  return out;
}

export function isDiskFull(error: unknown): boolean {
  return chain(error).some((e) => CODES.has((e as NodeJS.ErrnoException).code ?? '') || MESSAGE.test((e as Error).message ?? ''));
}

/**
 * The file being written, when the error names it: Node's `dest` (a copy: `path` is what was
 * read) or `path`, a quoted path in DuckDB's message.
 */
function writtenPath(error: unknown): string | null {
  for (const e of chain(error)) {
    const { path, dest, message } = e as NodeJS.ErrnoException & { dest?: unknown };
    if (typeof dest === 'string') return dest;
    if (typeof path === 'string') return path;
    const quoted = /["'](\/[^"']+)["']/.exec(message ?? '');
    if (quoted) return quoted[1];
  }
  return null;
}

/** Which build step an error came from (set by the build's step runner). */
const STEP = Symbol('qunlens.step');

export function markStep(error: unknown, step: string): unknown {
  if (error && typeof error === 'object' && !(STEP in error)) Object.defineProperty(error, STEP, { value: step });
  return error;
}

/** What a step writes, for the message when the error does not name a file. */
const WRITES: Record<string, string> = {
  read: "DuckDB's copy of the inputs",
  validate: "DuckDB's checks",
  model: "DuckDB's tables",
  metrics: "DuckDB's tables",
  outputs: 'the data files',
  reports: 'the reports',
  'page data': 'the page data',
  render: 'the pages',
  publish: 'the site',
};

/** A folder the build writes into, and what it writes there. */
export interface WritePlace {
  dir: string;
  what: string;
  /** how to give it more room besides freeing space, e.g. set TMPDIR */
  hint?: string;
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A disk-full error as the message an operator acts on; any other error as it came. The
 * folder named is the place holding the file being written (or that file's folder, if it is in
 * none), else the place whose file system has the least space left; free space is measured
 * now, before the build removes its files.
 */
export async function explainDiskFull(effects: Effects, error: unknown, places: WritePlace[]): Promise<unknown> {
  if (!isDiskFull(error) || error instanceof DiskFullError || places.length === 0) return error;
  const path = writtenPath(error);
  const inside = (dir: string) => path !== null && !effects.path.relative(dir, path).startsWith('..');
  // a file outside every known place: its own folder
  if (path && !places.some((p) => inside(p.dir))) places = [{ dir: effects.path.dirname(path), what: places[0].what }];
  const free = await Promise.all(places.map((p) => effects.freeBytes(p.dir).catch(() => Number.POSITIVE_INFINITY)));
  // the innermost place holding the file, else the fullest file system
  let at = -1;
  places.forEach((p, i) => {
    if (inside(p.dir) && (at < 0 || p.dir.length > places[at].dir.length)) at = i;
  });
  if (at < 0) at = free.indexOf(Math.min(...free));
  const place = places[at];
  const step = (error as { [STEP]?: string })[STEP];
  const what = (step && WRITES[step]) ?? place.what;
  const file = path ? ` (${inside(place.dir) ? effects.path.relative(place.dir, path) : path})` : '';
  const freeText = Number.isFinite(free[at]) ? formatBytes(free[at]) : 'unknown space';
  return new DiskFullError(
    `the disk is full: writing ${what}${file} in ${place.dir} needed more space (${freeText} free on that filesystem); free some space${place.hint ? ` (${place.hint})` : ''} and build again; the previous site is unchanged`,
    { cause: error },
  );
}
