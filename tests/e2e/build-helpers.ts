import { join } from 'node:path';
import { build, type BuildResult } from '../../src/build.ts';
import { nodeEffects, silentLogger } from '../../src/pipeline/effects.ts';
import { tempDir } from '../helpers.ts';

/** Build a data folder into a fresh output folder, quietly, with a fixed salt and clock. */
export async function buildData(
  dataDir: string,
  options: { render?: boolean; asOf?: string; outDir?: string; base?: string; /** the build's wall clock (default: now) */ now?: Date } = {},
): Promise<{ out: string; data: string; result: BuildResult }> {
  const effects = nodeEffects(silentLogger);
  const now = options.now;
  if (now) effects.clock = () => now;
  const out = options.outDir ?? join(tempDir(), 'dist');
  const result = await build(
    {
      dataDir,
      outDir: out,
      projectDir: tempDir(),
      render: options.render ?? false,
      asOf: options.asOf,
      base: options.base,
      salt: 'test-salt',
      builtAt: '2026-04-01T00:00:00.000Z',
    },
    effects,
  );
  return { out, data: join(out, 'data'), result };
}
