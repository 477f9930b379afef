/**
 * Labels from the data (a group's name, a store, a type label, a team…) in tables. A table
 * lays a column out as wide as its longest unbreakable text, so a 2,000-character name would
 * make the page 30,000 px wide. Labels longer than LONG_LABEL characters are set in a box that
 * is at most 24rem wide and breaks them anywhere (CSS `.long`); shorter ones stay as they were,
 * on one line, so ordinary tables keep their layout.
 */
import { escapeHtml } from '../core/escape.ts';

/** 24 Chinese characters fill about 24rem; 24 Latin ones about half that. */
export const LONG_LABEL = 24;

export function isLongLabel(text: string): boolean {
  return text.length > LONG_LABEL;
}

/** The label as escaped HTML, boxed when long. */
export function labelHtml(text: string): string {
  return text.length > LONG_LABEL ? `<span class="long">${escapeHtml(text)}</span>` : escapeHtml(text);
}
