/**
 * Step 5, outputs: the public files under dist/data/ (PRODUCT.md "Machine-readable outputs").
 *
 *  *.csv           UTF-8 with BOM so Excel opens Chinese correctly; written by DuckDB's COPY
 *  qunlens.duckdb  the tables the browser queries (duckdb-wasm reads this storage version)
 *  summary.json    headline figures
 *
 * Nothing here carries a raw member ID, a member name, a phone number, an ID-card number, an
 * e-mail address, a unionid or a spreadsheet formula: members are salted hashes, and every text
 * from the input passed through qz_public (values.ts) on its way here: group texts in the model
 * step, check-in kinds, teams and inviters in the metrics, data-quality lines, file names and
 * label mappings below, configuration labels in publicConfig.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { sqlIdent, sqlString, type Db } from '../db/db.ts';
import type { QunlensConfig } from '../core/config.ts';
import type { MetricsResult } from '../metrics/index.ts';
import type { LabelMapping, Model } from '../model/model.ts';
import type { FileQuality } from '../validate/validate.ts';
import type { Effects } from '../core/effects.ts';
import { dissolvedByAsOfSql, joinMonthSql } from '../metrics/facts.ts';
import { publicTexts } from '../read/values.ts';
import { outputTables } from './output-tables.ts';

/** CSV outputs: file name → the table holding it. Column order is part of the public interface. */
export const CSV_OUTPUTS: Record<string, string> = {
  'channel_summary.csv': 'out_channel_summary',
  'membership_survival.csv': 'out_membership_survival',
  'activity_retention.csv': 'out_activity_retention',
  'cohort_retention.csv': 'out_cohort_retention',
  'group_survival.csv': 'out_group_survival',
  'lifespan_summary.csv': 'out_lifespan_summary',
  'lifespan_logrank.csv': 'out_lifespan_logrank',
  'type_benchmarks.csv': 'out_type_benchmarks',
  'channel_type_matrix.csv': 'out_channel_type_matrix',
  'region_summary.csv': 'out_region_summary',
  'store_summary.csv': 'out_store_summary',
  'lifespan_by_region.csv': 'out_lifespan_by_region',
  'group_survival_by_region.csv': 'out_group_survival_by_region',
  'groups.csv': 'out_groups',
  'data_quality.csv': 'out_data_quality',
  'data_quality_summary.csv': 'out_data_quality_summary',
  'label_mapping.csv': 'out_label_mapping',
  'checkin_daily.csv': 'out_checkin_daily',
  'checkin_benchmark.csv': 'out_checkin_benchmark',
  'team_points.csv': 'out_team_points',
  'points_by_kind.csv': 'out_points_by_kind',
  'inviters.csv': 'out_inviters',
};

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Doubles as published text: 10 decimal places (far inside the 1e-6 the numbers are checked
 * to) and scientific notation below 1e-4 so small p-values keep their digits. No run of
 * digits gets long enough to read as a phone number.
 */
async function publishedSelect(db: Db, table: string): Promise<string> {
  const columns = await db.rows<{ name: string; type: string }>(
    `SELECT column_name AS name, data_type AS type FROM duckdb_columns() WHERE table_name = ${sqlString(table)} ORDER BY column_index`,
  );
  const doubles = columns.filter((c) => c.type === 'DOUBLE').map((c) => sqlIdent(c.name));
  const replace = doubles.map(
    (c) => `CASE WHEN ${c} IS NULL OR isnan(${c}) THEN NULL WHEN ${c} <> 0 AND abs(${c}) < 1e-4 THEN printf('%.9e', ${c}) ELSE CAST(round(${c}, 10) AS VARCHAR) END AS ${c}`,
  );
  return `SELECT * ${replace.length ? `REPLACE (${replace.join(', ')})` : ''} FROM ${table}`;
}

async function copyCsvWithBom(db: Db, table: string, target: string): Promise<void> {
  const plain = `${target}.plain`;
  await db.exec(`COPY (${await publishedSelect(db, table)}) TO ${sqlString(plain)} (HEADER, DELIMITER ',', QUOTE '"')`);
  const out = createWriteStream(target);
  out.write(BOM);
  await pipeline(createReadStream(plain), out);
  await rm(plain);
}

export interface OutputFile {
  name: string;
  bytes: number;
  /** qunlens.duckdb: each table's share of the file (its storage blocks), largest first */
  tables?: { name: string; bytes: number }[];
  /** region-N.duckdb: the region whose memberships it holds */
  region?: string;
}

/**
 * At most this many regions get a database file of their own (the ones with the most
 * memberships): a chain that files stores as regions would otherwise ship hundreds of files.
 */
export const MAX_REGION_FILES = 64;

export interface OutputOptions {
  dataDir: string;
  config: QunlensConfig;
  model: Model;
  metrics: MetricsResult;
  files: FileQuality[];
  builtAt: string;
  /** URL path the site is served under */
  base: string;
}

/**
 * Tables for data quality and label mapping (public, sanitised). File names, header names
 * (the column of an ignored column's warning) and messages quoting raw values pass through
 * qz_public; a label's key is the key the group tables carry (qz_public_key, model.ts).
 */
async function qualityTables(db: Db, files: FileQuality[], model: Model): Promise<void> {
  await db.exec(`
    CREATE OR REPLACE TABLE out_data_quality AS
    SELECT qz_public(file) AS file, line, qz_public("column") AS "column", severity, qz_public(message) AS message, qz_public(sheet) AS sheet FROM dq
    ORDER BY file, line NULLS FIRST, "column", message`);
  // lines = header_lines + rows_read + blank_lines + continuation_lines (+ other_records): every line of a file accounted for
  await db.exec(`CREATE OR REPLACE TABLE out_data_quality_summary (file VARCHAR, "table" VARCHAR, encoding VARCHAR, rows_read BIGINT, rows_rejected BIGINT, warnings BIGINT,
    lines BIGINT, header_lines BIGINT, blank_lines BIGINT, continuation_lines BIGINT, format VARCHAR, sheet VARCHAR, other_records BIGINT)`);
  if (files.length) {
    const n = (x: number | null) => (x === null ? 'NULL' : String(x));
    await db.exec(`INSERT INTO out_data_quality_summary VALUES ${files
      .map((f) => `(qz_public(${sqlString(f.file)}), ${sqlString(f.table)}, ${sqlString(f.encoding)}, ${f.rowsRead}, ${f.rowsRejected}, ${f.warnings}, ${n(f.lines)}, ${n(f.headerLines)}, ${n(f.blankLines)}, ${n(f.continuationLines)}, ${sqlString(f.format)}, ${f.sheet === null ? 'NULL' : `qz_public(${sqlString(f.sheet)})`}, ${n(f.otherRecords)})`)
      .join(', ')}`);
  }
  await db.exec(`CREATE OR REPLACE TABLE out_label_mapping (kind VARCHAR, file VARCHAR, label VARCHAR, mapped_to VARCHAR, known BOOLEAN, "rows" BIGINT)`);
  if (model.labels.length) {
    // (the macros over the columns, once: inlined per row of a VALUES list, they cost 0.3 s)
    await db.exec(`INSERT INTO out_label_mapping SELECT kind, file, qz_public(label), qz_public_key(key), known, n FROM (VALUES ${model.labels
      .map((l, i) => `(${i}, ${sqlString(l.kind)}, ${sqlString(l.file)}, ${sqlString(l.label)}, ${sqlString(l.key)}, ${l.known}, ${l.rows})`)
      .join(', ')}) v(i, kind, file, label, key, known, n) ORDER BY i`);
  }
}

/** The files read, as published (data_quality_summary.csv, in the order read). */
export async function publishedFiles(db: Db): Promise<FileQuality[]> {
  return db.rows<FileQuality>(`
    SELECT file, "table", encoding, rows_read AS "rowsRead", rows_rejected AS "rowsRejected", warnings,
      lines, header_lines AS "headerLines", blank_lines AS "blankLines", continuation_lines AS "continuationLines", format, sheet,
      other_records AS "otherRecords"
    FROM out_data_quality_summary ORDER BY rowid`);
}

/** How each label was mapped, as published (label_mapping.csv, in the model's order). */
export async function publishedLabels(db: Db): Promise<LabelMapping[]> {
  return db.rows<LabelMapping>(`SELECT kind, file, label, mapped_to AS key, known, "rows" FROM out_label_mapping ORDER BY rowid`);
}

/**
 * The configuration as the outputs and pages show it: its channel and type names (zh, en,
 * description) through qz_public like any other published text. Keys and numbers are as
 * configured; label mapping (model.ts) uses the configuration itself, never this.
 */
export async function publicConfig(db: Db, config: QunlensConfig): Promise<QunlensConfig> {
  const named = [...Object.values(config.channels), ...Object.values(config.types)] as { zh: string; en: string; description?: string }[];
  const texts = named.flatMap((n) => [n.zh, n.en, n.description ?? null]);
  const shown = await publicTexts(db, texts);
  const next = () => shown.splice(0, 3) as [string, string, string | null];
  const relabel = <T extends { zh: string; en: string; description?: string }>(n: T): T => {
    const [zh, en, description] = next();
    return { ...n, zh, en, ...(description === null ? {} : { description }) };
  };
  const channels = Object.fromEntries(Object.entries(config.channels).map(([k, n]) => [k, relabel(n)])) as QunlensConfig['channels'];
  const types = Object.fromEntries(Object.entries(config.types).map(([k, n]) => [k, relabel(n)]));
  return { ...config, channels, types };
}

/**
 * The columns of f_memberships the browser's metric code reads (metrics/summaries.ts with the
 * filters of metrics/filters.ts): the filter keys first, the table is sorted by them.
 */
const FILTER_MEMBERSHIP_COLUMNS = [
  'region',
  'group_type',
  'joined_date',
  'channel',
  'tenure_days',
  'left_by_asof',
  'days_observed',
  'weeks',
  'activation_eligible',
  'activated',
  'conversion_eligible',
  'converted_30d',
  'orders_to_asof',
  'gmv_eligible',
  'gmv_90d',
] as const;

/** filter_memberships' order after region (within a region file, its whole order) */
const FILTER_ORDER = 'group_type, joined_date, channel, tenure_days';

/** f_memberships as the metric code reads it, in every shipped database that holds filter_memberships */
const F_MEMBERSHIPS_VIEW = `SELECT *, ${joinMonthSql('joined_date')} AS join_month FROM filter_memberships`;

/**
 * The database file the browser attaches read-only (tables the Explore page and filters query),
 * read there block by block over HTTP range requests: the tables the filters read are sorted by
 * the filter keys (region, group type, join date), so a row group's min/max statistics let
 * DuckDB skip every block a filter excludes. Returns each table's share of the file.
 */
async function writeBrowserDatabase(db: Db, path: string, options: OutputOptions, join: (...parts: string[]) => string): Promise<{ tables: { name: string; bytes: number }[]; regionFiles: OutputFile[] }> {
  // duckdb-wasm 1.32 embeds DuckDB 1.4: keep a storage version it reads.
  await db.exec(`ATTACH ${sqlString(path)} AS pub (STORAGE_VERSION 'v1.4.0')`);
  try {
    for (const [name, table] of Object.entries(CSV_OUTPUTS)) {
      await db.exec(`CREATE TABLE pub.${name.replace(/\.csv$/, '')} AS SELECT * FROM ${table}`);
    }
    // public group IDs come from m_groups (masked once per group, not once per row); GMV
    // stays DECIMAL so the browser's sums are the build's, digit for digit
    await db.exec(`
      CREATE TABLE pub.memberships AS
      SELECT m.membership_id, m.member_key, g.public_id AS group_id, m.group_type, m.region, m.store, m.channel,
        m.joined_date, m.left_date, m.left_by_asof, m.tenure_days, m.days_observed,
        m.activation_eligible, m.activated, m.weeks, m.conversion_eligible, m.converted_30d, m.orders_to_asof,
        m.gmv_eligible, m.gmv_90d, m.retained_d30
      FROM f_memberships m JOIN m_groups g USING (group_id) ORDER BY g.public_id, m.joined_date, m.membership_id`);
    // what the filters read of a membership, and nothing else (no IDs: a filter never reads them,
    // and their blocks would sit between the ones it does), sorted by the filter keys
    await db.exec(`
      CREATE TABLE pub.filter_memberships AS
      SELECT ${FILTER_MEMBERSHIP_COLUMNS.join(', ')} FROM f_memberships
      ORDER BY region, ${FILTER_ORDER}`);
    await db.exec(`
      CREATE TABLE pub.group_daily AS
      SELECT g.public_id AS group_id, a.date, a.messages, a.active_members
      FROM m_group_daily a JOIN m_groups g USING (group_id) ORDER BY g.public_id, a.date`);
    await db.exec(`
      CREATE TABLE pub.group_hourly AS
      SELECT g.public_id AS group_id, h.weekday, h.hour, h.messages FROM m_hourly h JOIN m_groups g USING (group_id) ORDER BY g.public_id, h.weekday, h.hour`);
    const meta: [string, string][] = [
      ['as_of', options.model.asOf],
      ['built_at', options.builtAt],
      ['time_zone', options.config.timeZone],
      ['silence_days', String(options.config.silenceDays)],
      ['conf_level', String(options.config.confLevel)],
      ['activity_source', options.model.activitySource ?? ''],
    ];
    await db.exec(`CREATE TABLE pub.meta AS SELECT * FROM (VALUES ${meta.map(([k, v]) => `(${sqlString(k)}, ${sqlString(v)})`).join(', ')}) t(key, value)`);
    // f_memberships and f_groups as the metric code reads them, in the browser too (a view binds
    // its names in its own database, whatever the browser attaches it as)
    await db.exec(`CREATE VIEW pub.f_memberships AS ${F_MEMBERSHIPS_VIEW}`);
    await db.exec(`CREATE VIEW pub.f_groups AS SELECT *, ${dissolvedByAsOfSql('dissolved_date', `(SELECT CAST(value AS DATE) FROM meta WHERE key = 'as_of')`)} AS dissolved_by_asof FROM groups`);
    await db.exec(`CHECKPOINT pub`);
    const regionFiles = await writeRegionDatabases(db, options.dataDir, join);
    const [{ block_size }] = await db.rows<{ block_size: number }>(`SELECT block_size::BIGINT AS block_size FROM pragma_database_size() WHERE database_name = 'pub'`);
    const tables = await db.rows<{ name: string }>(`SELECT table_name AS name FROM duckdb_tables() WHERE database_name = 'pub' ORDER BY table_name`);
    const sizes: { name: string; bytes: number }[] = [];
    for (const { name } of tables) {
      const [{ blocks }] = await db.rows<{ blocks: number }>(`SELECT count(DISTINCT block_id)::BIGINT AS blocks FROM pragma_storage_info(${sqlString(`pub.${name}`)}) WHERE block_id >= 0`);
      sizes.push({ name, bytes: blocks * block_size });
    }
    return { tables: sizes.sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name)), regionFiles };
  } finally {
    await db.exec(`DETACH pub`);
  }
}

/**
 * One small database per region (region-1.duckdb, …): that region's rows of filter_memberships,
 * and the f_memberships view over them. A reader who picks a region on Channels or Retention
 * reads that file (whole, up to 32 MiB: client/filters.ts) and nothing else: in the one big
 * file the region's blocks sit among others, and duckdb-wasm's read-ahead (16 KiB growing
 * fourfold to 16 MiB on each run of adjacent reads, not configurable) read 4 to 12 MiB for a
 * region of 2.4 MiB, by how a build happened to place the blocks. The end of a file stops the
 * read-ahead.
 * Numbered by region text (stable between builds of the same data); which is which is in the
 * site data (siteData.regionDatabases), never in a file name.
 */
async function writeRegionDatabases(db: Db, dataDir: string, join: (...parts: string[]) => string): Promise<OutputFile[]> {
  // from the shipped filter_memberships (attached as pub): sorted by region, so each region's
  // rows are a few row groups of 15 columns, not a scan of the wide f_memberships
  const regions = await db.rows<{ region: string }>(`
    SELECT region FROM pub.filter_memberships WHERE region IS NOT NULL GROUP BY region ORDER BY count(*) DESC, region LIMIT ${MAX_REGION_FILES}`);
  const written: OutputFile[] = [];
  for (const [i, { region }] of [...regions].sort((a, b) => (a.region < b.region ? -1 : 1)).entries()) {
    const name = `region-${i + 1}.duckdb`;
    const path = join(dataDir, name);
    await db.exec(`ATTACH ${sqlString(path)} AS reg (STORAGE_VERSION 'v1.4.0')`);
    try {
      await db.exec(`
        CREATE TABLE reg.filter_memberships AS
        SELECT * FROM pub.filter_memberships WHERE region = ${sqlString(region)}
        ORDER BY ${FILTER_ORDER}`);
      await db.exec(`CREATE VIEW reg.f_memberships AS ${F_MEMBERSHIPS_VIEW}`);
      await db.exec(`CHECKPOINT reg`);
    } finally {
      await db.exec(`DETACH reg`);
    }
    written.push({ name, bytes: (await stat(path)).size, region });
  }
  return written;
}

/** The shipped database's size and its largest tables, for the build's log: what a reader's browser may read. */
export function shippedDatabaseLine(written: readonly OutputFile[]): string {
  const file = written.find((f) => f.name === 'qunlens.duckdb');
  if (!file?.tables) return '';
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  const largest = file.tables.slice(0, 4).map((t) => `${t.name} ${mb(t.bytes)}`);
  const rest = file.tables.slice(4);
  if (rest.length) largest.push(`${rest.length} more ${mb(rest.reduce((s, t) => s + t.bytes, 0))}`);
  const regions = written.filter((f) => f.region !== undefined);
  const perRegion = regions.length ? `; ${regions.length} region files ${mb(regions.reduce((s, f) => s + f.bytes, 0))} MB, the largest ${mb(Math.max(...regions.map((f) => f.bytes)))}` : '';
  return `qunlens.duckdb ${mb(file.bytes)} MB (${largest.join(', ')})${perRegion}`;
}

export async function writeOutputs(db: Db, effects: Effects, options: OutputOptions): Promise<OutputFile[]> {
  const { dataDir } = options;
  await effects.mkdir(dataDir);
  await outputTables(db, options.config, options.model, options.metrics);
  await qualityTables(db, options.files, options.model);
  const written: OutputFile[] = [];
  for (const [name, table] of Object.entries(CSV_OUTPUTS)) {
    const target = effects.path.join(dataDir, name);
    await copyCsvWithBom(db, table, target);
    written.push({ name, bytes: (await stat(target)).size });
  }
  const dbPath = effects.path.join(dataDir, 'qunlens.duckdb');
  const { tables, regionFiles } = await writeBrowserDatabase(db, dbPath, options, effects.path.join);
  written.push({ name: 'qunlens.duckdb', bytes: (await stat(dbPath)).size, tables }, ...regionFiles);

  const summary = {
    as_of: options.model.asOf,
    as_of_source: options.model.asOfSource,
    built_at: options.builtAt,
    base: options.base,
    ...options.metrics.counts,
    activity_source: options.model.activitySource,
    files: await publishedFiles(db),
  };
  await effects.writeFile(effects.path.join(dataDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  written.push({ name: 'summary.json', bytes: Buffer.byteLength(JSON.stringify(summary, null, 2)) + 1 });
  return written;
}
