/**
 * The group pages' NDJSON reader: each writer gets every `parts`-th non-empty line, whole, in
 * order, whatever the line lengths against its read buffer (1 MiB) and the file's last newline.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { groupLines } from '../../src/render/group-pages-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'qunlens-group-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function split(text: string, parts: number): string[][] {
  const file = join(dir, `lines-${Math.random().toString(36).slice(2)}.ndjson`);
  writeFileSync(file, text);
  return Array.from({ length: parts }, (_, part) => [...groupLines(file, part, parts)]);
}

describe('groupLines', () => {
  it('deals non-empty lines out in turn, and keeps a last line without a newline', () => {
    expect(split('a\nb\n\nc\nd\ne', 2)).toEqual([['a', 'c', 'e'], ['b', 'd']]);
    expect(split('a\nb\n', 1)).toEqual([['a', 'b']]);
    expect(split('', 2)).toEqual([[], []]);
  });

  it('reads lines longer than its buffer, and lines across buffer ends, whole (UTF-8 intact)', () => {
    const long = '群'.repeat(900_000); // 2.7 MB
    const lines = [long, 'x'.repeat(1_048_570), '短', `${long}尾`, ...Array.from({ length: 3000 }, (_, i) => `${i}:${'成员'.repeat(i % 700)}`)];
    const [even, odd] = split(`${lines.join('\n')}\n`, 2);
    expect(even).toEqual(lines.filter((_, i) => i % 2 === 0));
    expect(odd).toEqual(lines.filter((_, i) => i % 2 === 1));
  });
});
