/**
 * CSV preview on the Data quality page: an operator picks (or drops) a new export (a CSV or an
 * Excel workbook) and sees
 * the rows the build would reject, with their lines, before the file goes into data/. The
 * checks are the build's own (preview/preview.ts) on duckdb-wasm, which loads only now.
 */
import type { PreviewResult } from '../preview/preview.ts';
import type { WasmDb } from '../db/wasm.ts';
import { makeScrollRegion } from '../ui/table-wrap.ts';

interface Texts {
  loading: string;
  summary: string;
  clean: string;
  note: string;
  failed: string;
  line: string;
  column: string;
  severity: string;
  message: string;
  error: string;
  warning: string;
}

const root = document.querySelector<HTMLElement>('#csv-preview');
if (root) {
  const texts = JSON.parse(root.dataset.texts!) as Texts;
  const input = root.querySelector<HTMLInputElement>('input[type=file]')!;
  const status = root.querySelector<HTMLElement>('.preview-status')!;
  const output = root.querySelector<HTMLElement>('.preview-result')!;
  const number = new Intl.NumberFormat(document.documentElement.lang);
  let db: Promise<WasmDb> | null = null;
  const fill = (text: string, params: Record<string, string | number>) => text.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));

  function render(result: PreviewResult): void {
    const errors = result.issues.filter((i) => i.severity === 'error');
    status.textContent = `${fill(texts.summary, { file: result.sheet ? `${result.file} [${result.sheet}]` : result.file, encoding: result.encoding.toUpperCase(), records: number.format(result.records), rejected: number.format(result.rejected) })} ${errors.length ? '' : texts.clean}`;
    if (!result.issues.length) {
      output.replaceChildren(Object.assign(document.createElement('p'), { className: 'muted', textContent: texts.note }));
      return;
    }
    const table = document.createElement('table');
    const caption = table.createCaption();
    caption.textContent = result.sheet ? `${result.file} [${result.sheet}]` : result.file;
    const head = table.createTHead().insertRow();
    for (const [label, left] of [[texts.line, false], [texts.column, true], [texts.severity, true], [texts.message, true]] as const) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = label;
      if (left) th.className = 'left';
      head.append(th);
    }
    const body = table.createTBody();
    for (const issue of result.issues) {
      const tr = body.insertRow();
      tr.className = issue.severity;
      const cells = [issue.line === null ? '—' : String(issue.line), issue.column ?? '—', issue.severity === 'error' ? texts.error : texts.warning, issue.message];
      cells.forEach((text, i) => {
        const td = tr.insertCell();
        td.textContent = text;
        if (i > 0) td.className = 'left';
      });
    }
    const wrap = makeScrollRegion(Object.assign(document.createElement('div'), { className: 'table-wrap' }), result.file);
    wrap.append(table);
    output.replaceChildren(wrap, Object.assign(document.createElement('p'), { className: 'muted', textContent: texts.note }));
  }

  async function check(file: File): Promise<void> {
    root!.dataset.state = 'loading';
    status.textContent = texts.loading;
    output.replaceChildren();
    try {
      const [{ previewCsv }, bytes] = await Promise.all([import('../preview/preview.ts'), file.arrayBuffer().then((b) => new Uint8Array(b))]);
      db ??= Promise.all([import('../db/wasm.ts'), import('./wasm-assets.ts')]).then(([{ openWasmDb }, { wasmUrl, workerUrl }]) => openWasmDb({ wasmUrl, workerUrl }));
      const wasm = await db;
      const result = await previewCsv(wasm, { name: file.name, bytes }, {
        timeZone: root!.dataset.timeZone!,
        earliestDate: root!.dataset.earliestDate!,
        orderAmountCeiling: Number(root!.dataset.orderAmountCeiling),
        withoutIcu: true,
        register: (name, data) => wasm.register(name, data.slice()),
      });
      render(result);
      root!.dataset.state = 'done';
    } catch (error) {
      status.textContent = fill(texts.failed, { message: (error as Error).message });
      root!.dataset.state = 'error';
    }
  }

  root.hidden = false;
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) void check(file);
  });
  root.addEventListener('dragover', (e) => {
    e.preventDefault();
    root.classList.add('over');
  });
  root.addEventListener('dragleave', () => root.classList.remove('over'));
  root.addEventListener('drop', (e) => {
    e.preventDefault();
    root.classList.remove('over');
    const file = e.dataTransfer?.files?.[0];
    if (file) void check(file);
  });
}
