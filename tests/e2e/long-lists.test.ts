/**
 * The lists that grow with the data are paged: groups (groups/, groups/page-2/, …) and stores
 * (stores/, stores/page-2/, …), 500 a page. A data set of 1,050 groups, each in a store of its
 * own, makes three pages of each: every group and every store is listed exactly once, in both
 * languages, and no page beyond the last exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import { openNativeDb } from '../../src/db/native.ts';
import { generateSample } from '../../src/sample/generate.ts';
import { GROUPS_PAGE_SIZE, STORES_PAGE_SIZE } from '../../src/ui/paths.ts';
import { tempDir } from '../helpers.ts';
import { buildData } from './build-helpers.ts';

const GROUPS = 1050;
let out: string;
let storeNames: string[];
let groupIds: string[];

const csv = (file: string) => Papa.parse<Record<string, string>>(readFileSync(join(out, 'data', file), 'utf8').replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true }).data;
const page = (path: string) => readFileSync(join(out, path, 'index.html'), 'utf8');
const unescape = (s: string) => s.replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&#39;', "'");
/** the row headers of a page's store tables (every store table on it: the figure's on the first page) */
const storesOn = (html: string) => {
  const tables = [...html.matchAll(/<figure[^>]*id="stores"[\s\S]*?<\/figure>|<section id="stores">[\s\S]*?<\/section>/g)].map((m) => m[0]);
  return tables.flatMap((t) => [...t.matchAll(/<th scope="row" class="left">([\s\S]*?)<\/th>/g)].map((m) => unescape(m[1].replace(/<[^>]+>/g, '').trim())));
};

beforeAll(async () => {
  const data = join(tempDir(), 'sample');
  await generateSample({ outDir: data, groups: GROUPS, memberships: 6000, messages: 20_000, orders: 300, defects: false });
  // a store of its own for every group
  const db = await openNativeDb();
  const groups = join(data, 'groups.csv');
  await db.exec(`
    CREATE TABLE g AS SELECT * FROM read_csv('${groups}', all_varchar = true, header = true);
    COPY (SELECT * REPLACE ('S' || lpad(CAST(row_number() OVER (ORDER BY group_id) AS VARCHAR), 4, '0') || ' 门店' AS store) FROM g) TO '${groups}' (HEADER)`);
  await db.close();
  ({ out } = await buildData(data, { render: true }));
  storeNames = csv('store_summary.csv').map((r) => r.store);
  groupIds = csv('groups.csv').map((r) => r.group_id);
}, 600_000);

describe('long lists are paged', () => {
  it('the data makes three pages of each', () => {
    expect(storeNames.length).toBeGreaterThan(2 * STORES_PAGE_SIZE);
    expect(storeNames.length).toBeLessThanOrEqual(3 * STORES_PAGE_SIZE);
    expect(groupIds.length).toBeGreaterThan(2 * GROUPS_PAGE_SIZE);
    expect(groupIds.length).toBeLessThanOrEqual(3 * GROUPS_PAGE_SIZE);
  });

  for (const lang of ['', 'en/']) {
    it(`stores${lang ? ' (English)' : ''}: every store once, in the CSV's order, over stores/, stores/page-2/, stores/page-3/`, () => {
      const pages = ['stores/', 'stores/page-2/', 'stores/page-3/'].map((p) => page(`${lang}${p}`));
      const listed = pages.flatMap(storesOn);
      expect(listed).toEqual(storeNames);
      expect(pages.map((html) => storesOn(html).length)).toEqual([STORES_PAGE_SIZE, STORES_PAGE_SIZE, storeNames.length - 2 * STORES_PAGE_SIZE]);
      expect(existsSync(join(out, `${lang}stores/page-4`))).toBe(false);
      // each page links to the others
      for (const [i, html] of pages.entries()) {
        const links = [...html.matchAll(/<nav class="pager"[\s\S]*?<\/nav>/g)].map((m) => m[0]).join('');
        for (const n of [1, 2, 3].filter((n) => n !== i + 1)) expect(links).toContain(`href="/${lang}stores/${n === 1 ? '' : `page-${n}/`}"`);
      }
      // the charts and the regions are on the first page only
      expect(pages[0]).toContain('id="regions"');
      expect(pages[1]).not.toContain('id="regions"');
    });

    it(`groups${lang ? ' (English)' : ''}: every group once over groups/, groups/page-2/, groups/page-3/`, () => {
      const pages = ['groups/', 'groups/page-2/', 'groups/page-3/'].map((p) => page(`${lang}${p}`));
      const slugs = pages.flatMap((html) => [...html.matchAll(new RegExp(`href="/${lang}groups/([^"/]+)/"`, 'g'))].map((m) => m[1]).filter((s) => !/^page-\d+$/.test(s)));
      expect(slugs.length).toBe(groupIds.length);
      expect(new Set(slugs).size).toBe(groupIds.length);
      for (const slug of slugs) expect(existsSync(join(out, `${lang}groups`, slug, 'index.html'))).toBe(true);
      expect(existsSync(join(out, `${lang}groups/page-4`))).toBe(false);
    });
  }
});
