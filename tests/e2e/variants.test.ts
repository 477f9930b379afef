/**
 * The same facts in the shapes operators really send must give identical numbers:
 * GB18030 with Chinese headers and labels, CRLF, slash / 年月日 / offset / epoch dates and
 * full-width digits; activity.csv in place of messages.csv; Parquet files.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../../src/core/contract.ts';
import { openNativeDb } from '../../src/db/native.ts';
import { sqlString } from '../../src/db/db.ts';
import { copyFixture, encodeGb18030, FIXTURES, parseCsv, toCsv } from '../helpers.ts';
import { buildData } from './build-helpers.ts';

const METRIC_FILES = [
  'channel_summary.csv',
  'membership_survival.csv',
  'activity_retention.csv',
  'cohort_retention.csv',
  'group_survival.csv',
  'lifespan_summary.csv',
  'lifespan_logrank.csv',
  'type_benchmarks.csv',
  'groups.csv',
];

const DATETIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Rewrite one datetime in one of the accepted formats, chosen by row so all of them appear. */
function reformat(value: string, row: number): string {
  const m = DATETIME.exec(value);
  if (!m) return value;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  switch (row % 5) {
    case 0:
      return `${y}/${mo}/${d} ${h}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
    case 1:
      return `${y}年${mo}月${d}日 ${h}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
    case 2: // the same instant written in UTC
      return new Date(Date.UTC(y, mo - 1, d, h - 8, mi, s)).toISOString().replace('.000Z', 'Z');
    case 3: // epoch milliseconds
      return String(Date.UTC(y, mo - 1, d, h - 8, mi, s));
    default:
      return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}+08:00`;
  }
}

const FULL_WIDTH = (s: string) => s.replace(/[0-9.]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/** GB18030, Chinese headers (first Chinese alias of each column), CRLF, mixed dates. */
function chineseExport(dir: string): void {
  for (const spec of TABLES) {
    const path = join(dir, `${spec.name}.csv`);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    const [header, ...rows] = parseCsv(text);
    const chineseHeader = header.map((h) => {
      const column = spec.columns.find((c) => c.name === h)!;
      return column.aliases.find((a) => /[\u4e00-\u9fff]/.test(a)) ?? h;
    });
    const body = rows.map((r, i) =>
      r.map((v, j) => {
        const column = spec.columns.find((c) => c.name === header[j])!;
        if (column.kind === 'datetime') return reformat(v, i + j);
        if (column.kind === 'amount') return FULL_WIDTH(v);
        if (column.name === 'refunded') return v === '否' ? '0' : '1';
        if (column.name === 'is_staff') return v === '1' ? '企业成员' : '外部联系人';
        return v;
      }),
    );
    writeFileSync(path, encodeGb18030(toCsv([chineseHeader, ...body], '\r\n')));
  }
}

/** messages.csv → activity.csv: one row per local date, group and member. */
function toActivity(dir: string): void {
  const [header, ...rows] = parseCsv(readFileSync(join(dir, 'messages.csv'), 'utf8'));
  const at = (name: string) => header.indexOf(name);
  const counts = new Map<string, number>();
  for (const r of rows) {
    const key = [r[at('sent_at')].slice(0, 10), r[at('group_id')], r[at('member_id')]].join(',');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  writeFileSync(join(dir, 'activity.csv'), toCsv([['date', 'group_id', 'member_id', 'messages'], ...[...counts].map(([k, n]) => [...k.split(','), String(n)])]));
  rmSync(join(dir, 'messages.csv'));
}

async function toParquet(dir: string): Promise<void> {
  const db = await openNativeDb();
  for (const spec of TABLES) {
    const csv = join(dir, `${spec.name}.csv`);
    try {
      readFileSync(csv);
    } catch {
      continue;
    }
    await db.exec(`COPY (SELECT * FROM read_csv(${sqlString(csv)}, header = true)) TO ${sqlString(join(dir, `${spec.name}.parquet`))} (FORMAT parquet)`);
  }
  await db.close();
  for (const spec of TABLES) rmSync(join(dir, `${spec.name}.csv`), { force: true });
}

let reference: string;
beforeAll(async () => {
  ({ data: reference } = await buildData(join(FIXTURES, 'hand')));
});

function expectSameMetrics(data: string): void {
  for (const file of METRIC_FILES) {
    expect(readFileSync(join(data, file), 'utf8'), file).toBe(readFileSync(join(reference, file), 'utf8'));
  }
}

describe('the same facts in other shapes give identical metrics', () => {
  it('GB18030, Chinese headers, CRLF, slash/年月日/offset/epoch dates, full-width digits', async () => {
    const dir = copyFixture('hand');
    chineseExport(dir);
    const { data, result } = await buildData(dir);
    expect(result.validation.files.find((f) => f.file === 'members.csv')?.encoding).toBe('gb18030');
    expect(result.validation.files.reduce((s, f) => s + f.rowsRejected, 0)).toBe(0);
    expectSameMetrics(data);
  });

  it('activity.csv in place of messages.csv', async () => {
    const dir = copyFixture('hand');
    toActivity(dir);
    const { data, result } = await buildData(dir);
    expect(result.model.activitySource).toBe('activity');
    expectSameMetrics(data);
  });

  it('Parquet files of the same tables', async () => {
    const dir = copyFixture('hand');
    await toParquet(dir);
    const { data } = await buildData(dir);
    expectSameMetrics(data);
  });
});
