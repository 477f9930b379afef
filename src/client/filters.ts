/**
 * Filters in the browser. Nothing heavy loads until a reader picks a filter: then duckdb-wasm
 * opens the shipped database, the build's metric functions (metrics/summaries.ts) run over it
 * with the chosen condition, and the page's figures are drawn again by the same code that drew
 * them at build time (ui/channel-figures.ts, retention-figures.ts, benchmark-figures.ts).
 * Resetting restores the prerendered page.
 */
import type { QunlensConfig } from '../core/config.ts';
import type { WasmDb } from '../db/wasm.ts';
import type { Lang } from '../i18n/index.ts';
import { isEmptyChoice, type FilterChoice } from '../metrics/filters.ts';
import type { BenchmarkRow, TypeNames } from '../ui/benchmark-figures.ts';
import type { FigureModel } from '../ui/channel-figures.ts';

interface View {
  lang: Lang;
  confLevel: number;
  maxWeeks: number;
  typeNames?: TypeNames;
  smallSample: number;
  hasActivity: boolean;
  hasOrders: boolean;
}

/**
 * A region's file up to this size is fetched whole (the form's data-whole-below may say
 * otherwise). A region's figures read nearly all of its file, and read over ranges they took
 * more than the file: 3.4 MiB of a 2.6 MB file at the bench's scale, 31.2 MiB in 148 requests of
 * a 19.9 MB file at ten times it (whole: 19 MiB in one request, 4.6-5.2 s against 6.1-6.6 s).
 * Above this the file is not held in the page's memory but read over ranges.
 */
const WHOLE_REGION_FILE_BYTES = 32 * 2 ** 20;

const form = document.querySelector<HTMLFormElement>('#filters');
if (form) {
  const view = JSON.parse(form.dataset.view!) as View;
  const page = form.dataset.page as 'channels' | 'retention' | 'benchmarks';
  const texts = JSON.parse(form.dataset.texts!) as { loading: string; applied: string; failed: string; whole: string };
  const status = form.querySelector('output')!;
  const initial = status.textContent ?? '';
  // the prerendered figures, to put back on reset (no recomputation needed for "no filter")
  const pristine = new Map<Element, string>();
  for (const el of document.querySelectorAll('#channel-summary-rows, figure.figure')) pristine.set(el, el.innerHTML);
  let engine: Promise<WasmDb> | null = null;
  let main: Promise<WasmDb> | null = null;
  let generation = 0;

  // absolute URLs: the engine's worker resolves them against its own script
  const regionFiles = Object.fromEntries(
    Object.entries(JSON.parse(form.dataset.regions ?? '{}') as Record<string, { url: string; bytes: number }>).map(([region, f]) => [region, { ...f, url: new URL(f.url, location.href).href }]),
  );
  const small = (file: { bytes: number }) => file.bytes <= Number(form!.dataset.wholeBelow ?? WHOLE_REGION_FILE_BYTES);
  /** small region files' bytes, asked for at the choice (a failed fetch is tried again on the next) */
  const fetched = new Map<string, Promise<Uint8Array>>();
  const fetchRegion = (url: string): Promise<Uint8Array> => {
    let bytes = fetched.get(url);
    if (!bytes) {
      bytes = fetch(url).then(async (response) => {
        if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
        return new Uint8Array(await response.arrayBuffer());
      });
      bytes.catch(() => fetched.delete(url));
      fetched.set(url, bytes);
    }
    return bytes;
  };
  /**
   * The database the memberships of a region are read from: the region's own file when it has
   * one, and then the shipped database is never attached. A small file comes in one request,
   * started at the choice so it loads with the engine: a region's figures read nearly all of
   * it, and block by block that took more than the file, in requests one after another (each a
   * round trip on a phone's network). A larger one is read over ranges, when the host serves
   * them (else the big file, downloaded whole, is all here already).
   */
  async function regionDatabase(region: string | null | undefined): Promise<WasmDb> {
    const file = region ? regionFiles[region] : undefined;
    if (!file) return shipped();
    const name = `region_${Object.keys(regionFiles).indexOf(region!)}`;
    if (small(file)) {
      void fetchRegion(file.url).catch(() => undefined); // now, while the engine loads; awaited by the attach
      return (await open()).attachDatabase(name, () => fetchRegion(file.url));
    }
    const main = await shipped();
    if (main.databaseRead !== 'ranges') return main;
    return main.attachDatabase(name, { url: file.url });
  }

  /** The page's figures for a choice: the build's metric code over the shipped tables, drawn by the page's own figure module. */
  async function compute(c: FilterChoice, database: Promise<WasmDb>): Promise<{ models: FigureModel[]; summaryRows: string | null; count: number }> {
    const [{ membershipFilter, groupFilter }, { i18n }, { CHANNEL_KEYS }] = await Promise.all([import('../metrics/filters.ts'), import('../i18n/index.ts'), import('../core/config.ts')]);
    const f = i18n(view.lang);
    const config = { confLevel: view.confLevel, maxWeeks: view.maxWeeks } as QunlensConfig;
    if (page === 'benchmarks') {
      const [{ benchmarksSql }, { benchmarkFigures }] = await Promise.all([import('../metrics/facts.ts'), import('../ui/benchmark-figures.ts')]);
      const { where, params } = groupFilter(c);
      const main = await database;
      const rows = await main.rows<BenchmarkRow>(benchmarksSql(where), params);
      const [{ n }] = await main.rows<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM f_groups WHERE NOT dissolved_by_asof AND (${where})`, params);
      return { models: benchmarkFigures(rows, view.typeNames!, f), summaryRows: null, count: n };
    }
    const [{ channelSummaries, membershipCurves, weeklyRetention }] = await Promise.all([import('../metrics/summaries.ts')]);
    const filter = membershipFilter(c);
    const wasm = await database;
    const curves = await membershipCurves(wasm, config, filter);
    if (page === 'retention') {
      const { retentionFigures } = await import('../ui/retention-figures.ts');
      const [activityRetention, cohortRetention] = view.hasActivity ? [await weeklyRetention(wasm, config, 'channel', filter), await weeklyRetention(wasm, config, 'join_month', filter)] : [[], []];
      const membershipCurvesList = CHANNEL_KEYS.filter((k) => curves.has(k)).map((channel) => ({ channel, curve: curves.get(channel)! }));
      const count = membershipCurvesList.reduce((s, m) => s + m.curve.n, 0);
      return { models: retentionFigures({ smallSample: view.smallSample, hasActivity: view.hasActivity, membershipCurves: membershipCurvesList, activityRetention, cohortRetention }, f), summaryRows: null, count };
    }
    const { channelPage } = await import('../ui/channel-figures.ts');
    const channels = await channelSummaries(wasm, config, curves, filter);
    const result = channelPage({ smallSample: view.smallSample, hasActivity: view.hasActivity, hasOrders: view.hasOrders, channels }, f);
    return { models: [...result.quantityQuality, ...result.rates], summaryRows: result.summaryRows, count: channels.reduce((s, ch) => s + ch.joins, 0) };
  }

  /**
   * The code compute() runs for this page, fetched while the engine loads (one round of
   * requests instead of a chain after it): compute's own imports then find them loaded.
   */
  const preload = () =>
    Promise.all([
      import('../metrics/filters.ts'),
      import('../i18n/index.ts'),
      import('../core/config.ts'),
      ...(page === 'benchmarks'
        ? [import('../metrics/facts.ts'), import('../ui/benchmark-figures.ts')]
        : [import('../metrics/summaries.ts'), page === 'retention' ? import('../ui/retention-figures.ts') : import('../ui/channel-figures.ts')]),
    ]).catch(() => undefined);

  /** The engine, nothing attached: a region's own file may answer without the shipped database. */
  const open = () => {
    if (engine) return engine;
    // the engine's modules are asked for first: the browser fetches a few at a time from one host
    engine = Promise.all([import('../db/wasm.ts'), import('./wasm-assets.ts')]).then(([{ openWasmEngine }, { wasmUrl, workerUrl }]) => openWasmEngine({ wasmUrl, workerUrl }));
    engine.catch(() => undefined); // a failure shows where the engine is awaited, when a choice is applied
    void preload();
    return engine;
  };
  /** The engine with the shipped database attached (its probe runs while the engine loads). */
  const shipped = () => {
    if (main) return main;
    const wasm = open();
    main = import('../db/wasm.ts').then(async ({ probeDatabase }) => {
      // the metric code reads f_memberships and f_groups: views the shipped database holds
      const source = probeDatabase(form.dataset.db!);
      source.catch(() => undefined); // awaited below: not an unhandled rejection meanwhile
      return (await wasm).useShipped(await source);
    });
    return main;
  };
  const choice = (): FilterChoice => {
    const data = new FormData(form);
    const value = (k: string) => (data.get(k) as string | null) || null;
    return { from: value('from'), to: value('to'), region: value('region'), groupType: value('groupType') };
  };

  async function apply(): Promise<void> {
    const mine = ++generation;
    const c = choice();
    if (isEmptyChoice(c)) {
      for (const [el, html] of pristine) el.innerHTML = html;
      status.textContent = initial;
      form!.dataset.state = 'idle';
      return;
    }
    form!.dataset.state = 'loading';
    status.textContent = texts.loading;
    try {
      // what the choice reads starts loading now, with the engine: a region's own file, or the
      // shipped database (compute awaits it after its own modules)
      const database = page === 'benchmarks' ? shipped() : regionDatabase(c.region);
      database.catch(() => undefined); // awaited in compute: not an unhandled rejection meanwhile
      const { models, summaryRows, count } = await compute(c, database);
      if (mine !== generation) return; // a newer choice is on its way
      const { figureRowsHtml, legendHtml } = await import('../ui/channel-figures.ts');
      if (summaryRows !== null) document.querySelector('#channel-summary-rows')!.innerHTML = summaryRows;
      for (const model of models) {
        const figure = document.getElementById(model.id);
        if (!figure) continue;
        figure.querySelector('.takeaway')!.textContent = model.takeaway;
        figure.querySelector('.chart-desktop')!.innerHTML = model.desktop;
        figure.querySelector('.chart-phone')!.innerHTML = model.phone;
        const legend = figure.querySelector('.legend');
        if (legend && model.legend) legend.innerHTML = legendHtml(model);
        const body = figure.querySelector('tbody');
        if (body) body.innerHTML = figureRowsHtml(model);
      }
      // say so when the host made the browser download the whole database (no range reads)
      status.textContent = texts.applied.replace('{n}', count.toLocaleString(view.lang === 'zh' ? 'zh-CN' : 'en')) + ((await open()).databaseRead === 'whole' ? ` ${texts.whole}` : '');
      form!.dataset.state = 'applied';
    } catch (error) {
      if (mine !== generation) return;
      status.textContent = texts.failed.replace('{message}', (error as Error).message.split('\n')[0]);
      form!.dataset.state = 'error';
    }
  }

  form.hidden = false;
  // a reader reaching for a filter is about to use it: start loading the engine and attaching the
  // database then, not after the choice (a failure here shows when the filter is applied)
  const warm = () => void open();
  form.addEventListener('pointerdown', warm, { once: true });
  form.addEventListener('focusin', warm, { once: true });
  form.addEventListener('change', () => void apply());
  // reset clears the selects after this event: apply once they are cleared
  form.addEventListener('reset', () => setTimeout(() => void apply(), 0));
  form.addEventListener('submit', (e) => e.preventDefault());
}
