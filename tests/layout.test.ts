/**
 * The tree is the build: every folder of src/ has a layer, in the order build.ts runs the steps,
 * and no module imports one of a higher layer (nor, across folders, one of its own layer), and
 * no modules import each other in a circle. Type-only imports count too: a type belongs to the
 * layer that makes it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

/** Lowest first. A folder may import its own folder and any lower layer. */
const LAYERS: string[][] = [
  ['core', 'i18n'], // effects and logger, configuration, the data contract, escaping; the dictionaries
  ['db', 'stats'], // the one query interface; pure statistics
  ['read'], // step 1
  ['validate'], // step 2
  ['preview'], // the read and validate rules on one file (in the browser too)
  ['model'], // step 3
  ['metrics'], // step 4
  ['outputs'], // step 5
  ['notebook'], // step 6: reports
  ['page-data'], // step 7
  ['charts'], // one chart per module, drawn at build time and in the browser
  ['ui'], // figure models, links, tables: what pages and the browser both use (no node:*, no linkedom)
  ['client', 'render'], // the browser's scripts; step 8, the render (Astro in a process of its own, group pages in workers)
  ['components', 'layouts'], // Astro's parts
  ['pages', 'styles', 'reports'], // Astro's pages; the notebook reports' Markdown
  ['publish'], // step 9
  ['sample', 'top'], // the commands: build.ts, cli.ts, bench.ts, docs.ts, pdf.ts, serve.ts
];

const layerOf = new Map<string, number>(LAYERS.flatMap((names, i) => names.map((n) => [n, i] as [string, number])));

function folderOf(file: string): string {
  const rel = relative(SRC, file).split('/');
  return rel.length === 1 ? 'top' : rel[0];
}

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|astro)$/.test(f)).map((f) => join(dir, f));
}

const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)(['"])(\.{1,2}\/[^'"]+)\1/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(SPECIFIER)].map((m) => normalize(join(dirname(file), m[2]))).filter((t) => /\.(ts|astro)$/.test(t));
}

const graph = new Map(sources(SRC).map((f) => [f, importsOf(f)]));

describe('the layout of src/', () => {
  it('gives every folder a layer', () => {
    const folders = new Set([...graph.keys()].map(folderOf));
    expect([...folders].filter((f) => !layerOf.has(f))).toEqual([]);
  });

  it('has no import that runs up a layer, or sideways into another folder of the same layer', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const from = folderOf(file);
      for (const target of targets) {
        const to = folderOf(target);
        if (from === to) continue;
        if (layerOf.get(to)! >= layerOf.get(from)! && !(from === 'top' && to === 'sample')) wrong.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no circle of imports', () => {
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      stack.push(file);
      for (const target of graph.get(file) ?? []) {
        if (state.get(target) === 'open') circles.push(stack.slice(stack.indexOf(target)).concat(target).map((f) => relative(SRC, f)).join(' → '));
        else if (!state.has(target)) visit(target);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    expect(circles).toEqual([]);
  });
});
