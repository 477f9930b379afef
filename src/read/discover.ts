/**
 * Which files of the data folder are which tables. A table may come as many files (monthly
 * exports, one file per run), in any accepted format:
 *
 *  - every file whose name is the table's name or one of its Chinese names (contract.ts
 *    `fileNames`, extended by `files` in the configuration), alone or followed by a separator
 *    (`_`, `-`, a space, `(`) and anything: `members-2026-10.csv`, `群成员_2026-09.xlsx`,
 *    `客户群列表 (1).xlsx`;
 *  - every file in a folder named after the table (`members/`, `群成员/`);
 *  - every file a glob in `files` names (`"files": {"orders": ["导出*.xlsx"]}`).
 *
 * A file that matches no table is named in a warning, never ignored silently; a file that
 * matches two tables is an error naming both.
 */
import { TABLES, type TableName, type TableSpec } from '../core/contract.ts';
import type { Effects } from '../core/effects.ts';
import { InputError, type DataIssue } from './source-files.ts';

/** How a file is read. */
export type InputFormat = 'csv' | 'parquet' | 'xlsx' | 'json';

const FORMATS: Record<string, InputFormat> = { csv: 'csv', tsv: 'csv', txt: 'csv', parquet: 'parquet', xlsx: 'xlsx', jsonl: 'json', ndjson: 'json', json: 'json' };

export interface InputFile {
  spec: TableSpec;
  /** the file as the operator knows it: its path in the data folder, '/' between folders */
  name: string;
  path: string;
  format: InputFormat;
}

/** Names compared as operators write them: full-width folded, case and surrounding blanks ignored. */
function comparable(name: string): string {
  return name.normalize('NFKC').trim().toLowerCase();
}

const SEPARATORS = ['_', '-', ' ', '('];

/** A file's name without its extension is the name, or the name followed by a separator and anything. */
function nameMatches(base: string, name: string): boolean {
  const n = comparable(name);
  return base === n || SEPARATORS.some((s) => base.startsWith(n + s));
}

/** A glob of `files` (`*` any characters but '/', `?` one) as a regular expression over a path or a file name. */
function globRegExp(glob: string): RegExp {
  const body = comparable(glob)
    .split('')
    .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

export interface TableNames {
  /** table → names (its own, the contract's Chinese ones, those of `files` that are not globs) */
  names: Map<TableName, string[]>;
  /** table → globs of `files` */
  globs: Map<TableName, RegExp[]>;
}

export function tableNames(files: Partial<Record<TableName, readonly string[]>> = {}): TableNames {
  const names = new Map<TableName, string[]>();
  const globs = new Map<TableName, RegExp[]>();
  for (const spec of TABLES) {
    const extra = files[spec.name] ?? [];
    names.set(spec.name, [spec.name, ...spec.fileNames, ...extra.filter((f) => !/[*?]/.test(f))]);
    globs.set(spec.name, extra.filter((f) => /[*?]/.test(f)).map(globRegExp));
  }
  return { names, globs };
}

/** The tables a file is one of: by its name, by the folder it is in, by a glob. */
export function tablesOfFile(relative: string, known: TableNames): TableName[] {
  const parts = relative.split('/');
  const file = parts[parts.length - 1];
  const base = comparable(file.replace(/\.[^.]*$/, ''));
  const folders = parts.slice(0, -1).map(comparable);
  const path = comparable(relative);
  const tables: TableName[] = [];
  for (const spec of TABLES) {
    const names = known.names.get(spec.name)!;
    const byName = names.some((n) => nameMatches(base, n));
    const byFolder = folders.some((f) => names.some((n) => comparable(n) === f));
    const byGlob = known.globs.get(spec.name)!.some((g) => g.test(path) || g.test(comparable(file)));
    if (byName || byFolder || byGlob) tables.push(spec.name);
  }
  return tables;
}

/** Files that are not data: notes, the configuration, dot-files. */
function notData(name: string): boolean {
  return name.startsWith('.') || /^readme/i.test(name) || name === 'qunlens.config.json';
}

/** Every file below a folder (paths relative to it, '/' between folders), in name order. */
export async function listDataFiles(effects: Effects, dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await effects.readdir(dir)).sort()) {
    if (notData(entry)) continue;
    const full = effects.path.join(dir, entry);
    if ((await effects.stat(full)).isDirectory) out.push(...(await listDataFiles(effects, full, `${prefix}${entry}/`)));
    else out.push(`${prefix}${entry}`);
  }
  return out;
}

export interface Discovered {
  /** the files of each table, in name order */
  files: Map<TableName, InputFile[]>;
  issues: DataIssue[];
}

/** Which files are which tables; a missing required table, or a file of two tables, stops the build. */
export async function discoverInputs(
  effects: Effects,
  dataDir: string,
  config: { files?: Partial<Record<TableName, readonly string[]>> } = {},
  /** a JSON file whose name is no table's: is it the chat archive (its records' keys say so)? */
  isChatArchive: (path: string) => Promise<boolean> = async () => false,
): Promise<Discovered> {
  if (!(await effects.exists(dataDir))) throw new InputError([`data folder ${dataDir} does not exist`]);
  const known = tableNames(config.files);
  const all = await listDataFiles(effects, dataDir);
  const files = new Map<TableName, InputFile[]>();
  const issues: DataIssue[] = [];
  const problems: string[] = [];
  for (const name of all) {
    const extension = /\.([^./]*)$/.exec(name)?.[1]?.toLowerCase() ?? '';
    let tables = tablesOfFile(name, known);
    // JSON is read only as the chat archive: one named otherwise (chatdata_20261001.jsonl) is
    // the messages when its records are the archive's
    if (!tables.length && FORMATS[extension] === 'json' && (await isChatArchive(effects.path.join(dataDir, ...name.split('/'))))) tables = ['messages'];
    if (tables.length > 1) {
      problems.push(`${name} matches two tables, ${tables.join(' and ')}: rename it after the one it is, or name it in "files" in qunlens.config.json`);
      continue;
    }
    const format = FORMATS[extension];
    if (!tables.length || !format) {
      const why = !tables.length
        ? `its name is not one of a table's (${TABLES.map((t) => [t.name, ...t.fileNames].join('/')).join('; ')})`
        : extension === 'xls'
          ? 'it is an Excel 97–2003 workbook (.xls), which qunlens does not read: export it as .xlsx, the format WeCom and current Excel write'
          : `its format (.${extension}) is not one qunlens reads (CSV, Excel .xlsx, Parquet, the chat archive's .jsonl/.json)`;
      issues.push({ file: name, line: null, column: null, severity: 'warning', message: `${name} is not read: ${why}; rename it after its table, or name it in "files" in qunlens.config.json` });
      continue;
    }
    const spec = TABLES.find((t) => t.name === tables[0])!;
    if (format === 'json' && spec.name !== 'messages') {
      issues.push({ file: name, line: null, column: null, severity: 'warning', message: `${name} is not read: JSON is read only as the chat archive (messages)` });
      continue;
    }
    const list = files.get(spec.name) ?? [];
    list.push({ spec, name, path: effects.path.join(dataDir, ...name.split('/')), format });
    files.set(spec.name, list);
  }
  const messages = files.get('messages');
  const activity = files.get('activity');
  if (messages && activity) {
    for (const a of activity) {
      issues.push({ file: a.name, line: null, column: null, severity: 'warning', message: `both messages and activity were given; activity metrics use the messages (${messages.map((m) => m.name).join(', ')}) and ${a.name} is ignored` });
    }
    files.delete('activity');
  }
  for (const t of TABLES.filter((t) => t.required && !files.has(t.name))) {
    const names = [t.name, ...t.fileNames];
    problems.push(
      `the ${t.name} table is required but no file in ${dataDir} is one: name its file ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]} (.csv or .xlsx; a name may go on after _, -, a space or "("), or put it in a folder ${t.name}/ (found: ${all.join(', ') || 'nothing'})`,
    );
  }
  if (problems.length) throw new InputError(problems);
  return { files, issues };
}
