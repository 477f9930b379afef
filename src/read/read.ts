/**
 * Step 1, read: every input file into DuckDB in one pass: parsed, typed and checked per row
 * (`p_<table>`: the contract's columns, `__mask` of failed checks, the raw text of failed rows).
 * DuckDB keeps insertion order, so a row's rowid is its record's order in the file.
 *
 * messages.csv, the one file that can hold tens of millions of rows, is not stored: it is
 * aggregated to daily and hourly activity as it is read (events.ts). If that pass finds any
 * bad row, the file is read again the exact way, so the bad rows get their line numbers.
 */
import type { TableName } from '../core/contract.ts';
import { memoryLimitBytes, type Db } from '../db/db.ts';
import type { LoadedTable } from './loaded-table.ts';
import { parsePlan, type ParsePlan } from './row-checks.ts';
import type { QunlensConfig } from '../core/config.ts';
import type { Effects } from '../core/effects.ts';
import { readRejects } from './rejects.ts';
import { reconcile, recordsOf, scanSql, withScan, type DataIssue, type SourceFile } from './source-files.ts';
import { prepareInputs } from './sources.ts';


export interface ReadResult {
  tables: Map<TableName, LoadedTable>;
  issues: DataIssue[];
}

export interface ReadOptions {
  dataDir: string;
  /** scratch folder for UTF-8 copies of GB18030/UTF-16 files */
  workDir: string;
  /** config `files`, `columns` and `sheet` */
  config?: Pick<QunlensConfig, 'files' | 'columns' | 'sheet'>;
}

/**
 * p_<table> from a table's files, one after the other: rowid = record order, file by file
 * (each file's rows from its `firstRow` on, carrying its index as __src).
 */
export async function loadRows(db: Db, table: TableName, sources: SourceFile[], plan: ParsePlan): Promise<LoadedTable> {
  const target = `p_${table}`;
  let stored = 0;
  for (const source of sources) {
    const rejectsTable = `rejects_${table}_${source.index}`;
    const into = source === sources[0] ? `CREATE OR REPLACE TABLE ${target} AS` : `INSERT INTO ${target}`;
    await withScan(db, source, () => db.exec(`${into} ${plan.select(scanSql(source, rejectsTable), source)}`));
    source.rejects = await readRejects(db, rejectsTable);
    const [{ n }] = await db.rows<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM ${target}`);
    source.firstRow = stored;
    source.stored = n - stored;
    stored = n;
    reconcile(source, source.stored + source.rejects.length);
  }
  return { table, sources, plan, rowTable: target, rows: recordsOf(sources) };
}

export async function readInputs(db: Db, effects: Effects, options: ReadOptions): Promise<ReadResult> {
  const tables = new Map<TableName, LoadedTable>();
  // DuckDB loads each table while the next one's files are scanned (preparing 1.4 GB took 2 s of
  // JavaScript before a load began). members before messages: staff must be known when messages
  // are aggregated, so messages, prepared second, is loaded last.
  let loads: Promise<void> = Promise.resolve();
  let messages: SourceFile[] | undefined;
  const load = (table: TableName, files: SourceFile[]) => {
    loads = loads.then(() => loadTable(db, effects, tables, table, files, options.workDir));
    loads.catch(() => undefined); // a failed load is thrown where loads are awaited, not as unhandled meanwhile
  };
  let prepared;
  try {
    prepared = await prepareInputs(db, effects, { ...options, onTable: (table, files) => (table === 'messages' ? (messages = files) : load(table, files)) });
  } catch (error) {
    await loads.catch(() => undefined); // the preparing problem is the one to report
    throw error;
  }
  if (messages) load('messages', messages);
  await loads;
  // in the order of the files' tables, messages last (as they were loaded before loads overlapped)
  const order = [...prepared.sources.keys()].sort((a, b) => Number(a === 'messages') - Number(b === 'messages'));
  return { tables: new Map(order.map((t) => [t, tables.get(t)!])), issues: prepared.issues };
}

async function loadTable(db: Db, effects: Effects, tables: Map<TableName, LoadedTable>, table: TableName, files: SourceFile[], workDir: string): Promise<void> {
  const plan = parsePlan(files[0].spec, files);
  if (table === 'messages' && files.length === 1 && !files[0].columns.has('message_id')) {
    // one messages file is aggregated as it is read; several are stored, so rows two
    // exports share are counted once (validate.ts), as are rows with a message ID (a msgid
    // pulled twice into one archive)
    const [source] = files;
    const { aggregateMessages, dailySlices, messagesStrategy, PARTS_FROM_SLICES } = await import('./events.ts');
    const bytes = (await effects.stat(source.readPath)).size;
    const limit = await memoryLimitBytes(db);
    const strategy = messagesStrategy(bytes, limit);
    const slices = strategy === 'in parts' ? dailySlices(bytes, limit) : 1;
    const how = slices >= PARTS_FROM_SLICES ? `the daily set in ${slices} slices of the groups, from one scan written to Parquet parts` : 'one more scan';
    if (strategy === 'in parts') effects.log.info(`  messages: ${(bytes / 2 ** 30).toFixed(1)} GiB, over twice DuckDB's memory limit; aggregating in parts (${how}, less memory)`);
    const parts = { dir: effects.path.join(workDir, `messages-${source.index}-parts`), rm: (dir: string) => effects.rm(dir) };
    tables.set(table, await aggregateMessages(db, source, plan, effects.log, strategy, slices, parts));
  } else {
    tables.set(table, await loadRows(db, table, files, plan));
  }
  if (table === 'members') {
    // Staff is a property of the ID: any row of members.csv that says so (DATA.md is_staff).
    await db.exec(`CREATE OR REPLACE TABLE staff_ids AS SELECT DISTINCT member_id FROM p_members WHERE is_staff AND member_id IS NOT NULL`);
  }
}
