/**
 * The bench's browser half: the built site served by our static server (it honours Range and
 * counts what it sends, like a plain static host), opened in headless Chromium. Two readers'
 * first questions, each in a fresh browser profile (nothing cached):
 *   explore  Explore's `SELECT count(*) FROM memberships`, from opening the page to the answer
 *   filter   one region chosen on Channels, from the choice to the redrawn page
 * (each on the page's own clock, to the frame that showed the answer),
 * with the bytes of data/qunlens.duckdb each read, next to the file's size.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from './pdf.ts';
import { serveStatic, type ServedFile } from './serve.ts';

export interface BrowserRead {
  /** bytes of the database file sent, and in how many requests */
  bytes: number;
  requests: number;
  /** requests answered with a whole file (none: all ranged; a small region file comes whole by design) */
  whole: number;
  ms: number;
}

export interface BrowserBench {
  databaseBytes: number;
  /** duckdb-wasm's engine, fetched once per reader who asks a question */
  wasmBytes: number;
  explore: BrowserRead;
  /** the median run by time, and every run's bytes and seconds */
  filter: BrowserRead & { region: string; runs?: { bytes: number; ms: number }[] };
}

/**
 * The page's own clock, installed before its scripts run: when a choice was made (the change
 * event) and when the answer was on screen (the first frame after the page marked its state
 * done, applied or failed). Timed from outside, through Playwright's polling, the same answers
 * came 0.1–0.5 s later than the page drew them on this 2-core machine.
 */
interface Clock {
  __choiceAt?: number;
  __answeredAt?: number;
}
const ANSWER_CLOCK = () => {
  const clock = window as unknown as Clock;
  document.addEventListener('change', () => (clock.__choiceAt ??= performance.now()), true);
  new MutationObserver((records) => {
    if (records.some((r) => /^(done|applied|error)$/.test((r.target as Element).getAttribute('data-state') ?? '')))
      requestAnimationFrame(() => (clock.__answeredAt ??= performance.now()));
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
};

/** ms from `since` (page clock) to the frame that showed the answer */
async function answeredAt(page: Page, since: number): Promise<number> {
  await page.waitForFunction(() => (window as unknown as Clock).__answeredAt !== undefined);
  return (await page.evaluate(() => (window as unknown as Clock).__answeredAt!)) - since;
}

/** readers who each pick the region, in fresh profiles */
const FILTER_RUNS = 3;

// the same Chromium, found the same way, as npm run pdf
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function benchBrowser(siteDir: string, log: (line: string) => void): Promise<BrowserBench> {
  const served = await serveStatic(siteDir, { base: '/' });
  let browser: Browser | undefined;
  // the shipped database and the regions' own files (region-N.duckdb), together
  const counted = (): ServedFile => {
    const sum: ServedFile = { requests: 0, ranged: 0, bytes: 0 };
    for (const [path, file] of served.served) {
      if (!/^\/data\/[^/]+\.duckdb$/.test(path)) continue;
      sum.requests += file.requests;
      sum.ranged += file.ranged;
      sum.bytes += file.bytes;
    }
    return sum;
  };
  const read = (before: ServedFile, ms: number): BrowserRead => {
    const after = counted();
    return { bytes: after.bytes - before.bytes, requests: after.requests - before.requests, whole: after.requests - before.requests - (after.ranged - before.ranged), ms };
  };
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const failures: string[] = [];
    const fresh = async () => {
      const context = await browser!.newContext({ viewport: { width: 1440, height: 900 } });
      await context.addInitScript(ANSWER_CLOCK);
      const page = await context.newPage();
      page.on('pageerror', (e) => failures.push(e.message));
      return { context, page };
    };

    log('browser: Explore, SELECT count(*) FROM memberships…');
    let before = counted();
    const one = await fresh();
    await one.page.goto(`${served.url}explore/#sql=${encodeURIComponent('SELECT count(*) FROM memberships')}`);
    await one.page.waitForSelector('#explore[data-state="done"], #explore[data-state="error"]', { timeout: 300_000 });
    // from the start of the page's navigation (the page clock's zero)
    const explore = read(before, await answeredAt(one.page, 0));
    const exploreState = await one.page.getAttribute('#explore', 'data-state');
    if (exploreState !== 'done') throw new Error(`Explore failed in the bench: ${await one.page.textContent('#status')}`);
    await one.context.close();

    // three readers, each in a fresh profile: one run's seconds on a 2-core machine vary by a
    // second; the median is reported, with the range and the most bytes any run read
    const runs: (BrowserRead & { region: string })[] = [];
    for (let i = 0; i < FILTER_RUNS; i++) {
      log(`browser: Channels, one region chosen (reader ${i + 1} of ${FILTER_RUNS})…`);
      const two = await fresh();
      await two.page.goto(`${served.url}channels/`);
      const region = await two.page.$eval('select[name=region] option:nth-child(2)', (o) => (o as HTMLOptionElement).value);
      await two.page.evaluate(() => {
        const clock = window as unknown as Clock;
        delete clock.__choiceAt;
        delete clock.__answeredAt;
      });
      before = counted();
      await two.page.selectOption('select[name=region]', region);
      await two.page.waitForSelector('#filters[data-state="applied"], #filters[data-state="error"]', { timeout: 300_000 });
      runs.push({ ...read(before, await answeredAt(two.page, await two.page.evaluate(() => (window as unknown as Clock).__choiceAt!))), region });
      if ((await two.page.getAttribute('#filters', 'data-state')) !== 'applied') throw new Error(`the Channels filter failed in the bench: ${await two.page.textContent('#filters output')}`);
      await two.context.close();
    }
    const byTime = [...runs].sort((a, b) => a.ms - b.ms);
    const filter = { ...byTime[Math.floor(byTime.length / 2)], runs: runs.map(({ bytes, ms }) => ({ bytes, ms })) };
    if (failures.length) throw new Error(`the browser reported errors: ${failures.join('; ')}`);

    const wasm = [...served.served].find(([path]) => path.endsWith('.wasm'));
    return { databaseBytes: (await stat(join(siteDir, 'data', 'qunlens.duckdb'))).size, wasmBytes: wasm ? wasm[1].bytes / wasm[1].requests : 0, explore, filter };
  } finally {
    await browser?.close();
    served.server.close();
  }
}
