/**
 * The build, as ordered named steps a newcomer can read top to bottom:
 *
 *   read → validate → model → metrics → outputs → render → publish
 *
 * Everything is written into a folder of its own next to the output path, and published only
 * when every step succeeded and the inputs are still what they were at the start: the output
 * path is a link switched to the new folder in one step (publish.ts), so a failed or killed
 * build leaves the previous site byte-for-byte intact. What a killed build left behind, the
 * next one clears (leftovers.ts). Input files are only ever read.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { BUILD_KEY_FILE, computeBuildKey, storedBuildKey, type BuildKey } from './publish/build-key.ts';
import { explainDiskFull, markStep, type WritePlace } from './publish/disk-full.ts';
import { assertInputsUnchanged, inputVersions, type InputVersions } from './publish/input-versions.ts';
import { recoverLeftovers, workFolderPrefix } from './publish/leftovers.ts';
import { RENDER_ROOT } from './render/folders.ts';
import { newSiteFolder, publishSite, type PublishedAs } from './publish/publish.ts';
import { loadConfig, type QunlensConfig } from './core/config.ts';
import type { Db } from './db/db.ts';
import { DEFAULT_MEMORY_LIMIT, openNativeDb } from './db/native.ts';
import { habitPage } from './page-data/habits-page.ts';
import { computeMetrics, type MetricsResult } from './metrics/index.ts';
import { runReports, shippedTables } from './notebook/index.ts';
import type { Effects } from './core/effects.ts';
import { buildModel, type Model } from './model/model.ts';
import { publicConfig, publishedFiles, publishedLabels, shippedDatabaseLine, writeOutputs, type OutputFile } from './outputs/outputs.ts';
import { readInputs, type ReadResult } from './read/read.ts';
import { countWarnings, validate, type ValidationResult } from './validate/validate.ts';
import { dateBounds, publicTextMacros, valueMacros, type DateBounds } from './read/values.ts';
import { groupPageBatches } from './page-data/group-pages.ts';
import { groupListItem, siteData, type GroupListItem, type SiteData } from './page-data/site-data.ts';

export interface BuildOptions {
  dataDir: string;
  /** `--config FILE`: read this configuration instead of the project's qunlens.config.json */
  configFile?: string;
  outDir: string;
  /** Folder holding qunlens.config.json and .qunlens/ (the salt); default: current folder. */
  projectDir: string;
  asOf?: string;
  /** URL path the site is served under, e.g. /reports/qunlens/ */
  base?: string;
  /** Render the Astro site (false: data outputs only, e.g. in fast tests). */
  render?: boolean;
  salt?: string;
  threads?: number;
  memoryLimit?: string;
  /** Notebook reports folder (default src/reports/). */
  reportsDir?: string;
  /** "Built at" (injected so tests are stable); default: the effects' clock. */
  builtAt?: string;
}

export interface BuildResult {
  config: QunlensConfig;
  model: Model;
  metrics: MetricsResult;
  validation: ValidationResult;
  outputs: OutputFile[];
  site: SiteData;
  /** Wall time of each step, ms. */
  timings: Record<string, number>;
  /** Resident memory of this process and Astro's child process together while Astro ran (0 without render). */
  rssWithAstro: number;
}

/** Run a named step and print one line: what it did and how long it took. */
async function step<T>(effects: Effects, timings: Record<string, number>, name: string, run: () => Promise<T>, describe: (result: T) => string): Promise<T> {
  const start = effects.now();
  const result = await run().catch((error: unknown) => {
    throw markStep(error, name);
  });
  const ms = effects.now() - start;
  timings[name] = ms;
  effects.log.step(name, describe(result), ms);
  return result;
}

const n = (x: number) => x.toLocaleString('en-US');

export async function resolveSalt(effects: Effects, projectDir: string, config: QunlensConfig, explicit?: string): Promise<string> {
  const salt = explicit ?? config.salt ?? process.env.QUNLENS_SALT;
  if (salt) return salt;
  const file = effects.path.join(projectDir, '.qunlens', 'salt');
  if (await effects.exists(file)) return (await effects.readText(file)).trim();
  const created = randomBytes(24).toString('hex');
  await effects.writeFile(file, `${created}\n`);
  effects.log.info(`created a salt for member-ID hashes in ${file} (keep it: the same salt gives the same hashes; it is never published)`);
  return created;
}

/**
 * The days a date in the data may fall on: config.earliestDate to the day after the build's
 * day in the configured zone (`now`, the effects' clock unless given).
 */
export function plausibleDates(config: QunlensConfig, effects: Effects, now?: Date): DateBounds {
  return dateBounds(config.earliestDate, now ?? effects.clock(), config.timeZone);
}

/** read → validate → model on an open database; shared by `build` and `check`. */
export async function loadAndValidate(
  db: Db,
  effects: Effects,
  options: { dataDir: string; workDir: string; config: QunlensConfig; salt: string; /** default: plausibleDates(config, effects) */ dates?: DateBounds },
  timings: Record<string, number>,
): Promise<{ read: ReadResult; validation: ValidationResult; model: Model }> {
  const dates = options.dates ?? plausibleDates(options.config, effects);
  await db.exec(valueMacros(options.config.timeZone, { dates }) + publicTextMacros());
  const read = await step(effects, timings, 'read', () => readInputs(db, effects, { dataDir: options.dataDir, workDir: options.workDir, config: options.config }), (r) => {
    const rows = [...r.tables.values()].reduce((s, t) => s + t.rows, 0);
    return `${r.tables.size} files, ${n(rows)} rows`;
  });
  const validation = await step(effects, timings, 'validate', () => validate(db, read, { effects, workDir: options.workDir, limits: { orderAmountCeiling: options.config.orderAmountCeiling }, asOf: options.config.asOf }), (v) => {
    const rejected = v.files.reduce((s, f) => s + f.rowsRejected, 0);
    return `${n(v.files.reduce((s, f) => s + f.rowsRead, 0))} rows checked, ${n(rejected)} rejected`;
  });
  const model = await step(effects, timings, 'model', () => buildModel(db, validation, { config: options.config, salt: options.salt }), (m) =>
    `as of ${m.asOf}: ${n(m.counts.groups)} groups, ${n(m.counts.memberships)} memberships`,
  );
  validation.files = await countWarnings(db, validation.files);
  const warnings = validation.files.reduce((s, f) => s + f.warnings, 0);
  if (warnings) effects.log.info(`  ${n(warnings)} warnings (rows kept): see data_quality.csv`);
  return { read, validation, model };
}

export interface UpToDate {
  upToDate: true;
  key: string;
  outDir: string;
  timings: Record<string, number>;
}

async function hashStep(effects: Effects, timings: Record<string, number>, options: BuildOptions, config: QunlensConfig, salt: string, dates: DateBounds): Promise<BuildKey> {
  return step(effects, timings, 'hash', () => computeBuildKey(effects, { dataDir: options.dataDir, config, salt, asOf: options.asOf, base: options.base, render: options.render !== false, dates }), (k) =>
    `${k.files} input files, ${(k.bytes / 1e6).toFixed(1)} MB, and the code → ${k.key.slice(0, 12)}`,
  );
}

/**
 * `npm run build`: build, unless the site in outDir was built from the same inputs, code and
 * options (same build key), in which case there is nothing to do.
 */
export async function buildIfChanged(options: BuildOptions, effects: Effects): Promise<BuildResult | UpToDate> {
  const timings: Record<string, number> = {};
  const config = await loadConfig(effects, options.projectDir, { asOf: options.asOf }, { file: options.configFile, dataDir: options.dataDir });
  const salt = await resolveSalt(effects, options.projectDir, config, options.salt);
  const outDir = effects.path.resolve(options.outDir);
  await recoverLeftovers(effects, outDir);
  const inputs = await inputVersions(effects, options.dataDir);
  // the clock is read once: the key and the checks see the same day
  const now = effects.clock();
  const key = await hashStep(effects, timings, options, config, salt, plausibleDates(config, effects, now));
  if ((await storedBuildKey(effects, outDir)) === key.key) return { upToDate: true, key: key.key, outDir, timings };
  return build(options, effects, { key, timings, inputs, now });
}

/** What buildIfChanged already did: leftovers recovered, inputs read and hashed, the clock read. */
interface Started {
  key: BuildKey;
  timings: Record<string, number>;
  inputs: InputVersions;
  now: Date;
}

export async function build(options: BuildOptions, effects: Effects, known?: Started): Promise<BuildResult> {
  const timings: Record<string, number> = known?.timings ?? {};
  const config = await loadConfig(effects, options.projectDir, { asOf: options.asOf }, { file: options.configFile, dataDir: options.dataDir });
  const salt = await resolveSalt(effects, options.projectDir, config, options.salt);
  const outDir = effects.path.resolve(options.outDir);
  if (!known) await recoverLeftovers(effects, outDir);
  const inputs = known?.inputs ?? (await inputVersions(effects, options.dataDir));
  const now = known?.now ?? effects.clock();
  const dates = plausibleDates(config, effects, now);
  const key = known?.key ?? (await hashStep(effects, timings, options, config, salt, dates));
  // The site's own folder sits next to the output path, so that publishing it is a rename.
  const stage = newSiteFolder(outDir);
  const work = await mkdtemp(workFolderPrefix('work', effects));
  const places: WritePlace[] = [
    { dir: effects.path.dirname(outDir), what: 'the site' },
    { dir: tmpdir(), what: "the build's work files", hint: 'or set TMPDIR to a folder on a larger disk' },
    { dir: RENDER_ROOT, what: "Astro's pages" },
  ];
  let published = false;
  const db = await openNativeDb({ threads: options.threads, memoryLimit: options.memoryLimit ?? DEFAULT_MEMORY_LIMIT, keepBlocks: true, tempDirectory: effects.path.join(work, 'spill') });
  try {
    const { validation, model } = await loadAndValidate(db, effects, { dataDir: options.dataDir, workDir: work, config, salt, dates }, timings);
    // from here on, the configuration's names as published (qz_public, like every published text)
    const shown = await publicConfig(db, config);
    const metrics = await step(effects, timings, 'metrics', () => computeMetrics(db, shown, model), (m) =>
      `${m.channels.filter((c) => c.joins > 0).length} channels, ${m.lifespans.length} group types, ${n(m.counts.zombies)} zombies`,
    );
    const builtAt = options.builtAt ?? now.toISOString();
    const dataOut = effects.path.join(work, 'data');
    const outputs = await step(effects, timings, 'outputs', () => writeOutputs(db, effects, { dataDir: dataOut, config: shown, model, metrics, files: validation.files, builtAt, base: options.base ?? '/' }), (o) =>
      `${o.length} files, ${(o.reduce((s, f) => s + f.bytes, 0) / 1e6).toFixed(1)} MB in data/; ${shippedDatabaseLine(o)}`,
    );
    const reports = await step(effects, timings, 'reports', () => runReports(effects, { databaseFile: effects.path.join(dataOut, 'qunlens.duckdb'), asOf: model.asOf, reportsDir: options.reportsDir, cellTimeoutSeconds: config.reportCellTimeoutSeconds }), (r) =>
      `${r.length} reports, ${r.reduce((s, v) => s + v.cells, 0)} SQL cells`,
    );
    // what the pages show, as two files: site.json, and one line per group for its page
    const siteFile = effects.path.join(work, 'site.json');
    const groupFile = effects.path.join(work, 'site-groups.ndjson');
    const site = await step(effects, timings, 'page data', async () => {
      // each group's page as one line of groupFile, streamed by the page writers; the site
      // keeps what the lists show
      const groups: GroupListItem[] = [];
      await effects.writeFile(groupFile, '');
      for await (const batch of groupPageBatches(db, shown)) {
        const items = batch.map(groupListItem);
        await effects.appendFile(groupFile, batch.map((g, i) => `${JSON.stringify({ ...g, slug: items[i].slug })}\n`).join(''));
        groups.push(...items);
      }
      // (file names and label mappings as the CSVs publish them)
      const site = siteData({
        config: shown,
        model: { ...model, labels: await publishedLabels(db) },
        metrics,
        files: await publishedFiles(db),
        builtAt,
        groups,
        benchmarks: await db.rows(`SELECT group_type AS "groupType", metric, groups, p25, p50, p75 FROM out_type_benchmarks`),
        issues: await db.rows(`SELECT file, line, "column", severity, message, sheet FROM out_data_quality`),
        reports,
        tables: await shippedTables(effects.path.join(dataOut, 'qunlens.duckdb')),
        regionDatabases: Object.fromEntries(outputs.filter((f) => f.region !== undefined).map((f) => [f.region!, { file: f.name, bytes: f.bytes }])),
        habits: await habitPage(db, model.hasCheckins),
      });
      await effects.writeFile(siteFile, JSON.stringify(site));
      return site;
    }, (s) => `${n(s.groups.length)} groups, ${n(s.quality.issues.length)} data-quality lines`);
    // Everything the pages need is in the two JSON files: give DuckDB's memory back before
    // Astro and the page writer take theirs, so the two peaks never add up.
    await db.close();

    await effects.mkdir(stage);
    let rssWithAstro = 0;
    if (options.render !== false) {
      const rendered = await step(effects, timings, 'render', () => renderSite({ siteFile, groupFile, outDir: stage, base: options.base }), (r) => `${n(r.pages)} pages (Astro ${(r.astroMs / 1000).toFixed(1)}s, group pages ${(r.groupPagesMs / 1000).toFixed(1)}s)`);
      rssWithAstro = rendered.rssWithAstro;
    }
    await effects.move(dataOut, effects.path.join(stage, 'data'));
    await effects.writeFile(effects.path.join(stage, BUILD_KEY_FILE), `${JSON.stringify({ key: key.key, builtAt }, null, 2)}\n`);
    await assertInputsUnchanged(effects, options.dataDir, inputs);
    const how = await step(effects, timings, 'publish', async () => {
      const how = await publishSite(effects, stage, outDir); // throws only when nothing was switched
      published = true;
      return how;
    }, () => `${effects.path.basename(outDir)} → ${effects.path.basename(stage)}`);
    if (how !== 'link') effects.log.info(PUBLISHED_AS[how](effects.path.basename(outDir)));
    return { config, model, metrics, validation, outputs, site, timings, rssWithAstro };
  } catch (error) {
    const explained = await explainDiskFull(effects, error, places);
    if (!published) await effects.rm(stage);
    throw explained;
  } finally {
    await db.close();
    await effects.rm(work);
  }
}

/** What an operator is told when the output was not simply switched from one link to another. */
const PUBLISHED_AS: Record<Exclude<PublishedAs, 'link'>, (out: string) => string> = {
  'link, replacing a folder': (out: string) =>
    `${out} was a folder and is now a link to the folder this build wrote; every build switches it in one step (copy the site with cp -rL ${out} … or rsync -a ${out}/ …)`,
  renames: (out: string) =>
    `this file system has no symbolic links: ${out} was replaced by two renames, so a build killed between them leaves it missing until the next build restores it`,
};

/** Astro renders the pages from site.json; returns the number of pages. */
async function renderSite(options: { siteFile: string; groupFile: string; outDir: string; base?: string }) {
  const { renderWithAstro } = await import('./render/render.ts');
  return renderWithAstro(options);
}
