/**
 * The colour helpers went from hand-written hex parsing and interpolation to d3-color and
 * d3-interpolate: colors-before-d3.json holds what the hand-written ones gave (captured from
 * them before the change), and every colour must come out the same hex string.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { luminance, onColor, ramp, textColor } from '../../src/charts/common.ts';
import { rhythmGrid } from '../../src/charts/svg.ts';

interface Before {
  ramp: [number | string, string][];
  colours: [string, string, number, string][];
  rhythm: string[];
}
const before: Before = JSON.parse(readFileSync(join(import.meta.dirname, 'colors-before-d3.json'), 'utf8'));

describe('colours through d3-color and d3-interpolate', () => {
  it('gives the ramp the hand-written interpolation gave, at 281 points and out of range', () => {
    expect(before.ramp.length).toBe(288);
    expect(before.ramp.map(([t]) => [t, ramp(Number(t))])).toEqual(before.ramp);
  });

  it('gives the text colours, luminances and on-colours it gave, for the palette, a grid of colours and non-colours', () => {
    expect(before.colours.length).toBe(236);
    expect(before.colours.map(([c]) => [c, textColor(c), luminance(c), onColor(c)])).toEqual(before.colours);
  });

  it("gives the rhythm grid's eight levels it gave", () => {
    // max 49: the counts 1..49 fall on levels ceil(sqrt(v)) = 1..7, and 0 on level 0
    const cells = Array.from({ length: 50 }, (_, i) => ({ weekday: 1 + Math.floor(i / 24), hour: i % 24, messages: i }));
    const svg = rhythmGrid({ width: 600, ariaLabel: '', weekdayLabels: ['1', '2', '3', '4', '5', '6', '7'], hourLabel: 'h', cells });
    expect([...svg.matchAll(/<path d="[^"]*" fill="(#[0-9a-f]{6})"\/>/g)].map((m) => m[1])).toEqual(before.rhythm);
    expect(before.rhythm).toHaveLength(8);
  });
});
