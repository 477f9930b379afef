/**
 * Shared plumbing of the chart library: the document charts are made in, the finishing touches
 * each SVG needs (title, role, scaling style), text measuring for margins, ticks and number
 * formats. Charts are drawn at build time and again in the browser (the filters), so nothing
 * here may import node:* or linkedom: the build side hands its document in
 * (render/chart-document.ts).
 */
import * as Plot from '@observablehq/plot';
import { color as parseColor, rgb, type RGBColor } from 'd3-color';
import { interpolateRgb, piecewise } from 'd3-interpolate';
import { escapeHtml } from '../core/escape.ts';
import type { I18n, Lang } from '../i18n/index.ts';

export interface ChartCommon {
  lang: Lang;
  width?: number;
  height?: number;
  ariaLabel: string;
}

export type ValueFormat = 'percent' | 'money' | 'number';

/**
 * Where the build side puts the one document every chart is made in (Plot only creates detached
 * elements in it; a document per chart would cost more than the chart). A global symbol, not a
 * module variable: Astro's bundle of the pages holds a copy of this module of its own.
 */
export const CHART_DOCUMENT = Symbol.for('qunlens.chartDocument');

/** The build's document, else the page's own (in the browser). */
function chartDocument(): Document {
  const doc = (globalThis as { [CHART_DOCUMENT]?: Document })[CHART_DOCUMENT] ?? globalThis.document;
  if (!doc) throw new Error('charts need a document: on the build side, import src/render/chart-document.ts first');
  return doc;
}
const SVG_NS = 'http://www.w3.org/2000/svg';

export const DEFAULT_WIDTH = 680;
/** Widths below this get the phone layout: fewer ticks, smaller type, truncated labels. */
const NARROW = 480;

export const TEXT_COLOR = '#333333';
export const MUTED_TEXT = '#6B6B6B'; // grey text with 5:1 contrast on white (SMALL_SAMPLE_COLOR is too light for text)
export const GRID_COLOR = '#E3E3E3';

export interface Frame {
  width: number;
  narrow: boolean;
  /** Base font size in px (SVG user units; the SVG is shown close to 1:1 at both widths). */
  font: number;
}

export function frame(o: ChartCommon): Frame {
  const width = Math.max(200, Math.round(finite(o.width) ?? DEFAULT_WIDTH));
  const narrow = width < NARROW;
  return { width, narrow, font: narrow ? 12 : 13 };
}

export function finite(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

// ----- text measuring -------------------------------------------------------------------------

/**
 * Approximate rendered width in px. Errs wide: CJK is a full em, Latin widths are those of a
 * wide sans (DejaVu), so margins made from it never clip a label in a narrower font.
 */
export function textWidth(text: string, font: number): number {
  let em = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x2e80 || (c >= 0x1100 && c <= 0x11ff)) em += c >= 0xff61 && c <= 0xffdc ? 0.55 : 1;
    else if (c >= 48 && c <= 57) em += 0.64;
    else if (c >= 65 && c <= 90) em += c === 77 || c === 87 ? 0.9 : 0.7;
    else if (c >= 97 && c <= 122) em += 'ijlft'.includes(ch) ? 0.33 : ch === 'm' || ch === 'w' ? 0.92 : 0.6;
    else if (' .,:;|!\'()[]'.includes(ch)) em += 0.34;
    else if (ch === '%') em += 0.95;
    else if (ch === '—' || ch === '…') em += 1;
    else em += 0.66;
  }
  return Math.ceil(em * font);
}

export function maxTextWidth(texts: Iterable<string>, font: number): number {
  let max = 0;
  for (const t of texts) max = Math.max(max, textWidth(t, font));
  return max;
}

/** Cuts a label to fit `maxPx`, ending with an ellipsis (full labels stay in the page's tables). */
export function truncate(text: string, maxPx: number, font: number): string {
  if (textWidth(text, font) <= maxPx) return text;
  // the longest start (at least one character) that fits with the ellipsis, found from the
  // front: a 2,000-character label costs as much as a short one
  let kept = '';
  for (const ch of text) {
    if (kept && textWidth(kept + ch + '…', font) > maxPx) break;
    kept += ch;
  }
  return kept.trimEnd() + '…';
}

const segmenters = new Map<string, Intl.Segmenter>();
/**
 * Breaks a label into at most `maxLines` lines of at most `maxPx`, at word boundaries (Intl's
 * dictionary segmentation also finds Chinese words: 兴趣|爱好|交流|群). Null when it cannot.
 */
export function wrap(text: string, maxPx: number, font: number, maxLines: number): string[] | null {
  if (textWidth(text, font) <= maxPx) return [text];
  let seg = segmenters.get('zh');
  if (!seg) segmenters.set('zh', (seg = new Intl.Segmenter('zh', { granularity: 'word' })));
  const words = [...seg.segment(text)].map((s) => s.segment);
  const greedy = (width: number): string[] | null => {
    const lines: string[] = [];
    let current = '';
    for (const word of words) {
      const next = current + word;
      if (current.trim() && textWidth(next.trimEnd(), font) > width) {
        lines.push(current.trim());
        current = word.trimStart();
      } else current = next;
      if (textWidth(current.trim(), font) > width) return null; // one word wider than the column
    }
    if (current.trim()) lines.push(current.trim());
    return lines;
  };
  const lines = greedy(maxPx);
  if (!lines || lines.length > maxLines) return null;
  // Balance the lines (兴趣爱好 / 交流群 rather than 兴趣爱好交流 / 群): the narrowest width that
  // still needs no more lines.
  for (let w = Math.ceil(textWidth(text, font) / lines.length); w < maxPx; w += 2) {
    const balanced = greedy(w);
    if (balanced && balanced.length <= lines.length) return balanced;
  }
  return lines;
}

// ----- ticks ----------------------------------------------------------------------------------

/** The smallest 1-2-5 step giving at most `count` intervals over [lo, hi] (sparse ticks read better). */
export function tickStep(lo: number, hi: number, count: number): number {
  const span = hi - lo;
  if (!(span > 0)) return 1;
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw * (1 - 1e-9)) return m * power;
  return 10 * power;
}

const clean = (v: number) => Number(v.toPrecision(12)); // 0.30000000000000004 → 0.3

export function ticks(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  for (let i = first; i <= last && out.length < 100; i++) out.push(clean(i * step));
  return out;
}

export interface LinearAxis {
  domain: [number, number];
  ticks: number[];
  step: number;
}

/**
 * A domain rounded out to whole ticks (unless `exact`), including zero (rates and counts are read
 * against zero) unless `zero` is false; percent domains never pass 100%.
 */
export function linearAxis(
  values: Iterable<number | null | undefined>,
  opts: { count: number; percent?: boolean; zero?: boolean; domain?: [number, number]; exact?: boolean },
): LinearAxis {
  let lo = Infinity;
  let hi = -Infinity;
  if (opts.domain && finite(opts.domain[0]) !== null && finite(opts.domain[1]) !== null && opts.domain[1] > opts.domain[0]) {
    [lo, hi] = opts.domain;
    const step = tickStep(lo, hi, opts.count);
    return { domain: [lo, hi], ticks: ticks(lo, hi, step), step };
  }
  for (const v of values) {
    const x = finite(v);
    if (x === null) continue;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (lo === Infinity) [lo, hi] = [0, 1];
  if (opts.zero !== false) {
    lo = Math.min(0, lo);
    hi = Math.max(0, hi);
  }
  if (hi === lo && !opts.exact) hi = lo === 0 ? 1 : lo + Math.abs(lo) * 0.1;
  if (opts.exact) {
    // an x axis of weeks ends at the data, not at the next round number
    if (hi - lo < 1e-9) [lo, hi] = [lo - 1, hi + 1];
    const step = tickStep(lo, hi, opts.count);
    return { domain: [lo, hi], ticks: ticks(lo, hi, step), step };
  }
  let step = tickStep(lo, hi, opts.count);
  lo = clean(Math.floor(lo / step + 1e-9) * step);
  hi = clean(Math.ceil(hi / step - 1e-9) * step);
  if (opts.percent) {
    // a rate axis past 100% or below 0% reads as an error
    hi = Math.min(hi, Math.max(1, clean(lo + step)));
    lo = Math.max(lo, Math.min(0, hi - step));
    step = tickStep(lo, hi, opts.count);
  }
  return { domain: [lo, hi], ticks: ticks(lo, hi, step), step };
}

/**
 * A horizontal axis whose tick labels keep clear of each other at the given plot width: when the
 * labels do not fit, every k-th tick is kept (the domain stays tight around the data), ending on
 * the last tick when some k allows it.
 */
export function fittedAxis(
  values: (number | null | undefined)[],
  opts: { count: number; percent?: boolean; zero?: boolean; domain?: [number, number]; exact?: boolean },
  plotWidth: number,
  font: number,
  formatFor: (axis: LinearAxis) => (v: number) => string,
): LinearAxis & { format: (v: number) => string } {
  const axis = linearAxis(values, opts);
  const format = formatFor(axis);
  const n = axis.ticks.length;
  const need = maxTextWidth(axis.ticks.map(format), font) + 14;
  const space = plotWidth / Math.max(1, (axis.ticks[n - 1] - axis.ticks[0]) / axis.step);
  if (n < 3 || space >= need) return { ...axis, format };
  let k = Math.ceil(need / space);
  const dividing = Array.from({ length: k + 1 }, (_, i) => k + i).find((d) => d < n && (n - 1) % d === 0);
  if (dividing) k = dividing;
  return { ...axis, ticks: axis.ticks.filter((_, i) => i % k === 0), format };
}

// ----- formats --------------------------------------------------------------------------------

const compactCache = new Map<string, Intl.NumberFormat>();
/** 12,345 → 1.2万 / 12K: for ticks and cells where a full number does not fit. */
export function compactNumber(t: I18n, v: number): string {
  let f = compactCache.get(t.locale);
  if (!f) compactCache.set(t.locale, (f = new Intl.NumberFormat(t.locale, { notation: 'compact', maximumFractionDigits: 1 })));
  return f.format(v);
}

/** A value printed next to its mark: 74.1%, ¥88, 1,234, 3.4. */
export function formatValue(t: I18n, format: ValueFormat, v: number | null | undefined): string {
  const x = finite(v);
  if (x === null) return '—';
  if (format === 'percent') return t.pct(x, 1);
  if (format === 'money') return t.money(x);
  return Number.isInteger(x) || Math.abs(x) >= 100 ? t.int(x) : t.num(x, 1);
}

/** Tick labels with just the digits the step needs: 75%, 2.5%, ¥80, 1.2万 / 12K. */
export function tickFormatter(t: I18n, format: ValueFormat, step: number, max: number): (v: number) => string {
  const digitsFor = (s: number) => Math.max(0, Math.min(3, -Math.floor(Math.log10(s) + 1e-9)));
  if (format === 'percent') {
    const d = digitsFor(step * 100);
    return (v) => t.pct(v, d);
  }
  const big = Math.abs(max) >= 10000;
  const d = digitsFor(step);
  const plain = (v: number) => (big ? compactNumber(t, v) : d === 0 ? t.int(v) : t.num(v, d));
  if (format === 'money') return (v) => (v < 0 ? `-¥${plain(-v)}` : `¥${plain(v)}`);
  return plain;
}

// ----- colours --------------------------------------------------------------------------------

/** The colour's sRGB channels (d3-color reads every CSS colour), or null when it is not a colour. */
function channels(color: string): RGBColor | null {
  return parseColor(color)?.rgb() ?? null;
}

/** WCAG relative luminance (0 black to 1 white); 0 for what is not a colour. */
export function luminance(color: string): number {
  const c = channels(color);
  if (!c) return 0;
  const lin = [c.r, c.g, c.b].map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}

const textColorCache = new Map<string, string>();
/**
 * The series colour darkened until text in it has 4.5:1 contrast on white: the Okabe–Ito orange
 * and yellow are fine for lines and dots but too light for small text.
 */
export function textColor(color: string): string {
  let out = textColorCache.get(color);
  if (out) return out;
  const c = channels(color);
  out = color;
  if (c && 1.05 / (luminance(color) + 0.05) < 4.5) {
    const scaled = (k: number) => rgb(c.r * k, c.g * k, c.b * k).formatHex();
    let k = 1;
    while (k > 0.2 && 1.05 / (luminance(scaled(k)) + 0.05) < 4.5) k -= 0.05;
    out = scaled(k);
  }
  textColorCache.set(color, out);
  return out;
}

/**
 * ColorBrewer Blues without its near-white first step, so a 0 cell is still visibly filled and
 * differs from an empty (null) one. Single-hue, hence safe for colour-blind readers and in greyscale print.
 */
const BLUES = piecewise(interpolateRgb, ['#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b']);

/** Colour of t in [0, 1] on the sequential scale (straight lines in sRGB between the steps). */
export function ramp(t: number): string {
  return rgb(BLUES(Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)))).formatHex();
}

/** Dark text on light cells, white on dark ones. */
export function onColor(fill: string): string {
  return luminance(fill) > 0.3 ? '#1A1A1A' : '#FFFFFF';
}

// ----- labels at line ends ------------------------------------------------------------------

/**
 * Pushes labels (sorted by pixel y) apart to `gap` within [top, bottom]. Returns the new
 * positions by input index, or null when some label would have to move more than `maxShift`
 * from its line: then the labels would point at the wrong curve and the legend does the job.
 */
export function dodge(ys: number[], gap: number, top: number, bottom: number, maxShift: number): number[] | null {
  if (!ys.length) return [];
  if ((ys.length - 1) * gap > bottom - top) return null; // no room at all
  const order = ys.map((_, i) => i).sort((a, b) => ys[a] - ys[b]);
  // Clusters of labels that touch are laid out `gap` apart, centred on their lines' mean
  // (so two close labels move apart symmetrically), and merged while they overlap.
  const clusters: { first: number; count: number; sum: number; start: number }[] = [];
  const place = (c: { count: number; sum: number; start: number }) => {
    const ideal = c.sum / c.count - ((c.count - 1) * gap) / 2;
    c.start = Math.max(top, Math.min(bottom - (c.count - 1) * gap, ideal));
  };
  for (let k = 0; k < order.length; k++) {
    const c = { first: k, count: 1, sum: ys[order[k]], start: ys[order[k]] };
    place(c);
    clusters.push(c);
    while (clusters.length > 1) {
      const prev = clusters[clusters.length - 2];
      const last = clusters[clusters.length - 1];
      if (prev.start + prev.count * gap <= last.start + 1e-9) break;
      // offsets within a cluster: the mean of (y - offset) is what centring uses
      prev.sum += last.sum;
      prev.count += last.count;
      clusters.pop();
      place(prev);
    }
  }
  const out = new Array<number>(ys.length);
  for (const c of clusters) {
    for (let j = 0; j < c.count; j++) {
      const i = order[c.first + j];
      out[i] = c.start + j * gap;
      if (Math.abs(out[i] - ys[i]) > maxShift) return null;
    }
  }
  return out;
}

/** Drops labels (in order) that would overlap the previous one kept. */
export function keepApart<T>(items: T[], at: (d: T) => number, width: (d: T) => number): T[] {
  const sorted = [...items].sort((a, b) => at(a) - at(b));
  const kept: T[] = [];
  let right = -Infinity;
  for (const d of sorted) {
    const x = at(d);
    const w = width(d);
    if (x - w / 2 >= right) {
      kept.push(d);
      right = x + w / 2;
    }
  }
  return kept;
}

/** A line's last point in pixels and its label. */
export interface LineEnd {
  text: string;
  x: number;
  y: number;
  fill: string;
  /** The line reaches the right edge of the plot: its label goes in the right margin. */
  atEdge: boolean;
}

/**
 * Direct labels for line ends: those at the right edge are stacked in the right margin (pushed
 * apart a little), those of lines that stop earlier sit just right of their last point. Returns
 * label anchor positions (text-anchor start) or null when any would collide or leave the
 * drawing: then the chart has no direct labels and the page's legend does the job.
 */
export function placeLineEnds(ends: LineEnd[], o: { plotRight: number; width: number; top: number; bottom: number; font: number }): { text: string; x: number; y: number; fill: string }[] | null {
  const h = o.font + 2;
  const edge = ends.filter((e) => e.atEdge);
  const inner = ends.filter((e) => !e.atEdge);
  const ys = dodge(edge.map((e) => e.y), h, o.top, o.bottom, o.font * 1.6);
  if (!ys) return null;
  const out = edge.map((e, i) => ({ text: e.text, fill: e.fill, x: o.plotRight + 8, y: ys[i] }));
  const boxes = out.map((l) => ({ x0: l.x, x1: l.x + textWidth(l.text, o.font), y0: l.y - h / 2, y1: l.y + h / 2 }));
  for (const e of inner) {
    const b = { x0: e.x + 6, x1: e.x + 6 + textWidth(e.text, o.font), y0: e.y - h / 2, y1: e.y + h / 2 };
    if (b.x1 > o.width - 2 || b.y0 < o.top - h || b.y1 > o.bottom + h) return null;
    if (boxes.some((c) => b.x0 < c.x1 && c.x0 < b.x1 && b.y0 < c.y1 && c.y0 < b.y1)) return null;
    boxes.push(b);
    out.push({ text: e.text, fill: e.fill, x: b.x0, y: e.y });
  }
  return out;
}

// ----- row charts ---------------------------------------------------------------------------

export interface RowLabels {
  marginLeft: number;
  /** key → label as printed (cut to fit the margin). */
  labelOf: (key: string) => string;
  /** the labels cut to fit, printed → whole: pass to render() for their tooltips */
  full: FullTexts;
}

/**
 * Labels cut to fit with an ellipsis, as printed → as given. render() puts each such text in a
 * group with a <title> holding the whole label: the tooltip; the figure's data table and CSV
 * have it too.
 */
export type FullTexts = Map<string, string>;

/** `truncate`, noting a cut label in `full`. */
export function truncateNoting(full: FullTexts, text: string, maxPx: number, font: number): string {
  const cut = truncate(text, maxPx, font);
  if (cut !== text) full.set(cut, text);
  return cut;
}

/**
 * Left margin for row labels (long Chinese type names!), at most a share of the width on a
 * phone so the data keeps room; longer labels are cut with an ellipsis.
 */
export function rowLabels(f: Frame, rows: { key: string; label: string }[]): RowLabels {
  const cap = Math.round(f.width * (f.narrow ? 0.34 : 0.3));
  const labels = new Map<string, string>();
  const full: FullTexts = new Map();
  for (const r of rows) labels.set(r.key, truncateNoting(full, r.label, cap - 10, f.font));
  return { marginLeft: Math.min(cap, maxTextWidth(labels.values(), f.font) + 10), labelOf: (k) => labels.get(k) ?? k, full };
}

/** Row keys made unique, so two rows with the same key still get their own band. */
export function uniqueKeys<T extends { key: string }>(rows: T[]): (T & { id: string })[] {
  const seen = new Map<string, number>();
  return rows.map((r) => {
    const k = seen.get(r.key) ?? 0;
    seen.set(r.key, k + 1);
    return { ...r, id: k ? `${r.key}\u0000${k}` : r.key };
  });
}

// ----- rendering ------------------------------------------------------------------------------

/** What a chart with nothing to draw shows: a large dash in the middle. */
export function noDataMark(font: number): Plot.Markish {
  return Plot.text(['—'], { frameAnchor: 'middle', fill: MUTED_TEXT, fontSize: font * 1.5 });
}

export function svgElement(name: string, attrs: Record<string, string | number>, text?: string): Element {
  const el = chartDocument().createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A short hash for ids that must be unique on a page yet stable from build to build. */
export function hashId(...parts: (string | number)[]): string {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = String(part);
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0x1f, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/**
 * Runs Plot with the shared document and finishes the SVG: role="img", an escaped aria-label,
 * a <title> (read by screen readers and shown as a tooltip), and a style that scales the chart
 * down with its container while keeping the viewBox. `decorate` may add elements Plot cannot
 * draw (a colour ramp, a hatch pattern); `full` gives labels cut to fit their tooltips.
 */
export function render(options: Plot.PlotOptions, f: Frame, o: ChartCommon, decorate?: (svg: Element) => void, full?: FullTexts): string {
  const node = Plot.plot({
    color: { type: 'identity' }, // colours come as literal CSS colours (channel/type colours)
    ...options,
    width: f.width,
    document: chartDocument(),
    style: { fontSize: `${f.font}px`, fontFamily: 'inherit', maxWidth: '100%', height: 'auto' },
  }) as unknown as Element;
  const svg = node.tagName.toLowerCase() === 'svg' ? node : node.querySelector('svg')!;
  svg.setAttribute('role', 'img');
  // Plot's own font attributes would apply if the page's CSS did not; keep them consistent.
  svg.setAttribute('font-size', String(f.font));
  svg.insertBefore(svgElement('title', {}, o.ariaLabel), svg.firstChild);
  // The chart is one image for assistive technology (its data table sits beside it); Plot's
  // aria-labels on the mark groups would be labels on plain <g> elements, which ARIA forbids.
  // Kept as data-mark so the marks stay identifiable (tests, styling).
  for (const el of svg.querySelectorAll('[aria-label]')) {
    el.setAttribute('data-mark', el.getAttribute('aria-label')!);
    el.removeAttribute('aria-label');
  }
  for (const el of svg.querySelectorAll('[aria-description]')) el.removeAttribute('aria-description');
  // Plot writes path coordinates to 1/1000 px; 1/10 is already finer than any screen or
  // printer, and curves of thousands of steps shrink by a third.
  for (const el of svg.querySelectorAll('path[d]')) el.setAttribute('d', el.getAttribute('d')!.replace(/(\.\d)\d+/g, '$1'));
  if (full?.size) {
    // a label cut to fit gets its whole text as a tooltip: the <text> goes into a <g> with a
    // <title> (a <title> inside the <text> would become part of its text)
    for (const el of svg.querySelectorAll('text')) {
      const whole = full.get(el.textContent ?? '');
      if (whole === undefined) continue;
      const g = svgElement('g', {});
      el.parentNode!.replaceChild(g, el);
      g.appendChild(svgElement('title', {}, whole));
      g.appendChild(el);
    }
  }
  decorate?.(svg);
  // linkedom escapes only quotes in attributes; set the label by hand so "&" and "<" survive.
  return node.outerHTML.replace(/^<(svg|figure)\b/, (m) => `${m} aria-label="${escapeHtml(o.ariaLabel)}"`);
}

