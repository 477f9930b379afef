/**
 * The wrapper of a table that scrolls sideways when it does not fit, as HTML text (group pages)
 * and as a DOM element (tables drawn in the browser): a region named after the table that
 * keyboard users can Tab to and scroll with the arrow keys. components/TableWrap.astro writes
 * the same markup for Astro pages.
 */
import { escapeHtml } from '../core/escape.ts';

/** `<div class="table-wrap" …>inner</div>`; `label` is plain text (escaped here). */
export function tableWrap(label: string, inner: string): string {
  return `<div class="table-wrap" role="region" tabindex="0" aria-label="${escapeHtml(label)}">${inner}</div>`;
}

/** Makes `el` (a scrolling wrapper made in the browser) a focusable region named `label`. */
export function makeScrollRegion<T extends HTMLElement>(el: T, label: string): T {
  el.setAttribute('role', 'region');
  el.tabIndex = 0;
  el.setAttribute('aria-label', label);
  return el;
}
