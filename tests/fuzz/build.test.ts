/**
 * Property: a build of damaged copies of the hand fixture (any file, any of the damage kinds,
 * in any encoding) never ends as "a bug": it succeeds, or stops with an operator's message.
 * When it succeeds, every input file's lines add up in data_quality_summary.csv and equal the
 * lines an editor would count. A bounded run in npm test; `npm run fuzz` runs many more.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOperatorError } from '../../src/cli.ts';
import { copyFixture, FIXTURES, readCsvObjects } from '../helpers.ts';
import { buildData } from '../e2e/build-helpers.ts';
import { assemble, breaksIn, damage, damages, FUZZ_RUNS, type Damage, type FileEncoding, type Table, type Unit } from './damage.ts';

const FILES = readdirSync(join(FIXTURES, 'hand')).filter((f) => f.endsWith('.csv'));

const fileDamage = fc.record({
  file: fc.constantFrom(...FILES),
  encoding: fc.constantFrom<FileEncoding>('utf-8', 'utf-8', 'gb18030', 'utf-16le'),
  newline: fc.constantFrom<Table['newline']>('\n', '\r\n'),
  bom: fc.boolean(),
  damage: damages(16),
});

/** Lines of bytes as an editor counts them (CR LF, LF, a lone CR). */
function linesOf(bytes: Buffer, encoding: FileEncoding): number {
  const text = encoding === 'utf-16le' ? bytes.toString('utf16le') : bytes.toString('latin1');
  const last = text[text.length - 1];
  return breaksIn(text) + (text.length && last !== '\n' && last !== '\r' ? 1 : 0);
}

async function check(cases: { file: string; encoding: FileEncoding; newline: Table['newline']; bom: boolean; damage: Damage[] }[]): Promise<void> {
  const dir = copyFixture('hand');
  const written = new Map<string, { bytes: Buffer; encoding: FileEncoding }>();
  for (const c of cases) {
    if (written.has(c.file)) continue;
    const lines = readFileSync(join(dir, c.file), 'utf8').replace(/\n$/, '').split('\n');
    const t: Table = { fields: lines[0].split(',').length, records: [], newline: c.newline, lastNewline: true, encoding: c.encoding, bom: c.bom };
    const units: Unit[] = lines.map((text) => ({ record: null, text, dirty: false }));
    const bytes = Buffer.from(assemble(t, damage(t, units, c.damage)).bytes);
    writeFileSync(join(dir, c.file), bytes);
    written.set(c.file, { bytes, encoding: c.encoding });
  }
  let data: string;
  try {
    data = (await buildData(dir)).data;
  } catch (error) {
    // an operator's message (a file or column cut away, nothing left to report on), never a bug
    expect(isOperatorError(error), (error as Error).stack).toBe(true);
    return;
  }
  for (const f of readCsvObjects(join(data, 'data_quality_summary.csv'))) {
    expect(Number(f.lines), f.file).toBe(Number(f.header_lines) + Number(f.rows_read) + Number(f.blank_lines) + Number(f.continuation_lines));
    const w = written.get(f.file);
    if (w) expect(Number(f.lines), f.file).toBe(linesOf(w.bytes, w.encoding));
  }
}

describe('building damaged data', () => {
  it('never ends as a bug, and accounts for every line of every file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fileDamage, { minLength: 1, maxLength: 3 }), (cases) => check(cases)),
      { numRuns: FUZZ_RUNS ? Math.ceil(FUZZ_RUNS / 25) : 5 },
    );
  }, 900_000);
});
