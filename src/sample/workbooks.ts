/**
 * The sample as operators hold it (`npm run sample -- --format xlsx`): the same seeded facts as
 * the CSV sample, written the way WeCom's console and SCRM tools export them.
 *
 *   客户群列表.xlsx          groups
 *   群成员_YYYY-MM.xlsx      members, one workbook per month of joining; consecutive months
 *                            overlap by a day (the first of the next month is in both)
 *   渠道活码.xlsx            channels
 *   订单.xlsx                orders
 *   打卡记录.xlsx            check-ins
 *   会话存档.jsonl           messages, as the chat archive (会话存档) dumps them
 *
 * Each workbook (written by exceljs, as Excel would: shared strings, styles) has a title row and
 * an "导出时间：…" row above its header, Chinese headers, real date cells, IDs as text cells and
 * amounts, points and codes as numbers. A value the CSV sample holds as a defect (a date that is
 * no date, an ID in scientific notation) stays text, as Excel keeps what it cannot parse.
 *
 * The chat archive: one JSON object per line with msgid, action, from, tolist, roomid, msgtime
 * (UTC milliseconds; every 89th as a string of digits) and msgtype. Besides the messages
 * (action "send" in a room) it holds what a real dump holds and the reader must leave out: recalls
 * (action "recall"), switch records (action "switch", with time and user), one-to-one chats
 * (roomid ""), and re-pulled records (a record repeated, msgid and all).
 *
 * The CSV sample is written first (generate.ts, unchanged) into a scratch folder and turned into
 * these files, so both formats hold the same facts by construction.
 */
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type TableName, tableSpec } from '../core/contract.ts';
import { workbookOptions } from '../read/source-files.ts';
import type { WorkbookSheetOptions } from '../read/workbook.ts';

type Cell = string | number | Date | null;
type ValueKind = 'text' | 'datetime' | 'date' | 'number';

interface SheetColumn {
  /** the CSV sample's column */
  column: string;
  /** the header an export gives it */
  header: string;
  kind: ValueKind;
}

const col = (column: string, header: string, kind: ValueKind = 'text'): SheetColumn => ({ column, header, kind });

/** Each workbook: its file name (members: the prefix of the monthly files), title and columns. */
export const WORKBOOKS = {
  groups: {
    file: '客户群列表.xlsx',
    title: '客户群列表',
    columns: [
      col('group_id', '群ID'), col('name', '群名称'), col('type', '群类型'), col('owner_id', '群主'), col('store', '门店'), col('region', '区域'),
      col('created_at', '创建时间', 'datetime'), col('dissolved_at', '解散时间', 'datetime'),
    ],
  },
  members: {
    file: '群成员',
    title: '客户群成员',
    columns: [
      col('member_id', '客户ID'), col('group_id', '群ID'), col('joined_at', '入群时间', 'datetime'), col('left_at', '退群时间', 'datetime'),
      col('channel', '渠道'), col('state', '渠道活码'), col('join_scene', '入群方式', 'number'), col('inviter_id', '邀请人'), col('is_staff', '成员类型', 'number'),
    ],
  },
  channels: {
    file: '渠道活码.xlsx',
    title: '渠道活码',
    columns: [col('state', '渠道活码'), col('channel', '渠道'), col('store', '门店'), col('staff_id', '员工'), col('material', '物料'), col('remark', '备注')],
  },
  orders: {
    file: '订单.xlsx',
    title: '订单列表',
    columns: [
      col('order_id', '订单号'), col('member_id', '客户ID'), col('group_id', '群ID'), col('ordered_at', '下单时间', 'datetime'),
      col('amount', '实付金额', 'number'), col('refunded', '是否退款'), col('product', '商品名称'),
    ],
  },
  checkins: {
    file: '打卡记录.xlsx',
    title: '打卡记录',
    columns: [col('member_id', '客户ID'), col('group_id', '群ID'), col('date', '打卡日期', 'date'), col('kind', '打卡类型'), col('points', '积分', 'number'), col('team', '小组')],
  },
} as const satisfies Record<string, { file: string; title: string; columns: readonly SheetColumn[] }>;

export const CHAT_ARCHIVE_FILE = '会话存档.jsonl';

/** The zone the CSV sample's wall clocks are in (the configuration's default). */
const SAMPLE_UTC_OFFSET_MS = 8 * 3_600_000;

const DATE_FORMATS: Record<ValueKind, string | undefined> = { datetime: 'yyyy-mm-dd hh:mm:ss', date: 'yyyy-mm-dd', text: undefined, number: undefined };

/** One CSV line (the sample's: no line breaks inside fields) → fields, RFC 4180 quoting, nothing trimmed. */
const csvFields = (line: string): string[] => Papa.parse<string[]>(line, { delimiter: ',' }).data[0] ?? [''];

/** The rows of a CSV as objects keyed by its header. */
async function* csvRows(path: string): AsyncIterable<Record<string, string>> {
  let header: string[] | null = null;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (line === '') continue;
    const fields = csvFields(line);
    if (!header) {
      header = fields;
      continue;
    }
    const row: Record<string, string> = {};
    header.forEach((h, i) => (row[h] = fields[i] ?? ''));
    yield row;
  }
}

/** A wall clock (YYYY-MM-DD[ HH:MM:SS]) as the Date whose UTC fields are it; null if it is no date. */
function wallClock(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d ? date : null;
}

/** A CSV value as the cell an export holds: a date cell, a number, or text when it is neither. */
function cellOf(text: string, kind: ValueKind): Cell {
  if (text === '') return null;
  if (kind === 'datetime' || kind === 'date') return wallClock(text) ?? text;
  if (kind === 'number') {
    const value = Number(text);
    return /^-?\d+(\.\d+)?$/.test(text) && Number.isFinite(value) ? value : text;
  }
  return text;
}

/** A workbook being written: title, 导出时间, header, then rows (exceljs's streaming writer). */
class SheetWriter {
  private readonly workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  private readonly sheet: ExcelJS.Worksheet;
  private readonly columns: readonly SheetColumn[];
  rows = 0;
  constructor(path: string, sheetName: string, title: string, exportedAt: string, columns: readonly SheetColumn[]) {
    this.workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true, useStyles: true });
    this.workbook.creator = 'qunlens sample';
    this.workbook.created = new Date(0);
    this.workbook.modified = new Date(0);
    this.sheet = this.workbook.addWorksheet(sheetName);
    this.columns = columns;
    this.sheet.addRow([title]).commit();
    this.sheet.addRow([`导出时间：${exportedAt}`]).commit();
    this.sheet.addRow(columns.map((c) => c.header)).commit();
  }
  add(row: Record<string, string>): void {
    const added = this.sheet.addRow(this.columns.map((c) => cellOf(row[c.column] ?? '', c.kind)));
    this.columns.forEach((c, i) => {
      const format = DATE_FORMATS[c.kind];
      if (format && added.getCell(i + 1).value instanceof Date) added.getCell(i + 1).numFmt = format;
    });
    added.commit();
    this.rows++;
  }
  async close(): Promise<void> {
    await this.sheet.commit();
    await this.workbook.commit();
  }
}

export interface WorkbookSampleResult {
  files: string[];
  /** rows per table (members: distinct rows, the overlap counted once), as the CSV sample's counts */
  counts: Record<string, number>;
}

/** One table's CSV → one workbook. */
async function oneWorkbook(csvPath: string, outPath: string, table: 'groups' | 'channels' | 'orders' | 'checkins', exportedAt: string): Promise<number> {
  const spec = WORKBOOKS[table];
  const writer = new SheetWriter(outPath, spec.title, spec.title, exportedAt, spec.columns);
  for await (const row of csvRows(csvPath)) writer.add(row);
  await writer.close();
  return writer.rows;
}

/** The first day of the month after YYYY-MM, as YYYY-MM-DD. */
function nextMonthStart(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
}

/**
 * members.csv → 群成员_YYYY-MM.xlsx by the month of joining; a row joined on the first of a month
 * is also in the month before's file (consecutive exports overlap by a day). A row whose
 * joined_at is no date goes into the last month's file.
 */
async function monthlyMembers(csvPath: string, outDir: string, asOf: string): Promise<string[]> {
  const spec = WORKBOOKS.members;
  // the months with joins (a first pass: the rows come by group, not by time)
  const months = new Set<string>();
  for await (const row of csvRows(csvPath)) {
    const joined = wallClock(row.joined_at);
    if (joined) months.add(joined.toISOString().slice(0, 7));
  }
  const last = [...months].sort().at(-1) ?? asOf.slice(0, 7);
  const writers = new Map<string, SheetWriter>();
  const writerFor = (month: string) => {
    let writer = writers.get(month);
    if (!writer) {
      const end = nextMonthStart(month);
      const exportedAt = end > asOf ? `${asOf} 23:30:00` : `${end} 23:59:00`;
      const [y, m] = month.split('-');
      writer = new SheetWriter(join(outDir, `${spec.file}_${month}.xlsx`), `${y}年${Number(m)}月`, `${spec.title}（${y}年${Number(m)}月）`, exportedAt, spec.columns);
      writers.set(month, writer);
    }
    return writer;
  };
  for await (const row of csvRows(csvPath)) {
    const joined = wallClock(row.joined_at);
    if (!joined) {
      writerFor(last).add(row);
      continue;
    }
    const day = joined.toISOString().slice(0, 10);
    writerFor(day.slice(0, 7)).add(row);
    // also in the export of the month before (it ran to the end of this day), when there is one
    const before = new Date(Date.UTC(joined.getUTCFullYear(), joined.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    if (day.endsWith('-01') && months.has(before)) writerFor(before).add(row);
  }
  for (const writer of writers.values()) await writer.close();
  return [...writers.keys()].sort().map((m) => join(outDir, `${spec.file}_${m}.xlsx`));
}

/** A chat-archive msgid, as WeCom writes them (a large number, an underscore, the time). */
function msgid(k: number, msgtime: number): string {
  return `${(BigInt(k + 1) * 11400714819323198485n) % 10n ** 19n}_${msgtime}`;
}

/** messages.csv → 会话存档.jsonl (see the module's comment). */
async function chatArchive(messagesCsv: string, groupsCsv: string, outPath: string): Promise<number> {
  const owners = new Map<string, string>();
  for await (const g of csvRows(groupsCsv)) owners.set(g.group_id, g.owner_id);
  const out: WriteStream = createWriteStream(outPath);
  let buffered = '';
  const write = async (line: string) => {
    buffered += `${line}\n`;
    if (buffered.length >= 1 << 20) {
      const chunk = buffered;
      buffered = '';
      if (!out.write(chunk)) await once(out, 'drain');
    }
  };
  const repulls: { at: number; line: string }[] = [];
  let k = 0;
  let extra = 1 << 30; // msgids of records that are not messages
  for await (const row of csvRows(messagesCsv)) {
    const local = wallClock(row.sent_at);
    const msgtime = local ? local.getTime() - SAMPLE_UTC_OFFSET_MS : NaN;
    const owner = owners.get(row.group_id) ?? '';
    const from = row.member_id;
    const record = {
      msgid: msgid(k, msgtime),
      action: 'send',
      from,
      tolist: owner && owner !== from ? [owner] : [],
      roomid: row.group_id,
      msgtime: k % 89 === 0 ? String(msgtime) : msgtime,
      msgtype: row.msgtype,
    };
    const line = JSON.stringify(record);
    await write(line);
    if (k % 2003 === 1000) repulls.push({ at: k + 150, line }); // pulled again a little later
    while (repulls.length && repulls[0].at <= k) await write(repulls.shift()!.line);
    if (from && k % 997 === 500) {
      await write(JSON.stringify({ msgid: msgid(extra++, msgtime + 30_000), action: 'recall', from, tolist: record.tolist, roomid: row.group_id, msgtime: msgtime + 30_000, msgtype: 'revoke', revoke: { pre_msgid: record.msgid } }));
    }
    if (from && owner && k % 1009 === 700) {
      // a one-to-one chat with the group's owner: no room
      await write(JSON.stringify({ msgid: msgid(extra++, msgtime + 5_000), action: 'send', from, tolist: [owner], roomid: '', msgtime: msgtime + 5_000, msgtype: 'text' }));
    }
    if (owner && k % 4999 === 2500) {
      await write(JSON.stringify({ msgid: msgid(extra++, msgtime), action: 'switch', time: msgtime, user: owner }));
    }
    k++;
  }
  for (const { line } of repulls) await write(line);
  out.end(buffered);
  await once(out, 'finish');
  return k;
}

/**
 * The CSV sample (written by `writeCsv` into a scratch folder) as workbooks and a chat archive
 * in `outDir`; returns the files written and the CSV sample's counts.
 */
export async function writeWorkbookSample(
  outDir: string,
  asOf: string,
  writeCsv: (dir: string) => Promise<{ counts: Record<string, number> }>,
  log: (line: string) => void = () => {},
): Promise<WorkbookSampleResult> {
  const scratch = await mkdtemp(join(outDir, '.sample-csv-'));
  try {
    const { counts } = await writeCsv(scratch);
    const csv = (table: string) => join(scratch, `${table}.csv`);
    const exportedAt = `${asOf} 23:30:00`;
    const files: string[] = [];
    for (const table of ['groups', 'channels', 'orders', 'checkins'] as const) {
      const t0 = Date.now();
      const path = join(outDir, WORKBOOKS[table].file);
      const rows = await oneWorkbook(csv(table), path, table, exportedAt);
      files.push(path);
      log(`sample: ${WORKBOOKS[table].file} ${rows.toLocaleString('en-US')} rows ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    }
    const t1 = Date.now();
    const monthly = await monthlyMembers(csv('members'), outDir, asOf);
    files.push(...monthly);
    log(`sample: ${monthly.length} monthly member workbooks (${WORKBOOKS.members.file}_YYYY-MM.xlsx) ${((Date.now() - t1) / 1000).toFixed(1)}s`);
    const t2 = Date.now();
    const archive = join(outDir, CHAT_ARCHIVE_FILE);
    const messages = await chatArchive(csv('messages'), csv('groups'), archive);
    files.push(archive);
    log(`sample: ${CHAT_ARCHIVE_FILE} ${messages.toLocaleString('en-US')} messages ${((Date.now() - t2) / 1000).toFixed(1)}s`);
    return { files, counts };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** How the build reads a table's workbook (scan.ts workbookOptions), for the bench and tests. */
export function contractSheetOptions(table: TableName): WorkbookSheetOptions {
  return workbookOptions(tableSpec(table));
}

/** The bench's members.csv as one workbook, with the title and 导出时间 rows of an export. */
export async function membersWorkbook(csvPath: string, outPath: string): Promise<number> {
  const spec = WORKBOOKS.members;
  const writer = new SheetWriter(outPath, spec.title, spec.title, '2026-10-31 23:30:00', spec.columns);
  for await (const row of csvRows(csvPath)) writer.add(row);
  await writer.close();
  return writer.rows;
}
