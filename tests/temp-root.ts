/**
 * Every folder the tests make in the OS temp folder goes under one folder of this run, removed
 * when the run ends. The tests and the builds they start make thousands (the fuzz tests alone
 * two per case); left in /tmp, they had filled 37 GB of a machine that runs the suite often.
 * (os.tmpdir() reads TMPDIR; the test workers start after this and inherit it.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const before = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), 'qunlens-tests-'));
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(root, { recursive: true, force: true });
  };
}
