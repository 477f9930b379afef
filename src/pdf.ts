/**
 * `npm run pdf`: the board pack. Prints the Overview, Channels, Lifespans and Benchmarks pages
 * of a built site through headless Chromium with the site's print styles (A4, no navigation,
 * figures kept whole), and joins them into one PDF.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import type { Lang } from './i18n/index.ts';
import { serveStatic } from './serve.ts';

export const PDF_PAGES = ['', 'channels/', 'lifespans/', 'benchmarks/'] as const;

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export class PdfError extends Error {
  override name = 'PdfError';
}

export interface PdfOptions {
  /** the built site (dist/) */
  siteDir: string;
  /** output file; default <siteDir>/qunlens-report[-en].pdf */
  out?: string;
  lang?: Lang;
  chromiumPath?: string;
  log?: (line: string) => void;
}

export async function writePdf(options: PdfOptions): Promise<{ file: string; pages: number; bytes: number }> {
  const lang = options.lang ?? 'zh';
  const summaryPath = join(options.siteDir, 'data', 'summary.json');
  let summary: { base?: string; as_of?: string };
  try {
    summary = JSON.parse(await readFile(summaryPath, 'utf8'));
  } catch {
    throw new PdfError(`${options.siteDir} is not a built qunlens site (no data/summary.json): run npm run build first`);
  }
  const base = summary.base ?? '/';
  const file = options.out ?? join(options.siteDir, `qunlens-report${lang === 'en' ? '-en' : ''}.pdf`);
  const executablePath = options.chromiumPath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const { chromium } = await import('playwright-core');
  const { server, url } = await serveStatic(options.siteDir, { base });
  let browser;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  } catch (error) {
    server.close();
    throw new PdfError(`cannot start Chromium at ${executablePath} (${(error as Error).message.split('\n')[0]}); install it (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  try {
    const merged = await PDFDocument.create();
    merged.setTitle(lang === 'zh' ? `社群运营报告 ${summary.as_of ?? ''}` : `Community operations report ${summary.as_of ?? ''}`);
    merged.setCreator('qunlens');
    const page = await browser.newPage();
    for (const path of PDF_PAGES) {
      const pageUrl = `${url}${lang === 'en' ? 'en/' : ''}${path}`;
      const response = await page.goto(pageUrl, { waitUntil: 'load' });
      if (!response || response.status() !== 200) throw new PdfError(`${pageUrl} answered ${response?.status()}: is the site complete?`);
      await page.emulateMedia({ media: 'print' });
      const bytes = await page.pdf({
        format: 'A4',
        printBackground: true,
        preferCSSPageSize: true,
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate: `<div style="font-size:8px;width:100%;padding:0 12mm;color:#59636e;display:flex;justify-content:space-between"><span class="title"></span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`,
      });
      const part = await PDFDocument.load(bytes);
      for (const p of await merged.copyPages(part, part.getPageIndices())) merged.addPage(p);
      options.log?.(`pdf: ${path || 'overview'} ${part.getPageCount()} pages`);
    }
    const out = await merged.save();
    await writeFile(file, out);
    return { file, pages: merged.getPageCount(), bytes: out.byteLength };
  } finally {
    await browser.close();
    server.close();
  }
}
