/**
 * Render step: Astro builds the static pages into the staging folder from site.json.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
    return countPages(options.outDir);
  } finally {
    process.chdir(cwd);
    await rm(renderDir, { recursive: true, force: true });
  }
}
