/**
 * Documentation generated from the code, so the README's tables cannot drift from what the
 * pipeline accepts (a test checks the README is current).
 */
import { DEFAULT_CONFIG } from './config.ts';
import { TABLES } from './contract.ts';

export function aliasTable(): string {
  const lines = ['| file | column | required | kind | accepted headers besides the name |', '|---|---|---|---|---|'];
  for (const table of TABLES) {
    for (const c of table.columns) {
      lines.push(`| ${table.name}.csv | \`${c.name}\` | ${c.required ? 'yes' : ''} | ${c.kind} | ${c.aliases.map((a) => `\`${a}\``).join(', ')} |`);
    }
  }
  return lines.join('\n');
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

export function readmeSections(): Record<string, string> {
  return { aliases: aliasTable(), labels: labelTables() };
}
