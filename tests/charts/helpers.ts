/** Checks every chart's markup must pass, whatever the data. */
import { parseHTML } from 'linkedom';
import { expect } from 'vitest';
import { textWidth } from '../../src/charts/common.ts';

export function parse(markup: string): Element {
  const { document } = parseHTML(`<!doctype html><html><body>${markup}</body></html>`);
  const svg = document.querySelector('svg');
  expect(svg, 'an <svg> element').not.toBeNull();
  return svg as unknown as Element;
}

/** The markup is a finished, accessible, scalable SVG with the given texts and no broken numbers. */
export function expectChart(markup: string, o: { ariaLabel: string; texts?: string[]; width?: number }): Element {
  expect(markup.startsWith('<svg')).toBe(true);
  for (const bad of ['NaN', 'undefined', 'Infinity', 'null']) expect(markup, `markup contains ${bad}`).not.toContain(bad);
  const svg = parse(markup);
  expect(svg.getAttribute('role')).toBe('img');
  expect(svg.getAttribute('aria-label')).toBe(o.ariaLabel);
  expect(svg.querySelector('title')?.textContent).toBe(o.ariaLabel);
  const style = svg.getAttribute('style') ?? '';
  expect(style).toContain('max-width:100%');
  expect(style).toContain('height:auto');
  expect(style).toContain('font-family:inherit');
  expect(svg.getAttribute('viewBox')).toMatch(/^0 0 \d+(\.\d+)? \d+(\.\d+)?$/);
  if (o.width) expect(svg.getAttribute('width')).toBe(String(o.width));
  const text = svg.textContent ?? '';
  for (const t of o.texts ?? []) expect(text, `chart text contains ${t}`).toContain(t);
  return svg;
}

function translate(el: Element | null): [number, number] {
  const m = /translate\(([-\d.]+),\s*([-\d.]+)\)/.exec(el?.getAttribute('transform') ?? '');
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/**
 * Every y-axis tick label (right-aligned at the axis) starts inside the SVG, by the same width
 * estimate the charts use for their margins.
 */
export function expectYLabelsInside(svg: Element): void {
  const g = svg.querySelector('g[data-mark="y-axis tick label"]');
  expect(g).not.toBeNull();
  const [gx] = translate(g);
  const font = Number(svg.getAttribute('font-size'));
  for (const t of g!.querySelectorAll('text')) {
    const [x] = translate(t);
    const label = t.textContent ?? '';
    expect(x + gx - textWidth(label, font), `label ${label} starts inside`).toBeGreaterThanOrEqual(0);
  }
}

/** Texts of the tick labels of one axis. */
export function tickLabels(svg: Element, axis: 'x' | 'y'): string[] {
  const g = svg.querySelector(`g[data-mark="${axis}-axis tick label"]`);
  return g ? [...g.querySelectorAll('text')].map((t) => t.textContent ?? '') : [];
}

/** Neighbouring x tick labels (centred on their ticks) do not touch. */
export function expectXTicksApart(svg: Element): void {
  const g = svg.querySelector('g[data-mark="x-axis tick label"]');
  if (!g) return;
  const font = Number(g.getAttribute('font-size') ?? svg.getAttribute('font-size'));
  const ticks = [...g.querySelectorAll('text')].map((t) => ({ x: translate(t)[0], w: Math.max(...(t.textContent ?? '').split('\n').map((l) => textWidth(l, font))) }));
  for (let i = 1; i < ticks.length; i++) {
    expect(ticks[i].x - ticks[i - 1].x, 'tick labels apart').toBeGreaterThanOrEqual((ticks[i].w + ticks[i - 1].w) / 2 + 4);
  }
}
