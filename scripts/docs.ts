// Regenerates the tables generated from the code (`npm run docs`) in README.md and
// docs/data.md: the header aliases and file names (src/core/contract.ts), the label tables
// (src/core/config.ts) and the rules on values (src/read/values.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GENERATED_FILES, regenerate } from '../src/docs.ts';

for (const file of GENERATED_FILES) {
  const path = fileURLToPath(new URL(`../${file}`, import.meta.url));
  const text = readFileSync(path, 'utf8');
  const next = regenerate(file, text);
  if (next !== text) writeFileSync(path, next);
  process.stderr.write(`${file} ${next === text ? 'already current' : 'updated'}\n`);
}
