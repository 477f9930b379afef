/**
 * A 2,000-character label without a break opportunity in every free-text column the pages
 * show (group name, owner, store, region and type; channel labels; check-in kind and team):
 * the site builds, no page grows wider than the screen at 1440 or 390 px (data tables open),
 * and where a chart cuts the label, its tooltip and the data table have it whole.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../../src/serve.ts';
import { tempDir } from '../helpers.ts';
import { buildData } from '../e2e/build-helpers.ts';
import { LONG_CJK, LONG_LATIN, writeLongLabelData } from './long-labels-data.ts';

const BASE = '/reports/qunlens/';
// as site.test.ts (importing it would run its tests here too)
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** enough of a label to recognise it on a page (a chart cuts it shorter) */
const LATIN_START = LONG_LATIN.slice(0, 60);
const CJK_START = LONG_CJK.slice(0, 60);

let browser: Browser;
let origin: string;
let close: () => void;
let siteDir: string;
let pages: string[] = [];

beforeAll(async () => {
  const data = join(tempDir(), 'long');
  await writeLongLabelData(data);
  const { out } = await buildData(data, { render: true, base: BASE });
  siteDir = out;
  const served = await serveStatic(out, { base: BASE });
  origin = new URL(served.url).origin;
  close = () => served.server.close();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  // every page reachable from the home page
  const page = await browser.newPage();
  const seen = new Set([BASE]);
  const queue = [BASE];
  while (queue.length) {
    await page.goto(origin + queue.shift()!);
    for (const href of await page.$$eval('a[href]', (as) => as.map((a) => (a as HTMLAnchorElement).href))) {
      const url = new URL(href);
      if (url.origin !== origin || !url.pathname.startsWith(BASE) || !url.pathname.endsWith('/') || seen.has(url.pathname)) continue;
      seen.add(url.pathname);
      queue.push(url.pathname);
    }
  }
  await page.close();
  pages = [...seen].sort();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  close?.();
});

describe('a 2,000-character label in every free-text column', () => {
  it('is published whole in the CSVs', () => {
    const groups = readFileSync(join(siteDir, 'data', 'groups.csv'), 'utf8');
    expect(groups).toContain(LONG_LATIN);
    expect(groups).toContain(LONG_CJK);
  });

  it.each([1440, 390])('widens no page at %i px, with every data table open', async (width) => {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
    const overflow: string[] = [];
    const withLabel: string[] = [];
    for (const path of pages) {
      await page.goto(origin + path);
      const r = await page.evaluate(
        ([latin, cjk]) => {
          document.querySelectorAll('details').forEach((d) => (d.open = true));
          const text = document.body.textContent ?? '';
          return { scroll: document.documentElement.scrollWidth, inner: window.innerWidth, label: text.includes(latin) || text.includes(cjk) };
        },
        [LATIN_START, CJK_START],
      );
      if (r.label) withLabel.push(path.slice(BASE.length));
      if (r.scroll > r.inner + 1) overflow.push(`${path} ${r.scroll}px`);
    }
    expect(overflow).toEqual([]);
    expect(errors).toEqual([]);
    // the label did reach the pages that show these columns, in both languages
    for (const p of ['groups/', 'stores/', 'lifespans/', 'benchmarks/', 'habits/', 'quality/', 'channels/', 'groups/G0001/', 'groups/G0006/', 'groups/G0008/']) {
      expect(withLabel).toContain(p);
      expect(withLabel).toContain(`en/${p}`);
    }
    await context.close();
  }, 240_000);

  it('is cut in charts with an ellipsis, whole in the tooltip and the data table', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    for (const path of ['en/stores/', 'stores/', 'en/benchmarks/', 'channels/', '', 'en/']) {
      await page.goto(`${origin}${BASE}${path}`);
      const found = await page.evaluate(() =>
        [...document.querySelectorAll('figure svg text')]
          .filter((t) => t.textContent!.endsWith('…'))
          .map((t) => ({ shown: t.textContent!, title: t.parentElement!.tagName.toLowerCase() === 'g' ? (t.parentElement!.querySelector(':scope > title')?.textContent ?? null) : null })),
      );
      expect(found.length, `${path}: a label cut with an ellipsis`).toBeGreaterThan(0);
      for (const { shown, title } of found) {
        expect(title, `${path}: tooltip of ${shown}`).not.toBeNull();
        expect(title!.startsWith(shown.slice(0, -1).trimEnd()), `${path}: the tooltip is the whole of ${shown}`).toBe(true);
      }
      expect(found.some((l) => l.title!.includes(LONG_LATIN) || l.title!.includes(LONG_CJK)), path).toBe(true);
      // the figure's data table has the label whole
      const tables = await page.evaluate(() => [...document.querySelectorAll('figure table')].map((t) => t.textContent).join('\n'));
      expect(tables.includes(LONG_LATIN) || tables.includes(LONG_CJK), path).toBe(true);
    }
    await page.close();
  }, 120_000);
});
