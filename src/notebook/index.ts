/**
 * The reports step: every Markdown file in src/reports/, parsed and run against the database
 * the build just wrote for the browser, opened read-only and locked down in a DuckDB instance
 * of its own: a report reads exactly the tables Explore offers and nothing else (no raw member
 * IDs from the pipeline's tables, no file, URL or setting of the build machine can reach a
 * page). A failing, refused or too slow cell fails the build, naming the report file, the line
 * and the cell.
 */
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG } from '../core/config.ts';
import { openNativeDb } from '../db/native.ts';
import type { Effects } from '../core/effects.ts';
import { parseReport, ReportError } from './parse.ts';
import { runReport, type ReportView } from './run.ts';

export type { ReportView } from './run.ts';

/** Where reports live, and how messages name them. */
export const REPORTS_DIR = fileURLToPath(new URL('../reports', import.meta.url));
const SHOWN_AS = 'src/reports';

export interface ShippedTable {
  name: string;
  rows: number;
  columns: { name: string; type: string }[];
}

/** The tables of the shipped database with their columns and row counts (Explore's table list). */
export async function shippedTables(databaseFile: string): Promise<ShippedTable[]> {
  const db = await openNativeDb({ path: databaseFile, readOnly: true, memoryLimit: '256MB' });
  try {
    const tables = await db.rows<{ name: string; rows: number }>(`SELECT table_name AS name, estimated_size::BIGINT AS rows FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name`);
    const columns = await db.rows<{ table_name: string; name: string; type: string }>(
      `SELECT table_name, column_name AS name, data_type AS type FROM duckdb_columns() WHERE NOT internal ORDER BY table_name, column_index`,
    );
    return tables.map((t) => ({ ...t, columns: columns.filter((c) => c.table_name === t.name).map(({ name, type }) => ({ name, type })) }));
  } finally {
    await db.close();
  }
}

export interface RunReportsOptions {
  databaseFile: string;
  asOf: string;
  reportsDir?: string;
  shownAs?: string;
  /** reportCellTimeoutSeconds of the configuration */
  cellTimeoutSeconds?: number;
}

export async function runReports(effects: Effects, options: RunReportsOptions): Promise<ReportView[]> {
  const dir = options.reportsDir ?? REPORTS_DIR;
  const shownAs = options.shownAs ?? (options.reportsDir ? options.reportsDir.replace(/\/+$/, '') : SHOWN_AS);
  if (!(await effects.exists(dir))) return [];
  const files = (await effects.readdir(dir)).filter((f) => f.toLowerCase().endsWith('.md') && !f.startsWith('_') && f.toLowerCase() !== 'readme.md').sort();
  if (!files.length) return [];
  const parsed = [];
  for (const file of files) parsed.push(parseReport(`${shownAs}/${file}`, await effects.readText(effects.path.join(dir, file))));
  const db = await openNativeDb({ path: options.databaseFile, readOnly: true, memoryLimit: '1GB', lockedDown: true });
  try {
    const names = async (sql: string) => new Set((await db.rows<{ name: string }>(sql)).map((r) => r.name));
    const shipped = await names(
      `SELECT lower(table_name) AS name FROM duckdb_tables() WHERE NOT temporary AND NOT internal AND database_name <> 'system'
       UNION SELECT lower(view_name) FROM duckdb_views() WHERE NOT temporary AND NOT internal AND database_name <> 'system'`,
    );
    // DuckDB's own views that an unqualified name reaches (duckdb_databases, pg_settings…);
    // information_schema's (tables, columns…) need their schema named, which the check refuses
    const system = await names(
      `SELECT lower(view_name) AS name FROM duckdb_views() WHERE (internal OR database_name = 'system') AND schema_name <> 'information_schema'
       UNION SELECT lower(table_name) FROM duckdb_tables() WHERE (internal OR database_name = 'system') AND schema_name <> 'information_schema'`,
    );
    const views: ReportView[] = [];
    // as_of as the reports' first parameter: a monthly review is about the month it ends in
    const asOf = options.asOf;
    const builtins = { as_of: asOf, month_start: `${asOf.slice(0, 7)}-01` };
    const cellTimeoutSeconds = options.cellTimeoutSeconds ?? DEFAULT_CONFIG.reportCellTimeoutSeconds;
    for (const report of parsed) views.push(await runReport(db, report, { builtins, shipped, system, cellTimeoutSeconds }));
    return views;
  } catch (error) {
    if (error instanceof ReportError) throw error;
    throw new ReportError(`reports: ${(error as Error).message}`);
  } finally {
    await db.close();
  }
}
