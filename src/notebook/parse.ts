/**
 * Notebook reports: a Markdown file in src/reports/ with front matter, prose, named SQL cells
 * and charts drawn from their results. The syntax, all of it:
 *
 *   ---
 *   title: 月度社群运营复盘          (required)
 *   title_en: Monthly review         (optional: the English site's title)
 *   period: 2026-10                  (optional, shown under the title)
 *   description: one line for the reports index
 *   parameters:                      (optional: ${name} in SQL becomes the value, quoted)
 *     min_joins: 30
 *   ---
 *
 *   Prose in Markdown. {{cell.column}} is the first row's value of a cell (escaped), and
 *   {{cell.column | pct}} formats it (pct, int, num, money, date) as the page's language
 *   writes it; any cell of the report may be quoted, above or below the sentence.
 *
 *   ```sql by_channel                 a cell: its name, then optionally `hidden` (no table)
 *   SELECT channel, joins FROM channel_summary
 *   ```
 *
 *   ```chart                          a chart: `key: value` lines naming its cell and columns
 *   data: by_channel
 *   type: bar                         bar (label y, value x) | line (x, y, optional series)
 *   x: joins
 *   y: channel
 *   title: Joins by channel
 *   takeaway: …
 *   ```
 *
 * Cells run in the order written on the database the site ships (dist/data/qunlens.duckdb), so every
 * query can be opened and rerun in Explore; a cell may read an earlier cell by its name. A cell
 * is one read-only statement over those tables (sandbox.ts says exactly what it may be).
 */
import { parse as parseYaml } from 'yaml';
import { marked, type Tokens } from 'marked';

export class ReportError extends Error {
  override name = 'ReportError';
}

export interface ReportMeta {
  title: string;
  titleEn: string | null;
  period: string | null;
  description: string | null;
  parameters: Record<string, string | number | boolean>;
}

export interface ChartSpec {
  data: string;
  type: 'bar' | 'line';
  x: string;
  y: string;
  series: string | null;
  format: 'number' | 'percent' | 'money';
  title: string;
  takeaway: string;
  xLabel: string | null;
  yLabel: string | null;
}

export type ReportBlock =
  | { kind: 'prose'; markdown: string }
  | { kind: 'sql'; name: string; sql: string; hidden: boolean; line: number }
  | { kind: 'chart'; spec: ChartSpec; line: number };

export interface ParsedReport {
  /** path as written in messages, e.g. src/reports/monthly-review.md */
  file: string;
  slug: string;
  meta: ReportMeta;
  blocks: ReportBlock[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function fail(file: string, line: number | null, message: string): never {
  throw new ReportError(`${file}${line ? `:${line}` : ''}: ${message}`);
}

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return String(value);
}

function parseMeta(file: string, yamlText: string): ReportMeta {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (error) {
    fail(file, 1, `the front matter is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(file, 1, 'the front matter must be `key: value` lines between two `---` lines');
  const m = raw as Record<string, unknown>;
  const title = text(m.title);
  if (!title) fail(file, 1, 'the front matter needs a title (title: …)');
  const parameters: Record<string, string | number | boolean> = {};
  if (m.parameters !== undefined) {
    if (!m.parameters || typeof m.parameters !== 'object' || Array.isArray(m.parameters)) fail(file, 1, 'parameters must be `name: value` lines');
    for (const [k, v] of Object.entries(m.parameters as Record<string, unknown>)) {
      if (!NAME.test(k)) fail(file, 1, `parameter name "${k}" must be letters, digits and _`);
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') parameters[k] = v;
      else if (v instanceof Date) parameters[k] = v.toISOString().slice(0, 10);
      else fail(file, 1, `parameter "${k}" must be a text, a number or true/false`);
    }
  }
  const period = m.period instanceof Date ? m.period.toISOString().slice(0, 10) : text(m.period);
  return { title, titleEn: text(m.title_en), period, description: text(m.description), parameters };
}

/**
 * A chart block is `key: value` lines, each value taken literally (not YAML: a takeaway may
 * start with {{…}} or hold a colon); surrounding quotes are dropped, and a comment is a line
 * starting with # or ` # …` at the end of a line.
 */
function parseChart(file: string, line: number, body: string): ChartSpec {
  const c: Record<string, string> = {};
  body.split(/\r?\n/).forEach((text, i) => {
    if (!text.trim() || text.trim().startsWith('#')) return;
    const m = /^\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$/.exec(text);
    if (!m) fail(file, line + 1 + i, `chart: expected \`key: value\`, got "${text.trim()}"`);
    c[m[1]] = m[2].replace(/\s+#\s.*$/, '').replace(/^(["'])(.*)\1$/, '$2');
  });
  const need = (key: string): string => c[key] || fail(file, line, `chart: \`${key}:\` is missing`);
  const data = need('data');
  const type = need('type');
  if (type !== 'bar' && type !== 'line') fail(file, line, `chart: type must be bar or line, not "${type}"`);
  const format = c.format || 'number';
  if (format !== 'number' && format !== 'percent' && format !== 'money') fail(file, line, `chart: format must be number, percent or money, not "${format}"`);
  return {
    data,
    type,
    x: need('x'),
    y: need('y'),
    series: c.series || null,
    format,
    title: need('title'),
    takeaway: c.takeaway ?? '',
    xLabel: c.x_label || null,
    yLabel: c.y_label || null,
  };
}

/** Parse a report's text; `file` is how messages name it. */
export function parseReport(file: string, source: string): ParsedReport {
  const slug = file.replace(/^.*\//, '').replace(/\.md$/i, '');
  if (!/^[a-z0-9][a-z0-9-]*$/.test(slug)) fail(file, null, 'a report file name must be lower-case letters, digits and dashes (it becomes the page address)');
  const lines = source.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trim() !== '---') fail(file, 1, 'a report starts with front matter: a `---` line, `title: …`, and another `---` line');
  const end = lines.indexOf('---', 1);
  if (end < 0) fail(file, 1, 'the front matter has no closing `---` line');
  const meta = parseMeta(file, lines.slice(1, end).join('\n'));

  const blocks: ReportBlock[] = [];
  const cells = new Set<string>();
  let prose = '';
  const flush = () => {
    const markdown = prose.trim();
    if (markdown) blocks.push({ kind: 'prose', markdown });
    prose = '';
  };
  // The body's blocks as Markdown reads them (marked's lexer: fences inside lists or quotes are
  // prose); a token's line is the count of line breaks before it.
  let line = end + 2;
  for (const token of marked.lexer(lines.slice(end + 1).join('\n'))) {
    const first = line + (/^\s*/.exec(token.raw)![0].match(/\n/g)?.length ?? 0);
    line += token.raw.match(/\n/g)?.length ?? 0;
    const info = token.type === 'code' ? /^(sql|chart)\b(.*)$/.exec((token as Tokens.Code).lang ?? '') : null;
    if (!info) {
      prose += token.raw;
      continue;
    }
    const lineNo = first;
    const fence = /^\s*(`{3,}|~{3,})/.exec(token.raw)![1];
    if (!token.raw.trimEnd().endsWith(fence) || token.raw.trimEnd().split('\n').length < 2) fail(file, lineNo, `the ${info[1]} block opened here is never closed with ${fence}`);
    const body = (token as Tokens.Code).text;
    flush();
    if (info[1] === 'sql') {
      const words = info[2].trim().split(/\s+/).filter(Boolean);
      const name = words[0];
      if (!name) fail(file, lineNo, 'a SQL cell needs a name: ```sql by_channel');
      if (!NAME.test(name)) fail(file, lineNo, `cell name "${name}" must be letters, digits and _ (it is used as a table name)`);
      if (cells.has(name)) fail(file, lineNo, `a cell named "${name}" already exists in this report`);
      const unknown = words.slice(1).filter((w) => w !== 'hidden');
      if (unknown.length) fail(file, lineNo, `unknown cell option "${unknown[0]}" (the one option is hidden)`);
      if (!body.trim()) fail(file, lineNo, `cell "${name}" has no SQL`);
      cells.add(name);
      blocks.push({ kind: 'sql', name, sql: body.trim().replace(/;\s*$/, ''), hidden: words.includes('hidden'), line: lineNo });
    } else {
      blocks.push({ kind: 'chart', spec: parseChart(file, lineNo, body), line: lineNo });
    }
  }
  flush();
  for (const b of blocks) {
    if (b.kind === 'chart' && !cells.has(b.spec.data)) fail(file, b.line, `chart: data "${b.spec.data}" is not a SQL cell of this report (cells: ${[...cells].join(', ') || 'none'})`);
  }
  return { file, slug, meta, blocks };
}

/** A parameter as a SQL literal: numbers and booleans as they are, text quoted. */
export function sqlLiteral(value: string | number | boolean): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return `'${value.replaceAll("'", "''")}'`;
}

/** ${name} → the parameter's literal; an unknown name is an error naming the cell. */
export function substitute(file: string, cell: { name: string; line: number; sql: string }, parameters: Record<string, string | number | boolean>): string {
  return cell.sql.replace(/\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}/g, (_, name: string) => {
    if (!(name in parameters)) fail(file, cell.line, `cell "${cell.name}": \${${name}} is not a parameter (parameters: ${Object.keys(parameters).join(', ') || 'none'})`);
    return sqlLiteral(parameters[name]);
  });
}
