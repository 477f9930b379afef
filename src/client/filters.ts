/**
 * Filters in the browser. Nothing heavy loads until a reader picks a filter: then duckdb-wasm
 * opens the shipped database, the build's metric functions (metrics/summaries.ts) run over it
 * with the chosen condition, and the page's figures are drawn again by the same code that drew
 * them at build time (site/channel-figures.ts). Resetting restores the prerendered page.
 */
import type { QunlensConfig } from '../config.ts';
import type { WasmDb } from '../db/wasm.ts';
import type { Lang } from '../i18n/index.ts';
import { isEmptyChoice, type FilterChoice } from '../metrics/filters.ts';

interface View {
  lang: Lang;
  confLevel: number;
  smallSample: number;
  hasActivity: boolean;
  hasOrders: boolean;
}

const form = document.querySelector<HTMLFormElement>('#filters');
if (form) {
  const view = JSON.parse(form.dataset.view!) as View;
  const texts = JSON.parse(form.dataset.texts!) as { loading: string; applied: string; failed: string };
  const status = form.querySelector('output')!;
  const initial = status.textContent ?? '';
  // the prerendered figures, to put back on reset (no recomputation needed for "no filter")
  const pristine = new Map<Element, string>();
  for (const el of document.querySelectorAll('#channel-summary-rows, figure.figure')) pristine.set(el, el.innerHTML);
  let db: Promise<WasmDb> | null = null;
  let generation = 0;

  const open = () =>
    (db ??= Promise.all([import('../db/wasm.ts'), import('./wasm-assets.ts')]).then(async ([{ openWasmDb }, { wasmUrl, workerUrl }]) => {
      const wasm = await openWasmDb({ wasmUrl, workerUrl, databaseUrl: form.dataset.db! });
      // the metric code reads f_memberships: the shipped memberships table has its columns
      await wasm.exec(`CREATE OR REPLACE TEMP VIEW f_memberships AS SELECT * FROM memberships`);
      return wasm;
    }));

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
      const [wasm, { membershipFilter }, { channelSummaries, membershipCurves }, { channelPage, figureRowsHtml }, { i18n }] = await Promise.all([
        open(),
        import('../metrics/filters.ts'),
        import('../metrics/summaries.ts'),
        import('../site/channel-figures.ts'),
        import('../i18n/index.ts'),
      ]);
      const filter = membershipFilter(c);
      const config = { confLevel: view.confLevel } as QunlensConfig;
      const curves = await membershipCurves(wasm, config, filter);
      const channels = await channelSummaries(wasm, config, curves, filter);
      if (mine !== generation) return; // a newer choice is on its way
      const f = i18n(view.lang);
      const page = channelPage({ smallSample: view.smallSample, hasActivity: view.hasActivity, hasOrders: view.hasOrders, channels }, f);
      document.querySelector('#channel-summary-rows')!.innerHTML = page.summaryRows;
      for (const model of [...page.quantityQuality, ...page.rates]) {
        const figure = document.getElementById(model.id);
        if (!figure) continue;
        figure.querySelector('.takeaway')!.textContent = model.takeaway;
        figure.querySelector('.chart-desktop')!.innerHTML = model.desktop;
        figure.querySelector('.chart-phone')!.innerHTML = model.phone;
        const body = figure.querySelector('tbody');
        if (body) body.innerHTML = figureRowsHtml(model);
      }
      const joins = channels.reduce((s, ch) => s + ch.joins, 0);
      status.textContent = texts.applied.replace('{n}', joins.toLocaleString(view.lang === 'zh' ? 'zh-CN' : 'en'));
      form!.dataset.state = 'applied';
    } catch (error) {
      if (mine !== generation) return;
      status.textContent = texts.failed.replace('{message}', (error as Error).message.split('\n')[0]);
      form!.dataset.state = 'error';
    }
  }

  form.hidden = false;
  form.addEventListener('change', () => void apply());
  // reset clears the selects after this event: apply once they are cleared
  form.addEventListener('reset', () => setTimeout(() => void apply(), 0));
  form.addEventListener('submit', (e) => e.preventDefault());
}
