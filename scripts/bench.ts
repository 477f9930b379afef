// `npm run bench -- [--scale X] [--seed N] [--no-workbook] [--data-only]`: the benchmark of src/bench.ts
// (--no-workbook leaves out the Excel lines, --data-only makes the data set and stops).
// Internal: `--baseline DIR --result FILE` (or `--floor DIR`) runs only DuckDB's own load, in its own process;
// `--workbook XLSX` the workbook's conversion and load, `--members-csv CSV` DuckDB's load of the same rows as CSV.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { baselineLoad, bench, benchTable, ensureData, membersCsvRead, workbookRead, type BenchResult } from '../src/bench.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string' },
    seed: { type: 'string' },
    baseline: { type: 'string' },
    floor: { type: 'string' },
    workbook: { type: 'string' },
    'members-csv': { type: 'string' },
    result: { type: 'string' },
    'data-only': { type: 'boolean' },
    'no-workbook': { type: 'boolean' },
  },
  strict: true,
});

if (values.workbook) {
  writeFileSync(values.result!, JSON.stringify(await workbookRead(values.workbook)));
  process.exit(0);
}
if (values['members-csv']) {
  writeFileSync(values.result!, JSON.stringify(await membersCsvRead(values['members-csv'])));
  process.exit(0);
}
if (values.baseline || values.floor) {
  writeFileSync(values.result!, JSON.stringify(await baselineLoad((values.baseline ?? values.floor)!, { floor: Boolean(values.floor) })));
  process.exit(0);
}

const scale = Number(values.scale ?? 1);
const seed = Number(values.seed ?? 42);
if (!(scale > 0) || !Number.isInteger(seed)) {
  process.stderr.write('usage: npm run bench -- [--scale X (default 1: 5,000 groups, 20 M messages)] [--seed N] [--no-workbook] [--data-only]\n');
  process.exit(1);
}
const root = '.qunlens/bench';
const log = (line: string) => process.stderr.write(`${line}\n`);
if (values['data-only']) {
  // make (or find) the data set and stop: a large one can be generated ahead of a quiet machine's run
  await ensureData(join(root, `scale-${scale}`), { scale, seed, root, log });
  process.exit(0);
}
const result = await bench({ scale, seed, root, log, workbook: !values['no-workbook'] });
// growth against the other scale's last result on this machine, when there is one
const other = fileURLToPath(new URL(`../${root}/result-${scale === 1 ? 0.1 : 1}.json`, import.meta.url));
const previous = existsSync(other) ? (JSON.parse(readFileSync(other, 'utf8')) as BenchResult) : undefined;
const [small, large] = previous && previous.scale < scale ? [previous, result] : [result, previous];
process.stdout.write(`\nqunlens bench, scale ${scale}, ${result.date}, ${result.machine}\n\n`);
process.stdout.write(`${benchTable(result, large === result ? small : undefined)}\n\n`);
if (large && small && large !== small && large !== result) process.stdout.write(`growth: scale ${large.scale} (${join(root, `result-${large.scale}.json`)}) took ${(large.build.wallMs / small.build.wallMs).toFixed(2)} × the time of this run\n\n`);
process.stdout.write(`pipeline/baseline ratio: ${result.ratios.pipeline.toFixed(2)}\n`);
process.stdout.write(`build/baseline ratio: ${result.ratios.build.toFixed(2)}\n`);
if (result.floorMs) {
  process.stdout.write(`pipeline/floor ratio: ${(result.pipelineMs / result.floorMs).toFixed(2)}   (target ≤ 3)\n`);
  process.stdout.write(`build/floor ratio: ${(result.build.wallMs / result.floorMs).toFixed(2)}   (target ≤ 6)\n`);
}
