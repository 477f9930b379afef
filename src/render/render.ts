/**
 * Render step: Astro builds the static pages into the staging folder from site.json.
 */
import { fork } from 'node:child_process';
import { cp, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LANGS } from '../i18n/index.ts';
import { RENDER_ROOT, renderFolderName } from './folders.ts';
import { SHELL, type GroupPagesJob } from './group-pages-writer.ts';

import { langDir } from '../ui/paths.ts';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

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
export interface RenderResult {
  pages: number;
  /** ms spent in Astro (every page but the groups'), and writing the group pages */
  astroMs: number;
  groupPagesMs: number;
  /** this process's resident memory (idle meanwhile) plus the peak of Astro's: the two together */
  rssWithAstro: number;
}

export async function renderWithAstro(options: { siteFile: string; groupFile: string; outDir: string; base?: string }): Promise<RenderResult> {
  const renderDir = join(RENDER_ROOT, renderFolderName());
  await mkdir(renderDir, { recursive: true });
  try {
    const t0 = performance.now();
    const rssBefore = process.memoryUsage().rss;
    const astroRssBytes = await astroBuild({ root: projectRoot, outDir: renderDir, base: options.base ?? '/', siteFile: options.siteFile });
    const rssWithAstro = Math.max(rssBefore, process.memoryUsage().rss) + astroRssBytes;
    // Astro's pages counted in its own small folder, the shells among them (they go once the
    // group pages exist): counting in the site afterwards read 10,000 folders (about a second)
    const astroPages = (await countPages(renderDir)) - LANGS.length;
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
    const t1 = performance.now();
    const groups = await writeAllGroupPages(options);
    const t2 = performance.now();
    return { pages: astroPages + groups * LANGS.length, astroMs: t1 - t0, groupPagesMs: t2 - t1, rssWithAstro };
  } finally {
    await rm(renderDir, { recursive: true, force: true });
  }
}

/**
 * Astro's build in a child process (astro-build.ts), in the project folder: Astro places its
 * prerender bundle under the working directory unless outDir is inside it. Resolves to the
 * child's peak resident memory. Its error output is passed through as it comes; when it fails,
 * the error carries Astro's message (or the end of that output, if the process died first).
 */
function astroBuild(options: { root: string; outDir: string; base: string; siteFile: string }): Promise<number> {
  const { siteFile, ...build } = options;
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./astro-build.ts', import.meta.url)), [JSON.stringify({ ...build, parentPid: process.pid })], {
      cwd: options.root,
      // what the pages read (site-data.ts, paths.ts)
      env: { ...process.env, QUNLENS_SITE_DATA: siteFile, QUNLENS_BASE: options.base, ASTRO_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    let peak = 0;
    let failure: string | null = null;
    let errorTail = '';
    child.on('message', (message: { maxRssBytes?: number; error?: string }) => {
      if (message.error !== undefined) failure = message.error;
      if (message.maxRssBytes !== undefined) peak = message.maxRssBytes;
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      errorTail = (errorTail + chunk.toString('utf8')).slice(-2000);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve(peak);
      else reject(new Error(`Astro could not render the pages: ${failure ?? (errorTail.trim().split('\n').slice(-4).join('\n') || `its process ended with ${signal ?? `exit code ${code}`}`)}`));
    });
  });
}

/**
 * Two workers, each writing every other group in both languages; an error in either fails the
 * build with its message. The shells go once both are done. Resolves to the number of groups.
 */
async function writeAllGroupPages(options: { siteFile: string; groupFile: string; outDir: string; base?: string }): Promise<number> {
  const worker = new URL('./group-pages-worker.ts', import.meta.url);
  const parts = 2;
  const counts = await Promise.all(
    Array.from(
      { length: parts },
      (_, part) =>
        new Promise<number>((resolve, reject) => {
          const job: GroupPagesJob = { ...options, part, parts };
          const thread = new Worker(worker, { workerData: job });
          thread.once('message', resolve);
          thread.once('error', reject);
          thread.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`group pages (part ${part + 1} of ${parts}): worker exited with code ${code}`))));
        }),
    ),
  );
  for (const lang of LANGS) await rm(join(options.outDir, langDir(lang), 'groups', SHELL), { recursive: true, force: true });
  return counts.reduce((a, b) => a + b, 0);
}
