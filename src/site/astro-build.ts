/**
 * Child-process entry: Astro builds every page but the groups' into outDir, then reports the
 * process's peak resident memory (or the error's message) to its parent. Astro runs in a
 * process of its own because its bundler's native memory stays allocated after the build
 * (400–600 MB at the benchmark's scale), and the group-page writers that follow would add to
 * it; an exiting process gives it back.
 */
import { build } from 'astro';

const { root, outDir, base } = JSON.parse(process.argv[2] ?? '{}') as { root: string; outDir: string; base: string };
try {
  await build({ root, outDir, base, logLevel: 'warn' });
  process.send!({ maxRssBytes: process.resourceUsage().maxRSS * 1024 });
} catch (error) {
  console.error(error); // the whole error, stack included, for whoever reads the log
  process.send!({ error: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
}
