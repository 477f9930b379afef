import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_FILES, generatedBlock, generatedSections } from '../src/docs.ts';
import { ROOT } from './helpers.ts';

describe.each(GENERATED_FILES)('%s', (file) => {
  it('holds the tables generated from the current code (npm run docs)', () => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const [name, body] of Object.entries(generatedSections())) {
      expect(text, `run npm run docs: section ${name} of ${file} is stale or missing`).toContain(generatedBlock(name, body));
    }
  });
});

/** The documents a user's clone reads: the README, docs/, the data folder's note. */
const DOCUMENTS = ['README.md', 'data/README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

describe.each(DOCUMENTS)('%s', (file) => {
  it('links only to files in the repository (a clone has nothing beside it)', () => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((t) => !/^(https?:|mailto:|#)/.test(t));
    for (const target of targets) {
      const path = resolve(dirname(join(ROOT, file)), decodeURI(target.replace(/#.*$/, '')));
      expect(relative(ROOT, path).startsWith('..'), `${file} links ${target}, outside the repository`).toBe(false);
      expect(existsSync(path), `${file} links ${target}, which does not exist`).toBe(true);
    }
  });
});
