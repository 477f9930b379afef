/**
 * Render step: Astro builds the static pages into the staging folder from site.json.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeXml } from '../charts/svg.ts';
import type { Lang } from '../i18n/index.ts';
import type { GroupPage } from '../metrics/group-pages.ts';
import { groupPageMain } from './group-page.ts';
import type { SiteData } from './site-data.ts';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

async function countPages(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((e) => e.endsWith('.html')).length;
}

/**
 * Astro prerenders through a server bundle it writes into its outDir and imports packages
 * from there, so it builds inside the project, with the project as working directory (where
 * node_modules resolves); the pages are then moved into the output folder's staging area
 * (copied when that is another file system).
 */
export async function renderWithAstro(options: { siteFile: string; groupFile: string; outDir: string; base?: string }): Promise<number> {
  process.env.QUNLENS_SITE_DATA = options.siteFile;
  process.env.QUNLENS_GROUP_DATA = options.groupFile;
  process.env.QUNLENS_BASE = options.base ?? '/';
  process.env.ASTRO_TELEMETRY_DISABLED = '1';
  const renderDir = join(projectRoot, '.qunlens', `render-${process.pid}-${randomBytes(3).toString('hex')}`);
  await mkdir(renderDir, { recursive: true });
  // Astro places its prerender bundle under process.cwd() unless outDir is inside it.
  const cwd = process.cwd();
  process.chdir(projectRoot);
  try {
    const { build } = await import('astro');
    await build({
      root: projectRoot,
      outDir: renderDir,
      base: options.base ?? '/',
      logLevel: 'warn',
    });
    await mkdir(options.outDir, { recursive: true });
    for (const entry of await readdir(renderDir)) {
      const from = join(renderDir, entry);
      const to = join(options.outDir, entry);
      try {
        await rename(from, to);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        await cp(from, to, { recursive: true });
      }
    }
    await writeGroupPages(options);
    return countPages(options.outDir);
  } finally {
    process.chdir(cwd);
    await rm(renderDir, { recursive: true, force: true });
  }
}

const SHELL = 'qz-shell';

/**
 * Every group's page, written into the shell Astro rendered for each language: thousands of
 * pages in seconds, where rendering each through Astro would take minutes.
 */
async function writeGroupPages(options: { siteFile: string; groupFile: string; outDir: string; base?: string }): Promise<void> {
  const site = JSON.parse(await readFile(options.siteFile, 'utf8')) as SiteData;
  const groups = JSON.parse(await readFile(options.groupFile, 'utf8')) as (GroupPage & { slug: string })[];
  const base = (options.base ?? '/').replace(/\/?$/, '/');
  for (const lang of ['zh', 'en'] as Lang[]) {
    const prefix = lang === 'en' ? 'en' : '';
    const shellDir = join(options.outDir, prefix, 'groups', SHELL);
    const shell = await readFile(join(shellDir, 'index.html'), 'utf8');
    const [before, after] = shell.split('<!--qz:group-->');
    const pageUrl = (path: string) => `${base}${lang === 'en' ? 'en/' : ''}${path}`;
    const writes: Promise<void>[] = [];
    for (const g of groups) {
      const html = (before + groupPageMain(site, g, lang, pageUrl) + after)
        .replaceAll(`groups/${SHELL}/`, `groups/${g.slug}/`)
        .replace('__QZ_TITLE__', escapeXml(g.name ?? g.id))
        .replace('__QZ_DESCRIPTION__', escapeXml(g.name ?? g.id));
      const dir = join(options.outDir, prefix, 'groups', g.slug);
      writes.push(mkdir(dir, { recursive: true }).then(() => writeFile(join(dir, 'index.html'), html)));
      if (writes.length >= 64) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
    await rm(shellDir, { recursive: true, force: true });
  }
}
