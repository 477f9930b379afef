/**
 * Light charts for the group pages, written as SVG text directly (no Plot, no DOM): a build
 * draws thousands of them, so each must cost microseconds. They follow the look of the Plot
 * charts (font, grid, colours, percent axes) and, like them, read with JavaScript off and print.
 */
import { rgb } from 'd3-color';
import { interpolateRgb, quantize } from 'd3-interpolate';
import { escapeHtml as escapeXml } from '../core/escape.ts';
import type { I18n } from '../i18n/index.ts';
import { memo, type MemoCache } from '../core/memo.ts';
import { tickStep, ticks } from './common.ts';

const FONT = 12;
const GRID = '#e6e9ed';
const AXIS = '#59636e';


const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Coordinates to 0.1 px (n) and half pixels (half), as (Math.round(v * 10) / 10).toString()
// would write them, from integers: thousands of pages write millions of coordinates, and
// integer-to-text is twice as fast as double-to-text.
const n = (v: number): string => {
  const r = Math.round(v * 10);
  const tenth = r % 10;
  if (tenth === 0) return String(r / 10);
  const whole = (r - tenth) / 10;
  return `${r < 0 && whole === 0 ? '-0' : whole}.${tenth < 0 ? -tenth : tenth}`;
};
const half = (v: number): string => {
  const r = Math.round(v * 2);
  if (r % 2 === 0) return String(r / 2);
  return r < 0 ? `${r === -1 ? '-0' : (r + 1) / 2}.5` : `${(r - 1) / 2}.5`;
};
/** exported for the test that holds them to the plain formulas */
export { n as tenthPixel, half as halfPixel };

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function svg(f: Frame, label: string, body: string): string {
  const title = escapeXml(label);
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${title}" viewBox="0 0 ${f.width} ${f.height}" width="${f.width}" height="${f.height}" font-size="${FONT}" font-family="inherit" style="max-width:100%;height:auto"><title>${title}</title>${body}</svg>`;
}

function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/**
 * A path of horizontal and vertical moves ([x, NaN] is "across to x", [NaN, y] "up or down to
 * y"; the first pair is the start), x rounded to half pixels and y to 0.1 px, moves that land
 * on the same half pixel merged: a curve of thousands of small steps stays a few kilobytes.
 */
export function stepPath(moves: [number, number][]): string {
  let cx = half(moves[0][0]);
  let cy = n(moves[0][1]);
  let d = `M${cx},${cy}`;
  let pendingY: string | null = null;
  for (let i = 1; i < moves.length; i++) {
    const [mx, my] = moves[i];
    if (Number.isNaN(mx)) {
      pendingY = n(my);
      continue;
    }
    const px = half(mx);
    if (px === cx) continue;
    if (pendingY !== null && pendingY !== cy) d += `V${(cy = pendingY)}`;
    pendingY = null;
    d += `H${(cx = px)}`;
  }
  if (pendingY !== null && pendingY !== cy) d += `V${pendingY}`;
  return d;
}

/** A y axis with gridlines (left labels) and an x axis with ticks (bottom labels). */
function axes(f: Frame, y: { ticks: number[]; at: (v: number) => number; label: (v: number) => string; title?: string }, x: { ticks: number[]; at: (v: number) => number; label: (v: number) => string; title?: string }): string {
  let out = '';
  for (const t of y.ticks) {
    const py = n(y.at(t));
    out += `<line x1="${f.left}" x2="${f.width - f.right}" y1="${py}" y2="${py}" stroke="${GRID}"/><text x="${f.left - 6}" y="${py}" dy="0.32em" text-anchor="end" fill="${AXIS}">${escapeXml(y.label(t))}</text>`;
  }
  const base = f.height - f.bottom;
  out += `<line x1="${f.left}" x2="${f.width - f.right}" y1="${base}" y2="${base}" stroke="${AXIS}"/>`;
  for (const t of x.ticks) {
    const px = n(x.at(t));
    out += `<line x1="${px}" x2="${px}" y1="${base}" y2="${base + 4}" stroke="${AXIS}"/><text x="${px}" y="${base + 16}" text-anchor="middle" fill="${AXIS}">${escapeXml(x.label(t))}</text>`;
  }
  if (y.title) out += `<text x="${f.left - 6}" y="${f.top - 8}" fill="${AXIS}">${escapeXml(y.title)}</text>`;
  if (x.title) out += `<text x="${(f.left + f.width - f.right) / 2}" y="${f.height - 4}" text-anchor="middle" fill="${AXIS}">${escapeXml(x.title)}</text>`;
  return out;
}

export interface StepSeries {
  label: string;
  color: string;
  points: { time: number; survival: number; lower: number | null; upper: number | null }[];
  band: boolean;
}

/**
 * Traced step lines and bands by the points array they were drawn from, then by chart size: a
 * type's curve is drawn on thousands of pages, a group's on its page in each language.
 */
const LINE_PATHS: MemoCache<string> = new WeakMap();
const BAND_PATHS: MemoCache<string> = new WeakMap();
const GRID_PATHS: MemoCache<string> = new WeakMap();

/** Kaplan–Meier steps from (0, 100%), with an optional band, clipped at xMax days. */
export function stepChart(o: { f: I18n; width: number; ariaLabel: string; xLabel: string; yLabel: string; xMax: number; markers: number[]; series: StepSeries[] }): string {
  const f: Frame = { width: o.width, height: o.width < 420 ? 240 : 280, left: 44, right: 14, top: 26, bottom: 38 };
  const x = scale(0, o.xMax, f.left, o.width - f.right);
  const y = scale(0, 1, f.height - f.bottom, f.top);
  const step = tickStep(0, o.xMax, o.width < 420 ? 4 : 6);
  let body = axes(
    f,
    { ticks: [0, 0.25, 0.5, 0.75, 1], at: y, label: (v) => `${Math.round(v * 100)}%`, title: o.yLabel },
    { ticks: ticks(0, o.xMax, step), at: x, label: (v) => o.f.int(v), title: o.xLabel },
  );
  for (const m of o.markers) if (m < o.xMax) body += `<line x1="${n(x(m))}" x2="${n(x(m))}" y1="${f.top}" y2="${f.height - f.bottom}" stroke="#8a8a8a" stroke-dasharray="3,3"/><text x="${n(x(m)) }" y="${f.top - 2}" text-anchor="middle" fill="${AXIS}" font-size="10">d${m}</text>`;
  const key = `${o.width}|${o.xMax}`;
  for (const s of o.series) {
    const end = s.points.length ? Math.min(o.xMax, s.points[s.points.length - 1].time) : 0;
    const shown = () => s.points.filter((p) => p.time <= o.xMax);
    if (s.band) {
      // one polygon: upper steps forward, lower steps back (points without a band skipped)
      const d = memo(BAND_PATHS, s.points, key, () => {
        const band = [{ time: 0, lo: 1, hi: 1 }, ...shown().filter((p) => p.lower !== null && p.upper !== null).map((p) => ({ time: p.time, lo: p.lower!, hi: p.upper! }))];
        if (band.length < 2) return '';
        const moves: [number, number][] = [[x(0), y(1)]];
        for (const b of band.slice(1)) moves.push([x(b.time), NaN], [NaN, y(b.hi)]);
        moves.push([x(end), NaN], [NaN, y(band[band.length - 1].lo)]);
        for (let i = band.length - 1; i >= 1; i--) moves.push([x(band[i].time), NaN], [NaN, y(band[i - 1].lo)]);
        moves.push([x(0), NaN]);
        return stepPath(moves);
      });
      if (d) body += `<path d="${d}Z" fill="${s.color}" fill-opacity="0.15"/>`;
    }
    // from (0, 100%), along at the previous level to each time, then down to its level
    const d = memo(LINE_PATHS, s.points, key, () => {
      const line: [number, number][] = [[x(0), y(1)]];
      for (const p of shown()) line.push([x(p.time), NaN], [NaN, y(p.survival)]);
      line.push([x(end), NaN]);
      return stepPath(line);
    });
    body += `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"/>`;
  }
  return svg(f, o.ariaLabel, body);
}

/** Horizontal bars with their values. */
export function barChart(o: { width: number; ariaLabel: string; xLabel: string; rows: { label: string; color: string; value: number }[]; format: (v: number) => string }): string {
  const labelWidth = Math.min(o.width * 0.32, 8 + Math.max(0, ...o.rows.map((r) => r.label.length * FONT * (/[\u3000-\u9fff]/.test(r.label) ? 1 : 0.6))));
  const f: Frame = { width: o.width, height: 40 + o.rows.length * 26, left: labelWidth + 8, right: 48, top: 8, bottom: 32 };
  const max = Math.max(1, ...o.rows.map((r) => r.value));
  const x = scale(0, max, f.left, o.width - f.right);
  let body = '';
  o.rows.forEach((r, i) => {
    const top = f.top + i * 26;
    body += `<text x="${f.left - 6}" y="${top + 11}" dy="0.32em" text-anchor="end" fill="#1f2328">${escapeXml(r.label)}</text>`;
    body += `<rect x="${f.left}" y="${top + 3}" width="${n(Math.max(1, x(r.value) - f.left))}" height="16" fill="${r.color}"/>`;
    body += `<text x="${n(x(r.value) + 4)}" y="${top + 11}" dy="0.32em" fill="#1f2328">${escapeXml(o.format(r.value))}</text>`;
  });
  const base = f.height - f.bottom;
  body += `<line x1="${f.left}" x2="${o.width - f.right}" y1="${base}" y2="${base}" stroke="${AXIS}"/><text x="${(f.left + o.width - f.right) / 2}" y="${f.height - 6}" text-anchor="middle" fill="${AXIS}">${escapeXml(o.xLabel)}</text>`;
  return svg(f, o.ariaLabel, body);
}

/**
 * A value per week (or day) as a line over a shaded area; `reference` (a benchmark) as a dashed
 * grey line over the same dates. The x axis spans the points and, when given, `from`–`to`
 * (a group's life: a silent stretch shows as one). With `zeroGaps` (days between points, 7 for
 * weeks) a missing point is a zero, not a line drawn across the gap. Months on the x axis; years
 * when it spans more than 14 months.
 */
export function weeklyChart(o: { f: I18n; width: number; ariaLabel: string; yLabel: string; xLabel: string; color: string; points: { week: string; value: number }[]; percent?: boolean; reference?: { week: string; value: number }[]; from?: string; to?: string; zeroGaps?: number }): string {
  const f: Frame = { width: o.width, height: o.width < 420 ? 200 : 230, left: 44, right: 14, top: 26, bottom: 38 };
  if (o.points.length === 0) return svg(f, o.ariaLabel, `<text x="${o.width / 2}" y="${f.height / 2}" text-anchor="middle" fill="${AXIS}">—</text>`);
  const day = (s: string) => Date.parse(`${s}T00:00:00Z`) / 86400000;
  const first = day(o.points[0].week);
  const last = day(o.points[o.points.length - 1].week);
  const t0 = o.from ? Math.min(first, day(o.from)) : first;
  const t1 = Math.max(t0 + 7, last, o.to ? day(o.to) : last);
  const max = o.percent ? 1 : Math.max(1, ...o.points.map((p) => p.value));
  const step = o.percent ? 0.25 : tickStep(0, max, 4);
  const top = o.percent ? 1 : Math.ceil(max / step) * step;
  const x = scale(t0, t1, f.left, o.width - f.right);
  const y = scale(0, top, f.height - f.bottom, f.top);
  // month ticks (the first of each month in range) or, over more than 14 months, year ticks
  // (each 1 January), thinned to fit
  const months: number[] = [];
  const start = new Date(t0 * 86400000);
  for (let d = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1)); d.getTime() / 86400000 <= t1; d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))) months.push(d.getTime() / 86400000);
  const years = months.length > 14;
  const candidates = years ? months.filter((t) => new Date(t * 86400000).getUTCMonth() === 0) : months;
  const every = Math.max(1, Math.ceil(candidates.length / (o.width < 420 ? 4 : 7)));
  const monthTicks = candidates.filter((_, i) => i % every === 0);
  const monthLabel = (t: number) => {
    const d = new Date(t * 86400000);
    if (years) return o.f.lang === 'zh' ? `${d.getUTCFullYear()}年` : String(d.getUTCFullYear());
    const m = d.getUTCMonth();
    return o.f.lang === 'zh' ? `${m + 1}月` : MONTHS_EN[m];
  };
  let body = axes(f, { ticks: ticks(0, top, step), at: y, label: (v) => (o.percent ? `${Math.round(v * 100)}%` : o.f.int(v)), title: o.yLabel }, { ticks: monthTicks, at: x, label: monthLabel, title: o.xLabel });
  // the paths depend on the points and the frame only (the reference also on the points' range)
  const key = `${o.width}|${o.percent ?? false}|${t0}|${t1}|${o.zeroGaps ?? 0}`;
  const gap = o.zeroGaps ?? 0;
  const line = memo(LINE_PATHS, o.points, key, () => {
    let d = '';
    let prev = NaN;
    const to = (t: number, v: number) => (d += `${d ? 'L' : 'M'}${n(x(t))},${n(y(v))}`);
    for (const p of o.points) {
      const t = day(p.week);
      if (gap) {
        // from zero at the start, and down to zero after the previous point, along zero to the
        // step before this one
        const zeroFrom = Number.isNaN(prev) ? t0 : prev + gap;
        if (t > zeroFrom) to(zeroFrom, 0);
        if (t - gap > zeroFrom) to(t - gap, 0);
      }
      to(t, p.value);
      prev = t;
    }
    // down to zero after the last point when the step after it has begun by the end (the
    // week of the report date is not over: its point is where the line ends)
    if (gap && prev + gap <= t1) {
      to(prev + gap, 0);
      if (prev + gap < t1) to(t1, 0);
    }
    return d;
  });
  const end = gap && last + gap <= t1 ? t1 : last;
  const begin = gap ? t0 : first;
  const area = `${line}L${n(x(end))},${n(y(0))}L${n(x(begin))},${n(y(0))}Z`;
  body += `<path d="${area}" fill="${o.color}" fill-opacity="0.15"/><path d="${line}" fill="none" stroke="${o.color}" stroke-width="1.8"/>`;
  // a lone point is a line of no length: a dot shows it
  if (o.points.length === 1) body += `<circle cx="${n(x(first))}" cy="${n(y(o.points[0].value))}" r="3" fill="${o.color}"/>`;
  if (o.reference?.length) {
    const ref = memo(LINE_PATHS, o.reference, `${key}|${top}`, () => o.reference!.map((p, i) => `${i ? 'L' : 'M'}${n(x(day(p.week)))},${n(y(p.value))}`).join(''));
    body += `<path d="${ref}" fill="none" stroke="${AXIS}" stroke-width="1.5" stroke-dasharray="5 3"/>`;
  }
  return svg(f, o.ariaLabel, body);
}

/** From no messages to the busiest hour: near-white to #08306b. */
const RHYTHM_COLORS = quantize(interpolateRgb('#eff3ff', '#08306b'), 8).map((c) => rgb(c).formatHex());

/** Weekday (rows, Monday first) × hour (columns) heat grid of messages. */
export function rhythmGrid(o: { width: number; ariaLabel: string; weekdayLabels: string[]; hourLabel: string; cells: { weekday: number; hour: number; messages: number }[] }): string {
  const f: Frame = { width: o.width, height: 0, left: 34, right: 8, top: 8, bottom: 34 };
  const cell = (o.width - f.left - f.right) / 24;
  const rowHeight = Math.min(22, Math.max(14, cell * 1.1));
  f.height = f.top + rowHeight * 7 + f.bottom;
  let body = '';
  for (let d = 1; d <= 7; d++) {
    const top = f.top + (d - 1) * rowHeight;
    body += `<text x="${f.left - 6}" y="${n(top + rowHeight / 2)}" dy="0.32em" text-anchor="end" fill="${AXIS}">${escapeXml(o.weekdayLabels[d - 1])}</text>`;
  }
  // the cells depend on the counts and the width only: the same in every language
  body += memo(GRID_PATHS, o.cells, String(o.width), () => {
    const grid = new Map(o.cells.map((c) => [c.weekday * 24 + c.hour, c.messages]));
    const max = Math.max(1, ...o.cells.map((c) => c.messages));
    // RHYTHM_LEVELS steps of a blue ramp by the square root (a few busy hours dominate): one
    // path per step keeps 168 cells in a few kilobytes; the exact counts are in the table
    const cells: string[] = RHYTHM_COLORS.map(() => '');
    const w = n(cell - 1);
    const hgt = n(rowHeight - 1);
    for (let d = 1; d <= 7; d++) {
      const top = f.top + (d - 1) * rowHeight;
      for (let h = 0; h < 24; h++) {
        const v = grid.get(d * 24 + h) ?? 0;
        const level = v <= 0 ? 0 : Math.max(1, Math.ceil(Math.sqrt(v / max) * (RHYTHM_COLORS.length - 1)));
        cells[level] += `M${n(f.left + h * cell)},${n(top)}h${w}v${hgt}h-${w}z`;
      }
    }
    return cells.map((d, level) => (d ? `<path d="${d}" fill="${RHYTHM_COLORS[level]}"/>` : '')).join('');
  });
  const base = f.top + rowHeight * 7;
  for (const h of [0, 6, 12, 18, 23]) body += `<text x="${n(f.left + (h + 0.5) * cell)}" y="${base + 14}" text-anchor="middle" fill="${AXIS}">${h}</text>`;
  body += `<text x="${(f.left + o.width - f.right) / 2}" y="${f.height - 4}" text-anchor="middle" fill="${AXIS}">${escapeXml(o.hourLabel)}</text>`;
  return svg(f, o.ariaLabel, body);
}
