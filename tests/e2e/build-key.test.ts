/**
 * The build key: an unchanged rebuild does nothing; any changed byte, option or salt rebuilds.
 */
import { appendFileSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILD_KEY_FILE, CODE_ROOT, computeBuildKey } from '../../src/publish/build-key.ts';
import { DEFAULT_CONFIG } from '../../src/core/config.ts';
import { buildIfChanged, type BuildOptions } from '../../src/build.ts';
import { nodeEffects, silentLogger } from '../../src/core/effects.ts';
import { copyFixture, tempDir } from '../helpers.ts';

function options(dataDir: string, outDir: string, extra: Partial<BuildOptions> = {}): BuildOptions {
  return { dataDir, outDir, projectDir: tempDir(), render: false, salt: 'test-salt', builtAt: '2026-04-01T00:00:00.000Z', ...extra };
}

describe('build key', () => {
  const data = copyFixture('hand');
  const out = join(tempDir(), 'dist');
  const effects = nodeEffects(silentLogger);

  it('builds, then finds the same inputs up to date without touching the site', async () => {
    const first = await buildIfChanged(options(data, out), effects);
    expect('upToDate' in first).toBe(false);
    const key = JSON.parse(readFileSync(join(out, BUILD_KEY_FILE), 'utf8')).key;
    expect(key).toMatch(/^[a-p]{64}$/);
    const summary = readFileSync(join(out, 'data', 'summary.json'));
    const second = await buildIfChanged(options(data, out), effects);
    expect(second).toMatchObject({ upToDate: true, key });
    expect(readFileSync(join(out, 'data', 'summary.json'))).toEqual(summary);
  });

  it('ignores modification times: a touched file with the same bytes is the same input', async () => {
    utimesSync(join(data, 'members.csv'), new Date('2030-01-01'), new Date('2030-01-01'));
    expect(await buildIfChanged(options(data, out), effects)).toMatchObject({ upToDate: true });
  });

  it('rebuilds when a byte of an input changes', async () => {
    appendFileSync(join(data, 'groups.csv'), '\n');
    expect('upToDate' in (await buildIfChanged(options(data, out), effects))).toBe(false);
    expect(await buildIfChanged(options(data, out), effects)).toMatchObject({ upToDate: true });
  });

  it('rebuilds when a file is added, or an option or the salt changes', async () => {
    writeFileSync(join(data, 'notes.txt'), 'hello');
    expect('upToDate' in (await buildIfChanged(options(data, out), effects))).toBe(false);
    expect('upToDate' in (await buildIfChanged(options(data, out, { asOf: '2026-03-31' }), effects))).toBe(false);
    expect('upToDate' in (await buildIfChanged(options(data, out, { asOf: '2026-03-31', salt: 'other' }), effects))).toBe(false);
    expect(await buildIfChanged(options(data, out, { asOf: '2026-03-31', salt: 'other' }), effects)).toMatchObject({ upToDate: true });
  });

  it('covers the code: every source file, the lockfile and the Astro config', async () => {
    // a key that missed the code let a changed client bundle keep the old site (src/publish moved a level down)
    const hashed: string[] = [];
    const recording = { ...effects, hashFile: (file: string) => (hashed.push(file), effects.hashFile(file)) };
    await computeBuildKey(recording, { dataDir: data, config: DEFAULT_CONFIG, salt: 's', render: true, dates: { earliest: '2020-01-01', latest: '2030-01-01' } });
    for (const file of ['src/publish/build-key.ts', 'src/client/explore.ts', 'src/db/wasm.ts', 'package-lock.json', 'astro.config.mjs']) expect(hashed).toContain(join(CODE_ROOT, file));
  });

  it('rebuilds when the site was removed or its key is damaged', async () => {
    writeFileSync(join(out, BUILD_KEY_FILE), 'not json');
    expect('upToDate' in (await buildIfChanged(options(data, out), effects))).toBe(false);
  });
});

describe('content hashes of big inputs (two threads)', () => {
  it('change with any byte in either half, and not with the file name or time', async () => {
    const { writeFileSync: write, utimesSync: touch } = await import('node:fs');
    const effects = nodeEffects(silentLogger);
    const dir = tempDir();
    const bytes = Buffer.alloc(70 << 20, 'a');
    write(join(dir, 'a.csv'), bytes);
    write(join(dir, 'b.csv'), bytes);
    touch(join(dir, 'b.csv'), new Date('2030-01-01'), new Date('2030-01-01'));
    const a = await effects.hashFile(join(dir, 'a.csv'));
    expect(await effects.hashFile(join(dir, 'b.csv'))).toBe(a);
    for (const at of [10, bytes.length - 10]) {
      const changed = Buffer.from(bytes);
      changed[at] = 0x62;
      write(join(dir, 'c.csv'), changed);
      expect(await effects.hashFile(join(dir, 'c.csv'))).not.toBe(a);
    }
  });
});
