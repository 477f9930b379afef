/**
 * What a report cell may be, checked with DuckDB's own parser before the cell runs: exactly one
 * statement, a SELECT (WITH … SELECT, FROM …, VALUES, DESCRIBE, SUMMARIZE are SELECTs to DuckDB
 * too), naming only the tables the site ships, earlier cells of its report and its own WITH
 * names. The database it runs on is locked down as well (no files, network, extensions or
 * setting changes: LOCKED_DOWN in db/native.ts), so this check is the second wall, and the one
 * whose message says what to fix.
 */
import type { NativeDb } from '../db/native.ts';
import { ReportError } from './parse.ts';

/** Table functions a cell may call: they make rows from their arguments alone. */
export const TABLE_FUNCTIONS: ReadonlySet<string> = new Set(['range', 'generate_series', 'unnest', 'json_each', 'json_tree']);

/** Scalar functions that read the machine's or DuckDB's state rather than the shipped tables. */
const STATE_FUNCTIONS: ReadonlySet<string> = new Set(['current_setting', 'getenv', 'getvariable']);

/** Schemas of DuckDB's own catalog views (pg_settings, information_schema.tables…). */
const SYSTEM_SCHEMAS: ReadonlySet<string> = new Set(['information_schema', 'pg_catalog']);

export interface CellNames {
  /** lower-case names a cell may read: the shipped tables and views, and earlier cells */
  readable: ReadonlySet<string>;
  /** lower-case names of DuckDB's own catalog views (duckdb_databases, pg_settings…): never */
  system: ReadonlySet<string>;
}

type Json = Record<string, unknown>;

/** Every object in a parse tree, depth first. */
function* objects(node: unknown): Generator<Json> {
  if (Array.isArray(node)) for (const item of node) yield* objects(item);
  else if (node && typeof node === 'object') {
    yield node as Json;
    for (const value of Object.values(node)) yield* objects(value);
  }
}

/**
 * The first word of each statement in `sql`, skipping comments and quoted text. For messages
 * only: whether a cell is one SELECT is DuckDB's parser's call, not this.
 */
export function statementWords(sql: string): string[] {
  const words: string[] = [];
  let expecting = true;
  for (let i = 0; i < sql.length; ) {
    const rest = sql.slice(i);
    const skip =
      /^--[^\n]*/.exec(rest) ?? /^\/\*[\s\S]*?(\*\/|$)/.exec(rest) ?? /^'(?:[^']|'')*'?/.exec(rest) ?? /^"(?:[^"]|"")*"?/.exec(rest) ?? /^(\$\w*\$)[\s\S]*?(\1|$)/.exec(rest);
    if (skip) {
      i += Math.max(1, skip[0].length);
      if (!skip[0].startsWith('-') && !skip[0].startsWith('/*')) expecting = false;
      continue;
    }
    if (sql[i] === ';') expecting = true;
    else if (expecting && /[A-Za-z_]/.test(sql[i])) {
      const word = /^[A-Za-z_]\w*/.exec(rest)![0];
      words.push(word.toUpperCase());
      expecting = false;
      i += word.length;
      continue;
    }
    i++;
  }
  return words;
}

function notOneSelect(where: string, sql: string, count: number | null): never {
  const words = statementWords(sql);
  const n = count ?? words.length;
  if (n > 1) {
    const found = words.length === n ? ` (${words.map((w) => `${w} …`).join('; ')})` : '';
    throw new ReportError(`${where} must be one SELECT statement; found ${n} statements${found}. Make each its own cell: a later cell reads an earlier one by its name`);
  }
  if (words[0] === 'PIVOT' || words[0] === 'UNPIVOT') {
    throw new ReportError(`${where} must be one SELECT statement; a ${words[0]} is one only with its values listed: ${words[0]} … ON column IN ('a', 'b') …`);
  }
  const found = words[0] ? `found ${words[0]} …, which is not a SELECT` : 'DuckDB does not read it as one';
  throw new ReportError(`${where} must be one SELECT statement; ${found}. A cell only reads: SELECT, WITH … SELECT, FROM …, VALUES, DESCRIBE, SUMMARIZE`);
}

function shown(table: Json): string {
  return [table.catalog_name, table.schema_name, table.table_name].filter((p) => typeof p === 'string' && p).join('.');
}

/**
 * Refuse a cell that is not exactly one SELECT reading only what a report may read; `where` is
 * how messages name it (`src/reports/x.md:12: cell "leak"`). Parsing runs no part of the cell.
 */
export async function checkCell(db: NativeDb, where: string, sql: string, names: CellNames): Promise<void> {
  // json_serialize_sql is DuckDB's parser answering in JSON: it serializes SELECTs only
  const [{ tree }] = await db.rows<{ tree: string }>(`SELECT json_serialize_sql($1::VARCHAR) AS tree`, [sql]);
  const parsed = JSON.parse(tree) as { error: boolean; error_type?: string; error_message?: string; statements?: { node: unknown }[] };
  if (parsed.error) {
    if (parsed.error_type === 'parser') throw new ReportError(`${where} failed: Parser Error: ${parsed.error_message}`);
    if (/only select/i.test(parsed.error_message ?? '')) notOneSelect(where, sql, null);
    throw new ReportError(`${where} failed: DuckDB could not read it: ${parsed.error_message}`);
  }
  const statements = parsed.statements ?? [];
  if (statements.length !== 1) notOneSelect(where, sql, statements.length);

  const tree0 = statements[0].node;
  const ctes = new Set<string>();
  for (const o of objects(tree0)) {
    const map = (o.cte_map as { map?: { key: string }[] } | undefined)?.map;
    for (const cte of map ?? []) ctes.add(cte.key.toLowerCase());
  }
  const allowed = 'a cell reads the tables the site ships and earlier cells of its report';
  for (const o of objects(tree0)) {
    if (o.type === 'TABLE_FUNCTION') {
      const name = String((o.function as Json | undefined)?.function_name ?? '').toLowerCase();
      if (!TABLE_FUNCTIONS.has(name)) {
        throw new ReportError(`${where} reads ${name}(…), which is not a table the site ships: ${allowed}, and makes rows with ${[...TABLE_FUNCTIONS].join(', ')} only`);
      }
    } else if (typeof o.function_name === 'string' && STATE_FUNCTIONS.has(o.function_name.toLowerCase())) {
      throw new ReportError(`${where} calls ${o.function_name.toLowerCase()}(), which reads the build machine's or DuckDB's settings, not the shipped tables: ${allowed}`);
    } else if (o.type === 'BASE_TABLE') {
      const table = String(o.table_name).toLowerCase();
      const schema = String(o.schema_name ?? '').toLowerCase();
      // a CTE named like a system view is refused too: outside its WITH the name is the view
      if (String(o.catalog_name ?? '').toLowerCase() === 'system' || SYSTEM_SCHEMAS.has(schema) || names.system.has(table)) {
        throw new ReportError(`${where} reads ${shown(o)}, which is DuckDB's own catalog, not a table the site ships: ${allowed}`);
      }
      if (!names.readable.has(table) && !ctes.has(table)) {
        throw new ReportError(`${where} reads ${/[/:.]/.test(table) ? `'${o.table_name}'` : shown(o)}, which is neither a table the site ships nor an earlier cell: ${allowed} (${[...names.readable].sort().join(', ')})`);
      }
    }
  }
}
