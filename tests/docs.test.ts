import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
