/**
 * The Explore page in the browser: SQL over the database the site ships, run by duckdb-wasm
 * (self-hosted; this module and the 30 MB of wasm load only on this page), results as a table,
 * a quick Plot chart and a CSV download. The query lives in the URL (#sql=…) so a link shares it.
 */
import { wasmUrl, workerUrl } from './wasm-assets.ts';
import * as Plot from '@observablehq/plot';
import { openWasmDb, type Column, type WasmDb } from '../db/wasm.ts';
import { toCsv } from '../ui/csv.ts';
import { quickChart } from '../ui/quick-chart.ts';
import { isLongLabel } from '../ui/long-label.ts';
import { makeScrollRegion } from '../ui/table-wrap.ts';

/** Rows drawn in the table (the CSV holds all of them). */
const SHOWN = 1000;

interface Texts {
  loading: string;
  ready: string;
  running: string;
  rows: string;
  shown: string;
  empty: string;
  failed: string;
  result: string;
  /** appended to the status line when the whole database had to be downloaded */
  whole: string;
}

const root = document.querySelector<HTMLElement>('#explore')!;
const texts = JSON.parse(root.dataset.texts!) as Texts;
const editor = root.querySelector<HTMLTextAreaElement>('#sql')!;
const runButton = root.querySelector<HTMLButtonElement>('#run')!;
const status = root.querySelector<HTMLElement>('#status')!;
const result = root.querySelector<HTMLElement>('#result')!;
const chart = root.querySelector<HTMLElement>('#quick-chart')!;
const csvLink = root.querySelector<HTMLAnchorElement>('#csv')!;
const fill = (text: string, params: Record<string, string | number>) => text.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
const number = new Intl.NumberFormat(document.documentElement.lang);

function sqlFromUrl(): string | null {
  const m = /[#&]sql=([^&]*)/.exec(location.hash);
  return m ? decodeURIComponent(m[1]) : null;
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? number.format(v) : String(Math.round(v * 1e6) / 1e6);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function renderTable(columns: Column[], rows: Record<string, unknown>[]): void {
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const c of columns) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = c.name;
    th.title = c.type;
    head.append(th);
  }
  const body = table.createTBody();
  for (const r of rows.slice(0, SHOWN)) {
    const tr = body.insertRow();
    for (const c of columns) {
      const td = tr.insertCell();
      const v = r[c.name];
      const text = cellText(v);
      // a long text value is boxed to wrap, as Label.astro does on the built pages
      if (isLongLabel(text)) td.append(Object.assign(document.createElement('span'), { className: 'long', textContent: text }));
      else td.textContent = text;
      if (typeof v !== 'number') td.className = 'left';
    }
  }
  result.replaceChildren(table);
  // a wide or long result scrolls: keyboard users reach it with Tab and scroll it with the arrows
  makeScrollRegion(result, texts.result);
}

/** The chart the result makes (ui/quick-chart.ts decides and reshapes), drawn with Plot. */
function renderChart(columns: Column[], rows: Record<string, unknown>[]): void {
  chart.replaceChildren();
  if (rows.length > 20_000) return;
  const spec = quickChart(columns, rows);
  if (!spec) return;
  const width = Math.min(760, chart.clientWidth || 760);
  const palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#B8A000', '#5F5F5F'];
  let plot: Element;
  if (spec.kind === 'line') {
    const toX = (v: unknown) => (spec.dates ? new Date(String(v).length <= 10 ? `${v}T00:00:00Z` : `${String(v).replace(' ', 'T')}Z`) : v);
    const data = spec.data.map((d) => ({ ...d, __x: toX(d[spec.x]) }));
    plot = Plot.plot({
      width,
      height: 280,
      x: { type: spec.dates ? 'utc' : 'linear', label: spec.x },
      y: { label: spec.y, grid: true },
      color: spec.series ? { legend: true, range: palette } : undefined,
      marks: [Plot.lineY(data, { x: '__x', y: spec.y, stroke: spec.series ?? '#0072B2', strokeWidth: 1.8 }), Plot.ruleY([0])],
    });
  } else if (spec.kind === 'dot') {
    plot = Plot.plot({ width, height: 260, x: { label: spec.x }, y: { label: spec.y, grid: true }, marks: [Plot.dot(spec.data, { x: spec.x, y: spec.y, fill: '#0072B2', r: 2.5 })] });
  } else {
    plot = Plot.plot({
      width,
      height: 30 + spec.data.length * 24,
      marginLeft: 140,
      x: { label: spec.y, grid: true },
      y: { label: null, domain: spec.data.map((d) => d.label) },
      marks: [Plot.barX(spec.data, { x: 'value', y: 'label', fill: '#0072B2' }), Plot.ruleX([0])],
    });
  }
  plot.setAttribute('role', 'img');
  plot.setAttribute('aria-label', `${spec.y} / ${spec.x}`);
  chart.append(plot);
}

let db: WasmDb | null = null;
let running = false;

async function run(): Promise<void> {
  if (!db || running) return;
  const sql = editor.value.trim();
  if (!sql) return;
  running = true;
  runButton.disabled = true;
  status.textContent = texts.running;
  history.replaceState(null, '', `#sql=${encodeURIComponent(sql)}`);
  const start = performance.now();
  try {
    const { columns, rows } = await db.query(sql);
    const ms = Math.round(performance.now() - start);
    status.textContent = (rows.length > SHOWN ? fill(texts.shown, { shown: number.format(SHOWN), n: number.format(rows.length), ms }) : fill(texts.rows, { n: number.format(rows.length), ms })) + readNote();
    if (!rows.length) result.replaceChildren(Object.assign(document.createElement('p'), { textContent: texts.empty }));
    else renderTable(columns, rows);
    renderChart(columns, rows);
    const csv = toCsv(columns.map((c) => c.name), rows.map((r) => columns.map((c) => r[c.name] as string | number | null)));
    if (csvLink.href.startsWith('blob:')) URL.revokeObjectURL(csvLink.href);
    csvLink.href = URL.createObjectURL(new Blob([`\uFEFF${csv}`], { type: 'text/csv;charset=utf-8' }));
    csvLink.hidden = false;
    root.dataset.state = 'done';
  } catch (error) {
    status.textContent = fill(texts.failed, { message: (error as Error).message.split('\n')[0] });
    result.replaceChildren();
    chart.replaceChildren();
    csvLink.hidden = true;
    root.dataset.state = 'error';
  } finally {
    running = false;
    runButton.disabled = false;
  }
}

runButton.addEventListener('click', () => void run());
editor.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    void run();
  }
});
for (const button of root.querySelectorAll<HTMLButtonElement>('[data-table]')) {
  button.addEventListener('click', () => {
    editor.value = `SELECT * FROM ${button.dataset.table} LIMIT 100`;
    void run();
  });
}
window.addEventListener('hashchange', () => {
  const sql = sqlFromUrl();
  if (sql !== null && sql !== editor.value.trim()) {
    editor.value = sql;
    void run();
  }
});

/** The status line says when the host made the browser download the whole database (no range reads). */
const readNote = () => (db?.databaseRead === 'whole' ? ` ${texts.whole}` : '');

const fromUrl = sqlFromUrl();
if (fromUrl !== null) editor.value = fromUrl;
status.textContent = texts.loading;
try {
  db = await openWasmDb({ wasmUrl, workerUrl, databaseUrl: root.dataset.db! });
  runButton.disabled = false;
  status.textContent = texts.ready + readNote();
  root.dataset.state = 'ready';
  if (fromUrl !== null) await run();
} catch (error) {
  status.textContent = fill(texts.failed, { message: (error as Error).message });
  root.dataset.state = 'error';
}
