/**
 * Step 1, read: every input file into DuckDB in one pass: parsed, typed and checked per row
 * (`p_<table>`: the contract's columns, `__mask` of failed checks, the raw text of failed rows).
 * DuckDB keeps insertion order, so a row's rowid is its record's order in the file.
 *
 * messages.csv, the one file that can hold tens of millions of rows, is not stored: it is
 * aggregated to daily and hourly activity as it is read (events.ts). If that pass finds any
 * bad row, the file is read again the exact way, so the bad rows get their line numbers.
 */
import type { TableName } from '../contract.ts';
import { memoryLimitBytes, type Db } from '../db/db.ts';
import { OutOfMemoryError } from '../db/native.ts';
import { parsePlan, type ParsePlan } from './checks.ts';
import type { Effects } from './effects.ts';
import { readRejects, type RejectRow } from './lines.ts';
import { reconcile, scanRejected } from './scan.ts';
import { needsSerialRead, prepareInputs, scanSql, InputError, type DataIssue, type SourceFile } from './sources.ts';

export { InputError, type DataIssue, type Severity } from './sources.ts';

export interface LoadedTable {
  source: SourceFile;
  plan: ParsePlan;
  /** p_<table>; null while messages are only aggregated */
  rowTable: string | null;
  /** records in the file: stored, those DuckDB could not read, and those the scan rejected */
  rows: number;
  rejects: RejectRow[];
}

export interface ReadResult {
  tables: Map<TableName, LoadedTable>;
  issues: DataIssue[];
}

export interface ReadOptions {
  dataDir: string;
  /** scratch folder for UTF-8 copies of GB18030/UTF-16 files */
  workDir: string;
}

/** Run a scan, switching to a serial read when DuckDB asks for it. */
export async function withScan(db: Db, source: SourceFile, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof OutOfMemoryError) throw error;
    if (!needsSerialRead(error)) throw new InputError([`${source.file}: DuckDB could not read the file: ${(error as Error).message.split('\n')[0]}`]);
    source.serial = true;
    await run();
  }
}

/** p_<table> from a source: one pass, rowid = record order. */
export async function loadRows(db: Db, source: SourceFile, plan: ParsePlan): Promise<LoadedTable> {
  const table = `p_${source.table}`;
  const rejectsTable = `rejects_${source.table}`;
  await withScan(db, source, () => db.exec(`CREATE OR REPLACE TABLE ${table} AS ${plan.select(scanSql(source, rejectsTable))}`));
  const rejects = await readRejects(db, rejectsTable);
  const [{ n }] = await db.rows<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM ${table}`);
  reconcile(source, n + rejects.length);
  return { source, plan, rowTable: table, rows: n + rejects.length + scanRejected(source), rejects };
}

export async function readInputs(db: Db, effects: Effects, options: ReadOptions): Promise<ReadResult> {
  const { sources, issues } = await prepareInputs(db, effects, options);
  const tables = new Map<TableName, LoadedTable>();
  // members before messages: staff must be known when messages are aggregated
  const order = [...sources.values()].sort((a, b) => Number(a.table === 'messages') - Number(b.table === 'messages'));
  for (const source of order) {
    const plan = parsePlan(source.spec, source.columns, source.headers.length);
    if (source.table === 'messages') {
      const { aggregateMessages, messagesStrategy } = await import('./events.ts');
      const bytes = (await effects.stat(source.readPath)).size;
      const strategy = messagesStrategy(bytes, await memoryLimitBytes(db));
      if (strategy === 'in parts') effects.log.info(`  messages: ${(bytes / 2 ** 30).toFixed(1)} GiB, over twice DuckDB's memory limit; aggregating in parts (one more scan, less memory)`);
      tables.set(source.table, await aggregateMessages(db, source, plan, effects.log, strategy));
    } else {
      tables.set(source.table, await loadRows(db, source, plan));
    }
    if (source.table === 'members') {
      // Staff is a property of the ID: any row of members.csv that says so (DATA.md is_staff).
      await db.exec(`CREATE OR REPLACE TABLE staff_ids AS SELECT DISTINCT member_id FROM p_members WHERE is_staff AND member_id IS NOT NULL`);
    }
  }
  return { tables, issues };
}
