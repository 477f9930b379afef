/**
 * Documentation generated from the code, so the tables of the README and of the input contract
 * (docs/data.md) cannot drift from what the pipeline accepts (`npm run docs` writes them;
 * tests/docs.test.ts checks both files are current).
 */
import { DEFAULT_CONFIG } from './core/config.ts';
import { TABLES } from './core/contract.ts';
import { NUMBER_LIMITS } from './core/contract.ts';

export function aliasTable(): string {
  const files = ['| table | required | its files are named (alone or followed by `_`, `-`, a space or `(`), or are in a folder so named |', '|---|---|---|'];
  for (const table of TABLES) files.push(`| ${table.name} | ${table.required ? 'yes' : ''} | ${[table.name, ...table.fileNames].map((n) => `\`${n}\``).join(', ')} |`);
  const lines = ['| table | column | required | kind | accepted headers besides the name |', '|---|---|---|---|---|'];
  for (const table of TABLES) {
    for (const c of table.columns) {
      lines.push(`| ${table.name} | \`${c.name}\` | ${c.required ? 'yes' : ''} | ${c.kind} | ${c.aliases.map((a) => `\`${a}\``).join(', ')} |`);
    }
  }
  return `${files.join('\n')}\n\n${lines.join('\n')}`;
}

export function labelTables(): string {
  const byKey = new Map<string, string[]>();
  for (const [label, key] of Object.entries(DEFAULT_CONFIG.channelLabels)) byKey.set(key, [...(byKey.get(key) ?? []), label]);
  const channels = ['| channel key | 中文 | English | labels accepted |', '|---|---|---|---|'];
  for (const [key, info] of Object.entries(DEFAULT_CONFIG.channels)) channels.push(`| \`${key}\` | ${info.zh} | ${info.en} | ${(byKey.get(key) ?? []).join('、')} |`);
  const typesByKey = new Map<string, string[]>();
  for (const [label, key] of Object.entries(DEFAULT_CONFIG.typeLabels)) typesByKey.set(key, [...(typesByKey.get(key) ?? []), label]);
  const types = ['| type key | 中文 | English | labels accepted |', '|---|---|---|---|'];
  for (const [key, info] of Object.entries(DEFAULT_CONFIG.types)) types.push(`| \`${key}\` | ${info.zh} | ${info.en} | ${(typesByKey.get(key) ?? []).join('、')} |`);
  return `${channels.join('\n')}\n\n${types.join('\n')}`;
}

/** The plausibility rules on values (values.ts NUMBER_LIMITS, DateBounds; config defaults). */
export function valueRules(): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const columns = (kind: string) =>
    TABLES.flatMap((t) => t.columns.filter((c) => c.kind === kind).map((c) => `${t.name}.\`${c.name}\``)).join(', ');
  return [
    '| values | accepted | outside it |',
    '|---|---|---|',
    `| dates and times: ${columns('datetime')}, ${columns('date')} | from \`earliestDate\` (default ${DEFAULT_CONFIG.earliestDate}) to the day after the build (its day in \`timeZone\`), whatever the format (epoch numbers and Excel serial days too) | rejected: a typo'd year |`,
    `| amounts: ${columns('amount')} | finite, at most ${n(NUMBER_LIMITS.amount)} (${NUMBER_LIMITS.amount / 1e8}亿) | rejected |`,
    `| amounts above \`orderAmountCeiling\` (default ${n(DEFAULT_CONFIG.orderAmountCeiling)}) | kept | a warning: worth a look for an extra zero |`,
    `| counts: ${columns('integer')} | whole, at most ${n(NUMBER_LIMITS.integer)} (a member's messages in a group on a day: more is over one a second) | rejected |`,
    `| numbers: ${columns('number')} | finite, from −${n(NUMBER_LIMITS.number)} to ${n(NUMBER_LIMITS.number)} | rejected |`,
    '| separators in any number | a comma between groups of three digits: `1,234.50`, `12,345,678`, `1,234` (= 1234) | `1,2,3`, `1,2345`, a decimal comma (`12,5`, `1.234,5`) and `_` are rejected: they could mean two numbers |',
  ].join('\n');
}

/** The generated tables by section name: each file of GENERATED_FILES holds every one. */
export function generatedSections(): Record<string, string> {
  return { aliases: aliasTable(), labels: labelTables(), values: valueRules() };
}

/** The files, relative to the project, that hold the generated tables. */
export const GENERATED_FILES = ['README.md', 'docs/data.md'] as const;

/** A section as it stands in a file: its body between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`. */
export function generatedBlock(name: string, body: string): string {
  return `<!-- generated:${name} -->\n${body}\n<!-- /generated:${name} -->`;
}

/** A file's text with every generated section replaced by the current one; a missing section is an error naming the file. */
export function regenerate(file: string, text: string): string {
  for (const [name, body] of Object.entries(generatedSections())) {
    const start = `<!-- generated:${name} -->`;
    const end = `<!-- /generated:${name} -->`;
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    if (i < 0 || j < i) throw new Error(`${file} has no ${start} … ${end} section`);
    text = `${text.slice(0, i)}${generatedBlock(name, body)}${text.slice(j + end.length)}`;
  }
  return text;
}
