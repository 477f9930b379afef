/**
 * Runs a parsed report's cells, in order, on a database whose default catalog is the one the
 * site ships (so a cell reads exactly what Explore reads), and turns its prose into HTML with
 * the values it quotes. Each cell is checked first (one SELECT reading only the shipped tables
 * and earlier cells: sandbox.ts), then its result is kept as a temporary table named after the
 * cell, so later cells can read it; they are dropped when the report is done. A cell running
 * longer than the time limit is interrupted.
 */
import { marked } from 'marked';
import { sqlIdent } from '../db/db.ts';
import type { NativeDb } from '../db/native.ts';
import { escapeHtml } from '../core/escape.ts';
import { i18n, LANGS, type I18n, type Lang } from '../i18n/index.ts';
import { ReportError, substitute, type ChartSpec, type ParsedReport, type ReportMeta } from './parse.ts';
import { checkCell, type CellNames } from './sandbox.ts';

/** Rows of a cell kept for its table and charts (the table shows the first TABLE_ROWS). */
export const ROW_LIMIT = 1000;
export const TABLE_ROWS = 100;

export type Cell = string | number | boolean | null;

export interface CellResult {
  name: string;
  line: number;
  /** the SQL as run (parameters filled in) */
  sql: string;
  /** the same as one statement that runs on its own in Explore (earlier cells it reads as CTEs) */
  exploreSql: string;
  hidden: boolean;
  columns: { name: string; type: string }[];
  rows: Cell[][];
  rowCount: number;
  ms: number;
}

/**
 * Prose and chart text come in each of the site's languages: the words are the report's own,
 * the values it quotes are written as the page's language writes them (i18n, like every page).
 */
export type ReportViewBlock =
  | { kind: 'prose'; html: Record<Lang, string> }
  | ({ kind: 'cell' } & CellResult)
  | { kind: 'chart'; spec: Record<Lang, ChartSpec>; line: number };

export interface ReportView {
  file: string;
  slug: string;
  meta: ReportMeta;
  blocks: ReportViewBlock[];
  /** cells and the time they took, for the build log */
  cells: number;
  ms: number;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** {{cell.column | format}}: the value as the language writes it; null where the format does not apply (the value shows plainly). */
const FILTERS: Record<string, (f: I18n, v: Cell) => string | null> = {
  pct: (f, v) => (typeof v === 'number' ? f.pct(v) : null),
  int: (f, v) => (typeof v === 'number' ? f.int(v) : null),
  num: (f, v) => (typeof v === 'number' ? f.num(v, 1) : null),
  money: (f, v) => (typeof v === 'number' ? f.money(v) : null),
  date: (f, v) => (typeof v === 'string' && ISO_DATE.test(v) ? f.date(v) : null),
};

const plainNumbers = new Map<Lang, Intl.NumberFormat>();
/** A value quoted without a format: numbers in the language's digits (at most 2 decimals), the rest as they are. */
function plain(f: I18n, value: Exclude<Cell, null>): string {
  if (typeof value !== 'number') return String(value);
  let format = plainNumbers.get(f.lang);
  if (!format) plainNumbers.set(f.lang, (format = new Intl.NumberFormat(f.locale, { maximumFractionDigits: 2 })));
  return format.format(value);
}

/** {{cell.column}} or {{cell.column | pct}} → the first row's value, formatted for the language (and escaped for HTML). */
function fillValues(f: I18n, file: string, markdown: string, results: Map<string, CellResult>, html = true): string {
  const out = (text: string) => (html ? escapeHtml(text) : text);
  return markdown.replace(/\{\{\s*([A-Za-z_]\w*)\.([^}|\s]+)\s*(?:\|\s*(\w+)\s*)?\}\}/g, (whole, cell: string, column: string, filter?: string) => {
    const result = results.get(cell);
    if (!result) throw new ReportError(`${file}: ${whole} names no SQL cell of this report`);
    const index = result.columns.findIndex((c) => c.name === column);
    if (index < 0) throw new ReportError(`${file}: ${whole}: cell "${cell}" has no column "${column}" (columns: ${result.columns.map((c) => c.name).join(', ')})`);
    if (filter && !FILTERS[filter]) throw new ReportError(`${file}: ${whole}: unknown format "${filter}" (formats: ${Object.keys(FILTERS).join(', ')})`);
    const value = result.rows[0]?.[index] ?? null;
    if (value === null) return '—';
    return out((filter ? FILTERS[filter](f, value) : null) ?? plain(f, value));
  });
}

function inEachLang<T>(make: (f: I18n) => T): Record<Lang, T> {
  return Object.fromEntries(LANGS.map((lang) => [lang, make(i18n(lang))])) as Record<Lang, T>;
}

/** Earlier cells this SQL reads (by name, and what those read), in the order they ran. */
function dependencies(sql: string, earlier: CellResult[]): CellResult[] {
  const needed = new Set<string>();
  const visit = (text: string) => {
    for (const c of earlier) if (!needed.has(c.name) && new RegExp(`\\b${c.name}\\b`, 'i').test(text)) {
      needed.add(c.name);
      visit(c.sql);
    }
  };
  visit(sql);
  return earlier.filter((c) => needed.has(c.name));
}

/** One statement for Explore: the cells it reads become CTEs in front of it. */
export function standaloneSql(sql: string, earlier: CellResult[]): string {
  const deps = dependencies(sql, earlier);
  if (!deps.length) return sql;
  const ctes = deps.map((c) => `${c.name} AS (\n${c.sql}\n)`).join(',\n');
  const own = /^\s*WITH\s+(RECURSIVE\s+)?/i.exec(sql);
  if (own) return `WITH ${own[1] ? 'RECURSIVE ' : ''}${ctes},\n${sql.slice(own[0].length)}`;
  return `WITH ${ctes}\n${sql}`;
}

export interface ReportContext {
  /** parameters every report has (as_of…), which its own front matter may override */
  builtins: Record<string, string | number | boolean>;
  /** lower-case names of the tables and views the site ships */
  shipped: ReadonlySet<string>;
  /** lower-case names of DuckDB's own catalog views, which no cell reads */
  system: CellNames['system'];
  /** a cell running longer is interrupted and fails the build */
  cellTimeoutSeconds: number;
}

/**
 * Runs `work`; past `seconds`, interrupts what DuckDB is running on this connection and throws
 * `stopped()` in place of DuckDB's "Interrupted!".
 */
async function withTimeLimit<T>(db: NativeDb, seconds: number, stopped: () => Error, work: () => Promise<T>): Promise<T> {
  let late = false;
  // setTimeout fires at once past 2^31 - 1 ms (24.8 days): a huge limit must not mean none
  const timer = setTimeout(() => {
    late = true;
    db.connection.interrupt();
  }, Math.min(seconds * 1000, 2 ** 31 - 1));
  try {
    return await work();
  } catch (error) {
    throw late ? stopped() : error;
  } finally {
    clearTimeout(timer);
  }
}

/** Run a report. `db` must have the shipped database as its default catalog, locked down. */
export async function runReport(db: NativeDb, report: ParsedReport, context: ReportContext): Promise<ReportView> {
  const parameters = { ...context.builtins, ...report.meta.parameters };
  const { shipped, system } = context;
  const results = new Map<string, CellResult>();
  const blocks: ReportViewBlock[] = [];
  const start = performance.now();
  try {
    // every cell first, so prose may quote a cell written below it
    for (const block of report.blocks) {
      if (block.kind !== 'sql') continue;
      const where = `${report.file}:${block.line}: cell "${block.name}"`;
      if (shipped.has(block.name.toLowerCase()) || system.has(block.name.toLowerCase())) {
        throw new ReportError(`${where} has the name of a table of the database; name it differently so the table stays readable`);
      }
      const sql = substitute(report.file, block, parameters);
      const readable = new Set([...shipped, ...[...results.keys()].map((k) => k.toLowerCase())]);
      await checkCell(db, where, sql, { readable, system });
      const t = performance.now();
      const table = `temp.main.${sqlIdent(block.name)}`;
      const seconds = context.cellTimeoutSeconds;
      const stopped = () => new ReportError(`${where} was stopped after ${seconds} s (reportCellTimeoutSeconds in qunlens.config.json): make it read less, or raise the limit`);
      const { columns, rows, n } = await withTimeLimit(db, seconds, stopped, async () => {
        try {
          // the cell's text goes to DuckDB as a bound value, never spliced into SQL: query()
          // parses it on its own and runs it only if it is one SELECT
          await db.exec(`CREATE OR REPLACE TEMP TABLE ${sqlIdent(block.name)} AS SELECT * FROM query($1)`, [sql]);
        } catch (error) {
          throw new ReportError(`${where} failed: ${(error as Error).message.split('\n')[0]}`);
        }
        const columns = await db.rows<{ name: string; type: string }>(
          `SELECT column_name AS name, data_type AS type FROM duckdb_columns() WHERE database_name = 'temp' AND table_name = $1 ORDER BY column_index`,
          [block.name],
        );
        const [{ n }] = await db.rows<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM ${table}`);
        const objects = await db.rows(`SELECT * FROM ${table} LIMIT ${ROW_LIMIT}`);
        const rows = objects.map((o) =>
          columns.map((c) => {
            const v = o[c.name];
            return v === null || v === undefined || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? (v ?? null) : JSON.stringify(v);
          }),
        );
        return { columns, rows, n };
      });
      const earlier = [...results.values()];
      results.set(block.name, { name: block.name, line: block.line, sql, exploreSql: standaloneSql(sql, earlier), hidden: block.hidden, columns, rows, rowCount: n, ms: performance.now() - t });
    }
    for (const block of report.blocks) {
      if (block.kind === 'sql') blocks.push({ kind: 'cell', ...results.get(block.name)! });
      else if (block.kind === 'chart') {
        const data = results.get(block.spec.data)!;
        for (const col of [block.spec.x, block.spec.y, block.spec.series]) {
          if (col && !data.columns.some((c) => c.name === col)) {
            throw new ReportError(`${report.file}:${block.line}: chart "${block.spec.title}": cell "${data.name}" has no column "${col}" (columns: ${data.columns.map((c) => c.name).join(', ')})`);
          }
        }
        // a chart's title and takeaway may quote values too, so the one-line reading follows the data
        const spec = inEachLang((f) => ({ ...block.spec, title: fillValues(f, report.file, block.spec.title, results, false), takeaway: fillValues(f, report.file, block.spec.takeaway, results, false) }));
        blocks.push({ kind: 'chart', spec, line: block.line });
      } else {
        const html = {} as Record<Lang, string>;
        for (const lang of LANGS) html[lang] = await marked.parse(fillValues(i18n(lang), report.file, block.markdown, results), { async: true });
        blocks.push({ kind: 'prose', html });
      }
    }
  } finally {
    for (const name of results.keys()) await db.exec(`DROP TABLE IF EXISTS temp.main.${sqlIdent(name)}`);
  }
  return { file: report.file, slug: report.slug, meta: report.meta, blocks, cells: results.size, ms: performance.now() - start };
}
