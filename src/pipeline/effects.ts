/**
 * Side effects of a build, passed in (Observable Framework's BuildEffects idea) so steps run
 * quietly in tests and the CLI decides how progress is shown.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
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
  /** SHA-256 of a file's bytes, hex. */
  hashFile(file: string): Promise<string>;
  rename(from: string, to: string): Promise<void>;
  rm(target: string): Promise<void>;
  /** Milliseconds, for step timings. */
  now(): number;
  log: Logger;
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
    hashFile: (file) =>
      new Promise((resolve, reject) => {
        const hash = createHash('sha256');
        createReadStream(file, { highWaterMark: 4 << 20 })
          .on('data', (chunk) => hash.update(chunk))
          .on('error', reject)
          .on('end', () => resolve(hash.digest('hex')));
      }),
    rename: (from, to) => fs.rename(from, to),
    rm: (target) => fs.rm(target, { recursive: true, force: true }),
    now: () => performance.now(),
    log,
  };
}
