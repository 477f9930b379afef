import { join } from 'node:path';
import { build, loadAndValidate, type BuildResult } from '../../src/build.ts';
import { DEFAULT_CONFIG, type QunlensConfig } from '../../src/core/config.ts';
import { openNativeDb } from '../../src/db/native.ts';
import { nodeEffects, silentLogger } from '../../src/core/effects.ts';
import type { FileQuality } from '../../src/validate/validate.ts';
import { tempDir } from '../helpers.ts';

/** One line of the data-quality table. */
export interface Issue {
  file: string;
  line: number | null;
  column: string | null;
  severity: string;
  message: string;
}

/** read → validate → model on a data folder: every issue in file and line order, the files' counts, the report date. */
export async function checkData(
  dir: string,
  options: { config?: Partial<QunlensConfig>; /** the build's wall clock (default: now) */ now?: Date } = {},
): Promise<{ issues: Issue[]; files: FileQuality[]; rejected: number; asOf: string }> {
  const db = await openNativeDb();
  try {
    const effects = nodeEffects(silentLogger);
    const now = options.now;
    if (now) effects.clock = () => now;
    const config = { ...DEFAULT_CONFIG, ...options.config };
    const { validation, model } = await loadAndValidate(db, effects, { dataDir: dir, workDir: tempDir(), config, salt: 's' }, {});
    const issues = await db.rows<Issue>(`SELECT * FROM dq ORDER BY file, line`);
    return { issues, files: validation.files, rejected: validation.files.reduce((s, f) => s + f.rowsRejected, 0), asOf: model.asOf };
  } finally {
    await db.close();
  }
}

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
