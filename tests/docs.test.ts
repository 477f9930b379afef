import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readmeSections } from '../src/docs.ts';
import { ROOT } from './helpers.ts';

it('README tables are generated from the current code (npm run docs)', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const [name, body] of Object.entries(readmeSections())) {
    expect(readme, `run npm run docs: section ${name} is stale`).toContain(`<!-- generated:${name} -->\n${body}\n<!-- /generated:${name} -->`);
  }
});
