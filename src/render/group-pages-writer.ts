/**
 * Every group's page in both languages, written into the shell Astro rendered for each (layout,
 * navigation, styles): thousands of pages in seconds, where rendering each through Astro would
 * take minutes. Runs in two worker threads (group-pages-worker.ts), each taking every other
 * group, so both cores write pages.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
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
  const writes: Promise<void>[] = [];
  let count = 0;
  let index = -1;
  // groupFile holds one group per line (NDJSON), read as a stream: memory stays flat
  for await (const line of createInterface({ input: createReadStream(job.groupFile, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity })) {
    if (!line) continue;
    if (++index % job.parts !== job.part) continue;
    const g = JSON.parse(line) as GroupPage & { slug: string };
    count++;
    const name = escapeHtml(g.name ?? g.id);
    const fill = (parts: string[]) => parts.join(`groups/${g.slug}/`).replace('__QZ_TITLE__', name).replace('__QZ_DESCRIPTION__', name);
    for (const shell of shells) {
      const html = fill(shell.before) + groupPageMain(site, g, shell.lang, shell.pageUrl) + fill(shell.after);
      const dir = join(job.outDir, shell.prefix, 'groups', g.slug);
      writes.push(mkdir(dir, { recursive: true }).then(() => writeFile(join(dir, 'index.html'), html)));
    }
    if (writes.length >= 64) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  return count;
}
