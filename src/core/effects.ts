/**
 * Side effects of a build, passed in (Observable Framework's BuildEffects idea) so steps run
 * quietly in tests and the CLI decides how progress is shown.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';

export interface Logger {
  /** One progress line per pipeline step: name, what it did (counts), how long it took. */
  step(name: string, detail: string, ms: number): void;
  info(message: string): void;
  warn(message: string): void;
}

export interface Effects {
  path: typeof nodePath;
  exists(file: string): Promise<boolean>;
  readText(file: string): Promise<string>;
  writeFile(file: string, data: string | Uint8Array): Promise<void>;
  appendFile(file: string, data: string): Promise<void>;
  mkdir(dir: string): Promise<void>;
  readdir(dir: string): Promise<string[]>;
  stat(file: string): Promise<{ size: number; isDirectory: boolean }>;
  /** What is at a path, without following a symbolic link there. */
  kind(path: string): Promise<'missing' | 'link' | 'directory' | 'file'>;
  /**
   * A file's version: `id` joins its size, modification and change times (ns) and inode, so any
   * write, truncation or replacement changes it; `changedMs` is when it last changed.
   */
  version(file: string): Promise<{ id: string; changedMs: number }>;
  readlink(link: string): Promise<string>;
  /** A symbolic link at `link` pointing to `target` (relative to the link's folder). */
  symlink(target: string, link: string): Promise<void>;
  /** SHA-256 of a file's bytes, hex. */
  hashFile(file: string): Promise<string>;
  rename(from: string, to: string): Promise<void>;
  /** rename, or copy and remove when `to` is on another file system */
  move(from: string, to: string): Promise<void>;
  rm(target: string): Promise<void>;
  /** Bytes free to this user on the file system holding `dir`. */
  freeBytes(dir: string): Promise<number>;
  /** Milliseconds, for step timings. */
  now(): number;
  /**
   * Wall clock: when the build runs. Its day (in the configured zone) bounds the plausible dates,
   * and it is the default "built at"; tests pin it.
   */
  clock(): Date;
  log: Logger;
}

/**
 * SHA-256 of bytes [start, end) of a file, read synchronously into one reused buffer: on 1.2 GB
 * from the page cache, 1.2 s where a read stream (a new buffer per chunk, a tick each) took 2.4 s.
 * It runs first in a build and alone: nothing waits on the event loop meanwhile.
 */
function hashRange(file: string, start: number, end: number): Promise<string> {
  return Promise.resolve().then(() => hashRangeSync(file, start, end));
}

const HASH_CHUNK = 8 << 20;

function hashRangeSync(file: string, start: number, end: number): string {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(Math.min(HASH_CHUNK, Math.max(1, end - start)));
    for (let at = start; at < end; ) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, end - at), at);
      if (n === 0) break; // the file shrank: the content differs, and so does the hash
      hash.update(buffer.subarray(0, n));
      at += n;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

// a worker thread hashing one range, the same way (plain JS: workers evaluate it without a loader)
const RANGE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const { file, start, end } = workerData;
const hash = createHash('sha256');
const fd = openSync(file, 'r');
const buffer = Buffer.allocUnsafe(Math.min(${HASH_CHUNK}, Math.max(1, end - start)));
for (let at = start; at < end; ) {
  const n = readSync(fd, buffer, 0, Math.min(buffer.length, end - at), at);
  if (n === 0) break;
  hash.update(buffer.subarray(0, n));
  at += n;
}
closeSync(fd);
parentPort.postMessage(hash.digest('hex'));
`;

/** Files above this size are hashed in two halves on two threads (the rebuild check reads every input byte). */
const PARALLEL_HASH_BYTES = 64 << 20;

/**
 * A file's content hash: SHA-256 of its bytes, or for a big file SHA-256 over the SHA-256 of
 * each half, computed on two threads. Either way it changes with any byte, never with mtime.
 */
async function hashFileParallel(file: string): Promise<string> {
  const { size } = await fs.stat(file);
  if (size < PARALLEL_HASH_BYTES) return hashRange(file, 0, size);
  const { Worker } = await import('node:worker_threads');
  const half = Math.floor(size / 2);
  const inWorker = new Promise<string>((resolve, reject) => {
    const worker = new Worker(RANGE_WORKER, { eval: true, workerData: { file, start: half, end: size } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const [first, second] = await Promise.all([hashRange(file, 0, half), inWorker]);
  return createHash('sha256').update(`halves:${size}:${first}:${second}`).digest('hex');
}

export const silentLogger: Logger = { step() {}, info() {}, warn() {} };

export function consoleLogger(stream: NodeJS.WritableStream = process.stderr): Logger {
  const write = (line: string) => stream.write(`${line}\n`);
  return {
    step(name, detail, ms) {
      write(`  ${name.padEnd(10)} ${detail.padEnd(58)} ${(ms / 1000).toFixed(1).padStart(6)}s`);
    },
    info: (message) => write(message),
    warn: (message) => write(`warning: ${message}`),
  };
}

export function nodeEffects(log: Logger = consoleLogger()): Effects {
  return {
    path: nodePath,
    async exists(file) {
      try {
        await fs.access(file);
        return true;
      } catch {
        return false;
      }
    },
    readText: (file) => fs.readFile(file, 'utf8'),
    async writeFile(file, data) {
      await fs.mkdir(nodePath.dirname(file), { recursive: true });
      await fs.writeFile(file, data);
    },
    appendFile: (file, data) => fs.appendFile(file, data),
    async mkdir(dir) {
      await fs.mkdir(dir, { recursive: true });
    },
    readdir: (dir) => fs.readdir(dir),
    async stat(file) {
      const s = await fs.stat(file);
      return { size: s.size, isDirectory: s.isDirectory() };
    },
    async kind(path) {
      try {
        const s = await fs.lstat(path);
        return s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'directory' : 'file';
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
        throw error;
      }
    },
    async version(file) {
      const s = await fs.stat(file, { bigint: true });
      return { id: `${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}`, changedMs: Number((s.mtimeNs > s.ctimeNs ? s.mtimeNs : s.ctimeNs) / 1_000_000n) };
    },
    readlink: (link) => fs.readlink(link),
    symlink: (target, link) => fs.symlink(target, link, 'dir'),
    hashFile: (file) => hashFileParallel(file),
    rename: (from, to) => fs.rename(from, to),
    async move(from, to) {
      try {
        await fs.rename(from, to);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        await fs.cp(from, to, { recursive: true, verbatimSymlinks: true });
        await fs.rm(from, { recursive: true, force: true });
      }
    },
    rm: (target) => fs.rm(target, { recursive: true, force: true }),
    async freeBytes(dir) {
      const s = await fs.statfs(dir);
      return s.bavail * s.bsize;
    },
    now: () => performance.now(),
    clock: () => new Date(),
    log,
  };
}
