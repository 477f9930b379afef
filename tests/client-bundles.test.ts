/**
 * The browser/build line: every client entry (src/client/*.ts, what the pages' scripts load)
 * bundles for the browser with nothing of Node in it: no `node:*` module and no linkedom (the
 * build side's document for charts). esbuild resolves the imports as a browser bundler does, so
 * a build-only module reached from a client entry fails here, with the chain of imports.
 */
import { build, type Metafile } from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLIENT = join(import.meta.dirname, '..', 'src', 'client');
const entries = readdirSync(CLIENT).filter((f) => f.endsWith('.ts'));

async function bundle(entry: string): Promise<{ inputs: string[]; errors: string[] }> {
  try {
    const result = await build({
      entryPoints: [join(CLIENT, entry)],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'browser',
      format: 'esm',
      splitting: true,
      outdir: 'out',
      logLevel: 'silent',
      // Vite's asset URLs (the wasm files) are not code
      plugins: [{ name: 'asset-url', setup: (b) => b.onResolve({ filter: /\?url$/ }, (a) => ({ path: a.path, external: true })) }],
    });
    return { inputs: Object.keys((result.metafile as Metafile).inputs), errors: [] };
  } catch (error) {
    return { inputs: [], errors: ((error as { errors?: { text: string }[] }).errors ?? [{ text: String(error) }]).map((e) => e.text) };
  }
}

describe('client bundles', () => {
  it('finds the client entries', () => {
    expect(entries).toEqual(expect.arrayContaining(['explore.ts', 'filters.ts', 'preview.ts', 'leaderboard.ts']));
  });

  for (const entry of entries) {
    it(`${entry} bundles for the browser without node:* or linkedom`, async () => {
      const { inputs, errors } = await bundle(entry);
      expect(errors).toEqual([]);
      expect(inputs.filter((i) => /(^|\/)node:|linkedom/.test(i))).toEqual([]);
      expect(inputs.length).toBeGreaterThan(0);
    });
  }
});
