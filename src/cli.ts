/**
 * Command line: `npm run build|check|sample -- [options]`.
 * Operator mistakes (a missing column, a bad option) end with one clear message and exit 1;
 * only a bug in qunlens itself prints a stack trace (exit 2).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { parseArgs } from 'node:util';
import { build, buildIfChanged, loadAndValidate, resolveSalt } from './build.ts';
import { ConfigError, loadConfig } from './core/config.ts';
import { OutOfMemoryError } from './db/db.ts';
import { DEFAULT_MEMORY_LIMIT, openNativeDb } from './db/native.ts';
import { DiskFullError, explainDiskFull } from './publish/disk-full.ts';
import { InputsChangedError, waitUntilSteady } from './publish/input-versions.ts';
import { workFolderPrefix } from './publish/leftovers.ts';
import { consoleLogger, nodeEffects, type Logger } from './core/effects.ts';
import { PublishError } from './publish/publish.ts';
import { ModelError } from './model/model.ts';
import { InputError } from './read/source-files.ts';
import { ReportError } from './notebook/parse.ts';

/** dev waits until the inputs have not changed for this long: an export being copied is still changing */
const DEFAULT_SETTLE_SECONDS = 3;

const USAGE = `qunlens: community-operations report site from CSV exports

  npm run build  -- [--data DIR] [--out DIR] [--as-of YYYY-MM-DD] [--base /path/] [--config FILE] [--force]
  npm run check  -- [--data DIR] [--as-of YYYY-MM-DD] [--config FILE]
  npm run dev    -- [--data DIR] [--out DIR] [--port N] [--settle S]   build, serve, rebuild when data/ changes
  npm run pdf    -- [--site DIR] [--lang zh|en] [--file PATH]   board pack PDF of a built site
  npm run sample -- [--out DIR] [--seed N] [--scale X | --groups N --memberships N --messages N --orders N] [--clean] [--format csv|xlsx]

  --data DIR     input folder: CSV, Excel .xlsx, Parquet, chat-archive .jsonl (default: data; sample data when it holds none)
  --config FILE  the configuration to read instead of ./qunlens.config.json (the data folder's own is merged over it)
  --out DIR      output folder (build: dist; sample: data)
  --as-of DATE   report date T (default: latest date in the data)
  --base PATH    URL path the site is served under, e.g. /reports/qunlens/
  --force        rebuild even when inputs, code and options are unchanged since the last build
  --settle S     dev: rebuild once data/ has not changed for S seconds (default ${DEFAULT_SETTLE_SECONDS})
  --format F     sample: csv (default), or xlsx: Excel workbooks, monthly member files and a chat-archive dump, as operators hold them
`;

class UsageError extends Error {}

const OPTIONS = {
  data: { type: 'string' },
  out: { type: 'string' },
  'as-of': { type: 'string' },
  base: { type: 'string' },
  seed: { type: 'string' },
  groups: { type: 'string' },
  memberships: { type: 'string' },
  messages: { type: 'string' },
  orders: { type: 'string' },
  scale: { type: 'string' },
  clean: { type: 'boolean' },
  force: { type: 'boolean' },
  'no-render': { type: 'boolean' },
  threads: { type: 'string' },
  'memory-limit': { type: 'string' },
  config: { type: 'string' },
  port: { type: 'string' },
  settle: { type: 'string' },
  site: { type: 'string' },
  lang: { type: 'string' },
  file: { type: 'string' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replaceAll(',', '').replaceAll('_', ''));
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number, got "${value}"`);
  return Math.round(n);
}

function secondsOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) throw new UsageError(`--${name} must be a number of seconds, got "${value}"`);
  return seconds;
}

function dateOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new UsageError(`--as-of must be a date as YYYY-MM-DD, got "${value}"`);
  }
  return value;
}

function baseOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (/^[a-z]+:\/\//i.test(value)) throw new UsageError(`--base is a path such as /reports/qunlens/, not a URL ("${value}")`);
  return `/${value.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
}

/** True when the folder holds a data file (in it, or in a folder in it). */
async function hasInputs(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir, { recursive: true })).some((f) => /\.(csv|tsv|txt|parquet|xlsx|jsonl|ndjson|json)$/i.test(f) && !f.split(/[\\/]/).some((p) => p.startsWith('.')));
  } catch {
    return false;
  }
}

const SAMPLE_DIR = nodePath.join('.qunlens', 'sample-data');

async function ensureSample(log: (line: string) => void): Promise<string> {
  const { generateSample, SAMPLE_FILES } = await import('./sample/generate.ts');
  // made again when a file the generator now writes is missing (a sample from an older version)
  if (!(await hasInputs(SAMPLE_DIR)) || !SAMPLE_FILES.every((f) => existsSync(nodePath.join(SAMPLE_DIR, f)))) {
    await generateSample({ outDir: SAMPLE_DIR, log });
  }
  return SAMPLE_DIR;
}

async function runBuild(values: ReturnType<typeof parse>['values']): Promise<number> {
  // options first: a typo should not cost a sample generation
  const asOf = dateOption(values['as-of']);
  const base = baseOption(values.base);
  const threads = intOption(values.threads, 'threads');
  const log = withPeaks(consoleLogger());
  const effects = nodeEffects(log);
  let dataDir = values.data ?? 'data';
  if (!values.data && !(await hasInputs(dataDir))) {
    log.info(`data/ holds no CSV files: building from the sample data set (npm run sample writes it into data/ to edit)`);
    dataDir = await ensureSample((line) => log.info(`  ${line}`));
  }
  const outDir = values.out ?? 'dist';
  log.info(`qunlens build: ${dataDir} → ${outDir}`);
  const start = performance.now();
  const run = values.force ? build : buildIfChanged;
  const result = await run(
    {
      dataDir,
      outDir,
      projectDir: process.cwd(),
      asOf,
      base,
      render: !values['no-render'],
      threads,
      memoryLimit: values['memory-limit'],
      configFile: values.config,
    },
    effects,
  );
  if ('upToDate' in result) {
    log.info(`up to date in ${((performance.now() - start) / 1000).toFixed(1)}s: ${outDir}/ was built from these same inputs, code and options (--force rebuilds anyway)`);
    await writeReport(start);
    return 0;
  }
  await writeReport(start, result.timings, result.rssWithAstro, log.peaks);
  const rejected = result.validation.files.reduce((s, f) => s + f.rowsRejected, 0);
  log.info(`done in ${((performance.now() - start) / 1000).toFixed(1)}s: ${outDir}/ (as of ${result.model.asOf})`);
  if (rejected > 0) log.info(`${rejected.toLocaleString('en-US')} rows were rejected: see ${outDir}/data/data_quality.csv`);
  return 0;
}

/** This process's peak resident memory so far. */
const peakRssBytes = () => process.resourceUsage().maxRSS * 1024;

/**
 * The build's logger, noting after each step this process's peak resident memory so far (for
 * the report below: the step in which the peak was reached is where the memory went).
 */
function withPeaks(log: Logger): Logger & { peaks: Record<string, number> } {
  const peaks: Record<string, number> = {};
  return {
    ...log,
    peaks,
    step(name, detail, ms) {
      peaks[name] = peakRssBytes();
      log.step(name, detail, ms);
    },
  };
}

/**
 * For \`npm run bench\`: when QUNLENS_REPORT names a file, the build writes its step timings and
 * its peak resident memory there (the benchmark runs the build as a separate process): this
 * process's, or this process's and Astro's child process's together while Astro ran, whichever
 * is higher.
 */
async function writeReport(start: number, timings: Record<string, number> = {}, rssWithAstro = 0, peaks: Record<string, number> = {}): Promise<void> {
  const file = process.env.QUNLENS_REPORT;
  if (!file) return;
  const { writeFile } = await import('node:fs/promises');
  const report = { totalMs: performance.now() - start, timings, maxRssBytes: Math.max(peakRssBytes(), rssWithAstro), peaks, rssWithAstro };
  await writeFile(file, JSON.stringify(report));
}

/** Errors an operator can act on: their message says what to do, and they exit 1 without a stack. */
export function isOperatorError(error: unknown): error is Error {
  return (
    error instanceof InputError ||
    error instanceof ConfigError ||
    error instanceof ModelError ||
    error instanceof ReportError ||
    error instanceof OutOfMemoryError ||
    error instanceof DiskFullError ||
    error instanceof InputsChangedError ||
    error instanceof PublishError ||
    (error instanceof Error && error.name === 'PdfError')
  );
}

/**
 * Build, serve the site, and rebuild whenever a file in the data folder changes: once its files
 * have stopped changing for the settle time (an export copied in several steps is not built half
 * way). A build whose inputs changed while it ran is not published (build.ts checks just before
 * publishing); dev then waits for the files to settle again and rebuilds.
 */
async function runDev(values: ReturnType<typeof parse>['values']): Promise<number> {
  const port = intOption(values.port, 'port') ?? 4321;
  const settleMs = (secondsOption(values.settle, 'settle') ?? DEFAULT_SETTLE_SECONDS) * 1000;
  const outDir = values.out ?? 'dist';
  const dataDir = values.data ?? 'data';
  const effects = nodeEffects();
  const say = (line: string) => process.stderr.write(`${line}\n`);
  if (!existsSync(dataDir)) {
    if (values.data) throw new UsageError(`--data ${dataDir}: no such folder`);
    await effects.mkdir(dataDir); // watched: the sample site is replaced once exports land here
  }
  /** true when the inputs changed during the build (and it was not published) */
  const rebuild = async (): Promise<boolean> => {
    try {
      await runBuild(values);
      return false;
    } catch (error) {
      if (error instanceof InputsChangedError) {
        say(`\n${error.message.replace(/: build again once the files are complete$/, '')}: rebuilding once they stop changing`);
        return true;
      }
      const message = isOperatorError(error) ? error.message : ((error as Error).stack ?? String(error));
      say(`\nerror: ${message}\nstill serving the last good site`);
      return false;
    }
  };
  const { watch } = await import('node:fs');
  let changed = true; // the first build
  let wake: () => void = () => {};
  // (recursive: a table may be a folder of files)
  watch(dataDir, { recursive: true }, () => {
    changed = true;
    wake();
  });
  const { serveStatic } = await import('./serve.ts');
  for (let first = true; ; first = false) {
    if (!changed) await new Promise<void>((resolve) => (wake = resolve));
    if (!first) say(`\n${dataDir}/ changed: rebuilding once its files have not changed for ${settleMs / 1000}s`);
    await waitUntilSteady(effects, dataDir, settleMs);
    changed = false; // what changed so far is in the files as they are now
    if (await rebuild()) changed = true;
    if (first) {
      const { url } = await serveStatic(nodePath.resolve(outDir), { port, base: baseOption(values.base) ?? '/' });
      say(`\nserving ${outDir}/ at ${url} — watching ${dataDir}/ for changes (Ctrl+C to stop)`);
    }
  }
}

async function runPdf(values: ReturnType<typeof parse>['values']): Promise<number> {
  const lang = values.lang ?? 'zh';
  if (lang !== 'zh' && lang !== 'en') throw new UsageError(`--lang must be zh or en, got "${lang}"`);
  const { writePdf } = await import('./pdf.ts');
  const siteDir = values.site ?? 'dist';
  const result = await writePdf({ siteDir, lang, out: values.file, log: (line) => process.stderr.write(`  ${line}\n`) });
  process.stderr.write(`${result.file}: ${result.pages} A4 pages, ${(result.bytes / 1e6).toFixed(1)} MB\n`);
  return 0;
}

async function runCheck(values: ReturnType<typeof parse>['values']): Promise<number> {
  const log = consoleLogger();
  const effects = nodeEffects(log);
  const dataDir = values.data ?? 'data';
  const config = await loadConfig(effects, process.cwd(), { asOf: dateOption(values['as-of']) }, { file: values.config, dataDir });
  const salt = await resolveSalt(effects, process.cwd(), config);
  const work = await mkdtemp(workFolderPrefix('check', effects));
  const db = await openNativeDb({ memoryLimit: values['memory-limit'] ?? DEFAULT_MEMORY_LIMIT, keepBlocks: true, tempDirectory: nodePath.join(work, 'spill') });
  try {
    log.info(`qunlens check: ${dataDir}`);
    const { validation } = await loadAndValidate(db, effects, { dataDir, workDir: work, config, salt }, {});
    const out = process.stdout;
    const int = (x: number | null) => (x === null ? '—' : x.toLocaleString('en-US'));
    // per table, the files it took: their format, encoding, lines and rows
    const width = Math.max(18, ...validation.files.map((f) => f.file.length + (f.sheet ? f.sheet.length + 3 : 0)));
    out.write(`\n${'table'.padEnd(9)} ${'file'.padEnd(width)} ${'format'.padEnd(7)} ${'encoding'.padEnd(9)} ${'lines'.padStart(11)} ${'rows'.padStart(11)} ${'rejected'.padStart(9)} ${'warnings'.padStart(9)}\n`);
    for (const f of validation.files) {
      const name = f.sheet ? `${f.file} [${f.sheet}]` : f.file;
      out.write(`${f.table.padEnd(9)} ${name.padEnd(width)} ${f.format.padEnd(7)} ${f.encoding.padEnd(9)} ${int(f.lines).padStart(11)} ${int(f.rowsRead).padStart(11)} ${int(f.rowsRejected).padStart(9)} ${int(f.warnings).padStart(9)}\n`);
    }
    // every line accounted for (csv-scan.ts): header + rows + blank + continuation lines
    for (const f of validation.files) {
      if (f.lines === null) {
        if (f.otherRecords !== null) out.write(`  ${f.file}: ${int(f.rowsRead)} messages read + ${int(f.otherRecords)} records that are not group messages\n`);
        continue;
      }
      const other = f.otherRecords === null ? '' : ` + ${int(f.otherRecords)} not group messages`;
      out.write(`  ${f.file}: ${int(f.lines)} lines = ${int(f.headerLines)} header + ${int(f.rowsRead)} rows + ${int(f.blankLines)} blank + ${int(f.continuationLines)} continuation${other}\n`);
    }
    const issues = await db.rows<{ file: string; line: number | null; column: string | null; severity: string; message: string; sheet: string | null }>(
      `SELECT * FROM dq ORDER BY severity, file, line NULLS FIRST LIMIT 50`,
    );
    const [{ errors, warnings }] = await db.rows<{ errors: number; warnings: number }>(
      `SELECT count(*) FILTER (WHERE severity = 'error')::BIGINT AS errors, count(*) FILTER (WHERE severity = 'warning')::BIGINT AS warnings FROM dq`,
    );
    if (issues.length) out.write('\n');
    for (const i of issues) {
      out.write(`${i.severity === 'error' ? 'error  ' : 'warning'} ${i.file}${i.sheet ? ` [${i.sheet}]` : ''}${i.line !== null ? `:${i.line}` : ''}${i.column ? ` [${i.column}]` : ''} ${i.message}\n`);
    }
    if (errors + warnings > issues.length) out.write(`… and ${(errors + warnings - issues.length).toLocaleString('en-US')} more (npm run build writes them all to dist/data/data_quality.csv)\n`);
    out.write(`\n${errors.toLocaleString('en-US')} errors, ${warnings.toLocaleString('en-US')} warnings\n`);
    return errors > 0 ? 1 : 0;
  } finally {
    await db.close();
    await rm(work, { recursive: true, force: true });
  }
}

function formatOption(value: string | undefined): 'csv' | 'xlsx' | undefined {
  if (value === undefined || value === 'csv' || value === 'xlsx') return value;
  throw new UsageError(`--format must be csv or xlsx, got "${value}"`);
}

async function runSample(values: ReturnType<typeof parse>['values']): Promise<number> {
  const { generateSample, scaledSizes, SAMPLE_DEFAULTS, SAMPLE_FILES } = await import('./sample/generate.ts');
  const outDir = values.out ?? 'data';
  // --scale multiplies the default number of groups; the other sizes follow the same ratios
  const scale = values.scale === undefined ? undefined : Number(values.scale);
  if (scale !== undefined && !(scale > 0)) throw new UsageError(`--scale must be a positive number, got "${values.scale}"`);
  const scaled: Partial<ReturnType<typeof scaledSizes>> = scale === undefined ? {} : scaledSizes(Math.max(1, Math.round(SAMPLE_DEFAULTS.groups * scale)));
  const result = await generateSample({
    ...scaled,
    outDir,
    seed: intOption(values.seed, 'seed'),
    groups: intOption(values.groups, 'groups') ?? scaled.groups,
    memberships: intOption(values.memberships, 'memberships'),
    messages: intOption(values.messages, 'messages'),
    orders: intOption(values.orders, 'orders'),
    defects: !values.clean,
    format: formatOption(values.format),
    log: (line) => process.stderr.write(`  ${line}\n`),
  });
  process.stderr.write(`sample data written to ${outDir}/: ${Object.entries(result.counts).map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ')}\n`);
  // the other format's sample left in the same folder would be read too, each fact twice
  const written = new Set(result.files.map((f) => nodePath.basename(f)));
  const other = (await readdir(outDir)).filter((f) => !written.has(f) && (SAMPLE_FILES.includes(f as (typeof SAMPLE_FILES)[number]) || /^(客户群列表|渠道活码|订单|打卡记录)\.xlsx$|^群成员_\d{4}-\d{2}\.xlsx$|^会话存档\.jsonl$/.test(f)));
  if (other.length) {
    process.stderr.write(`warning: ${outDir}/ also holds ${other.join(', ')} from an earlier sample in the other format; a build reads every export in the folder, so remove them (or write the sample elsewhere with --out)\n`);
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const { values } = parse(rest);
    if (values.help || !command || command === 'help') {
      process.stdout.write(USAGE);
      return command ? 0 : 1;
    }
    switch (command) {
      case 'build':
        return await runBuild(values);
      case 'check':
        return await runCheck(values);
      case 'sample':
        return await runSample(values);
      case 'dev':
        return await runDev(values);
      case 'pdf':
        return await runPdf(values);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (caught) {
    // a full disk outside the build's own folders (the salt, check's work files, a PDF)
    const error = await explainDiskFull(nodeEffects(), caught, [{ dir: process.cwd(), what: 'a file' }]);
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n\n${USAGE}`);
      return 1;
    }
    if (isOperatorError(error)) {
      process.stderr.write(`\nerror: ${error.message}\n`);
      if (command === 'build') process.stderr.write(`nothing was published: the previous site (if any) is unchanged\n`);
      return 1;
    }
    process.stderr.write(`\nqunlens failed unexpectedly (a bug; please report it with this output):\n${(error as Error).stack ?? error}\n`);
    return 2;
  }
}
