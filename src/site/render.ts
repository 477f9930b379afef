/**
 * Render step: Astro builds the static pages into the staging folder from site.json.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

async function countPages(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((e) => e.endsWith('.html')).length;
}

export async function renderWithAstro(options: { siteFile: string; outDir: string; base?: string }): Promise<number> {
  process.env.QUNLENS_SITE_DATA = options.siteFile;
  process.env.ASTRO_TELEMETRY_DISABLED = '1';
  const { build } = await import('astro');
  await build({
    root: projectRoot,
    outDir: options.outDir,
    base: options.base ?? '/',
    logLevel: 'warn',
  });
  return countPages(options.outDir);
}
