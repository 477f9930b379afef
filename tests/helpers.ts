/**
 * Test helpers: fixture folders in temp dirs, GB18030 encoding, running the real CLI.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const FIXTURES = join(ROOT, 'tests', 'fixtures');

export function tempDir(prefix = 'qunlens-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Copy a fixture folder to a fresh temp dir and return its path. */
export function copyFixture(name: string): string {
  const dir = join(tempDir(), name);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

let gbTable: Map<string, number[]> | null = null;
/** GB18030 bytes of a string (TextEncoder only writes UTF-8; the table comes from TextDecoder). */
export function encodeGb18030(text: string): Uint8Array {
  if (!gbTable) {
    gbTable = new Map();
    const decoder = new TextDecoder('gb18030');
    for (let hi = 0x81; hi <= 0xfe; hi++)
      for (let lo = 0x40; lo <= 0xfe; lo++) {
        if (lo === 0x7f) continue;
        const ch = decoder.decode(new Uint8Array([hi, lo]));
        if (ch.length === 1 && ch !== '\uFFFD' && !gbTable.has(ch)) gbTable.set(ch, [hi, lo]);
      }
  }
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) out.push(code);
    else {
      const bytes = gbTable.get(ch);
      if (!bytes) throw new Error(`no two-byte GB18030 code for ${ch}`);
      out.push(...bytes);
    }
  }
  return new Uint8Array(out);
}

/** Minimal CSV for fixtures we write ourselves (no quoted newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (line === '') continue;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') {
          field += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else field += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') {
        fields.push(field);
        field = '';
      } else field += ch;
    }
    fields.push(field);
    rows.push(fields);
  }
  return rows;
}

export function toCsv(rows: string[][], newline = '\n'): string {
  const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return rows.map((r) => r.map(quote).join(',')).join(newline) + newline;
}

/** Read an output CSV into objects (values as strings; '' for empty). */
export function readCsvObjects(path: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/** sha256 of every file under a folder, by relative path. */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/** Run the real CLI (`node scripts/qunlens.ts …`) with the Node that runs the tests. */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'qunlens.ts'), ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export interface RunningCli {
  child: ReturnType<typeof spawn>;
  /** everything written to stderr so far */
  stderr(): string;
  /** resolves when stderr (from `from` on) matches, with the time it did (ms, performance.now) */
  waitFor(pattern: RegExp, timeoutMs?: number, from?: number): Promise<number>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start the real CLI and follow its stderr (for tests that act while it runs or kill it). */
export function startCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): RunningCli {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'qunlens.ts'), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const waiters: { pattern: RegExp; from: number; resolve: (t: number) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.pattern.test(stderr.slice(w.from))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(performance.now());
      }
    }
  };
  child.stderr!.on('data', (d) => {
    stderr += d;
    check();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    stderr: () => stderr,
    exited,
    waitFor(pattern, timeoutMs = 120_000, from = 0) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern} in:\n${stderr}`)), timeoutMs);
        waiters.push({ pattern, from, resolve: (t) => (clearTimeout(timer), resolve(t)) });
        exited.then(() => setTimeout(() => reject(new Error(`exited before ${pattern} appeared:\n${stderr}`)), 50));
        check();
      });
    },
  };
}

/** A process is alive when /proc has it and it is not a zombie (a dead child nobody reaped yet). */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Every live descendant of a process (children, their children, …), from /proc. */
export function descendants(pid: number): { pid: number; command: string }[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: { pid: number; command: string }[] = [];
  const visit = (parent: number) => {
    for (const [child, ppid] of parents) {
      if (ppid !== parent || !processAlive(child)) continue;
      let command = '';
      try {
        command = readFileSync(`/proc/${child}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      } catch {
        // gone meanwhile
      }
      found.push({ pid: child, command });
      visit(child);
    }
  };
  visit(pid);
  return found;
}
