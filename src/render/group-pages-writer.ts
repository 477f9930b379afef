/**
 * Every group's page in both languages, written into the shell Astro rendered for each (layout,
 * navigation, styles): thousands of pages in seconds, where rendering each through Astro would
 * take minutes. Runs in two worker threads (group-pages-worker.ts), each taking every other
 * group, so both cores write pages.
 */
import { closeSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { escapeHtml } from '../core/escape.ts';
import { LANGS, type Lang } from '../i18n/index.ts';
import type { GroupPage } from '../page-data/group-pages.ts';
import { groupPageMain } from './group-page.ts';
import { langDir, langPath } from '../ui/paths.ts';
import type { SiteData } from '../page-data/site-data.ts';

/** The placeholder group page Astro renders; its folder is removed once the real ones exist. */
export const SHELL = 'qz-shell';

export interface GroupPagesJob {
  siteFile: string;
  groupFile: string;
  outDir: string;
  base?: string;
  /** this worker writes the groups on lines part, part + parts, part + 2·parts, … */
  part: number;
  parts: number;
}

interface Shell {
  lang: Lang;
  prefix: string;
  pageUrl: (path: string) => string;
  before: string[];
  after: string[];
}

/**
 * The pages of every `parts`-th group, in both languages. Splitting by group rather than by
 * language parses each group's line once, not once per language.
 */
export async function writeGroupPages(job: GroupPagesJob): Promise<number> {
  const site = JSON.parse(await readFile(job.siteFile, 'utf8')) as SiteData;
  const base = (job.base ?? '/').replace(/\/?$/, '/');
  const shells: Shell[] = [];
  for (const lang of LANGS) {
    const prefix = langDir(lang);
    const shell = await readFile(join(job.outDir, prefix, 'groups', SHELL, 'index.html'), 'utf8');
    // the shell's own path (language switch, canonical link) and title become the group's
    const [before, after] = shell.split('<!--qz:group-->').map((part) => part.split(`groups/${SHELL}/`));
    shells.push({ lang, prefix, pageUrl: (path) => `${base}${langPath(lang, path)}`, before, after });
  }
  let count = 0;
  for (const line of groupLines(job.groupFile, job.part, job.parts)) {
    const g = JSON.parse(line) as GroupPage & { slug: string };
    count++;
    const name = escapeHtml(g.name ?? g.id);
    const fill = (parts: string[]) => parts.join(`groups/${g.slug}/`).replace('__QZ_TITLE__', name).replace('__QZ_DESCRIPTION__', name);
    for (const shell of shells) {
      const html = fill(shell.before) + groupPageMain(site, g, shell.lang, shell.pageUrl) + fill(shell.after);
      const dir = join(job.outDir, shell.prefix, 'groups', g.slug);
      // synchronous: a worker has nothing else to do meanwhile, and a string written this way
      // goes to the file without a Buffer made of it first (the pages are 0.5 GB at the
      // benchmark's scale: promises and Buffers cost more than the writes)
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'index.html'), html);
    }
  }
  return count;
}

/**
 * The lines part, part + parts, part + 2·parts, … of an NDJSON file, read in 1 MiB pieces:
 * only these lines are decoded (the others are skipped as bytes), and memory stays flat.
 */
export function* groupLines(file: string, part: number, parts: number): Generator<string> {
  const fd = openSync(file, 'r');
  try {
    let buffer = Buffer.allocUnsafe(1 << 20);
    let start = 0; // the current line's first byte in buffer
    let end = 0; // bytes in buffer
    let index = 0;
    for (;;) {
      const read = readSync(fd, buffer, end, buffer.length - end, null);
      end += read;
      let newline: number;
      while ((newline = buffer.indexOf(10, start)) !== -1 && newline < end) {
        if (newline > start && index++ % parts === part) yield buffer.toString('utf8', start, newline);
        start = newline + 1;
      }
      if (read === 0) {
        if (end > start && index % parts === part) yield buffer.toString('utf8', start, end);
        return;
      }
      // keep the unfinished line: move it to the front, or grow the buffer for a longer one
      if (start === 0 && end === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]);
      else {
        buffer.copy(buffer, 0, start, end);
        end -= start;
        start = 0;
      }
    }
  } finally {
    closeSync(fd);
  }
}
