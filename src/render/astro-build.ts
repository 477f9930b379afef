/**
 * Child-process entry: Astro builds every page but the groups' into outDir, then reports the
 * process's peak resident memory (or the error's message) to its parent. Astro runs in a
 * process of its own because its bundler's native memory stays allocated after the build
 * (400–600 MB at the benchmark's scale), and the group-page writers that follow would add to
 * it; an exiting process gives it back. It ends with the build that started it (below).
 */
import { Worker } from 'node:worker_threads';
// the charts the pages draw are made in this process's linkedom document
import './chart-document.ts';

const { root, outDir, base, parentPid } = JSON.parse(process.argv[2] ?? '{}') as { root: string; outDir: string; base: string; parentPid: number };

// The build that started this process is gone (killed, even with SIGKILL): nobody is left to
// use these pages, so stop at once rather than render for nothing. Its IPC channel closes
// ('disconnect'), which this process hears between two pieces of Astro's work; Astro can keep
// the event loop busy for seconds, so a thread of its own also checks every 200 ms that the
// build is still this process's parent. The build passes its PID: it may be gone before this
// process has even started. All of it is set before Astro loads (seconds). (A 'disconnect'
// listener would keep this process alive after the build: the channel is unref'd.)
if (process.ppid !== parentPid || !process.connected) process.exit(1);
process.on('disconnect', () => process.exit(1));
process.channel?.unref();
const ORPHAN_WATCH = `
const { workerData } = require('node:worker_threads');
setInterval(() => { if (process.ppid !== workerData.parentPid) process.kill(process.pid, 'SIGKILL'); }, 200);
`;
new Worker(ORPHAN_WATCH, { eval: true, workerData: { parentPid } }).unref();

const { build } = await import('astro');
try {
  await build({ root, outDir, base, logLevel: 'warn' });
  process.send!({ maxRssBytes: process.resourceUsage().maxRSS * 1024 });
} catch (error) {
  console.error(error); // the whole error, stack included, for whoever reads the log
  process.send!({ error: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
}
