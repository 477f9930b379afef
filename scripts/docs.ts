// Regenerates the generated parts of README.md from the code (`npm run docs`):
// the header-alias table (src/contract.ts), the label tables (src/config.ts) and the rules on
// values (src/pipeline/values.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readmeSections } from '../src/docs.ts';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
let text = readFileSync(readme, 'utf8');
for (const [name, body] of Object.entries(readmeSections())) {
  const start = `<!-- generated:${name} -->`;
  const end = `<!-- /generated:${name} -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < 0) throw new Error(`README.md has no ${start} … ${end} section`);
  text = `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`;
}
writeFileSync(readme, text);
process.stderr.write('README.md updated\n');
