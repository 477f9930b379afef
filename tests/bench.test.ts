import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { benchTable, peakStep, siteStats, type BenchResult } from '../src/bench.ts';
import { thinSteps } from '../src/charts/survival.ts';
import { groupSlug } from '../src/page-data/site-data.ts';
import { tempDir } from './helpers.ts';

describe('siteStats (npm run bench)', () => {
  it('counts a page with the stylesheets and scripts it loads, gzip-compressed', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, '_astro'));
    mkdirSync(join(dir, 'a'));
    const css = 'body { color: red; }\n'.repeat(200);
    const js = 'console.log(1);\n'.repeat(100);
    writeFileSync(join(dir, '_astro', 'x.css'), css);
    writeFileSync(join(dir, '_astro', 'y.js'), js);
    const light = '<html><body>hi</body></html>';
    const heavy = `<html><head><link rel="stylesheet" href="/base/_astro/x.css"><script type="module" src="/base/_astro/y.js"></script><link rel="icon" href="/base/favicon.svg"></head><body>${'text '.repeat(100)}</body></html>`;
    writeFileSync(join(dir, 'index.html'), light);
    writeFileSync(join(dir, 'a', 'index.html'), heavy);
    const stats = await siteStats(dir, '/base/');
    expect(stats.pages).toBe(2);
    expect(stats.files).toBe(4);
    expect(stats.heaviest.page).toBe(join('a', 'index.html'));
    const gz = (s: string) => gzipSync(Buffer.from(s), { level: 6 }).length;
    expect(stats.heaviest.transfer).toBe(gz(heavy) + gz(css) + gz(js));
  });
});

describe('benchTable', () => {
  const result = (floorMs?: number): BenchResult => ({
    date: '2026-11-24',
    machine: 'test',
    scale: 1,
    counts: { groups: 5, memberships: 10, messages: 100, orders: 3, checkins: 7 },
    inputBytes: 2 ** 20,
    baselineMs: 4000,
    floorMs,
    build: { wallMs: 20000, report: { totalMs: 19000, timings: { read: 6000, model: 2000 }, maxRssBytes: 2 ** 30 } },
    rebuild: { wallMs: 500, report: { totalMs: 400, timings: {}, maxRssBytes: 2 ** 28 } },
    site: { bytes: 2 ** 20, files: 3, pages: 2, heaviest: { page: 'index.html', transfer: 2048, html: 4096 } },
    pipelineMs: 8000,
    ratios: { pipeline: 2, build: 5, rebuild: 0.025, floor: floorMs === undefined ? undefined : floorMs / 4000 },
  });
  it('shows the floor next to the baseline, as seconds and a multiple of it', () => {
    const lines = benchTable(result(6000)).split('\n');
    const i = lines.findIndex((l) => l.startsWith('baseline'));
    expect(lines[i]).toMatch(/4\.0 s$/);
    expect(lines[i + 1]).toMatch(/^floor .* 6\.0 s \(1\.50 ×\)$/);
  });
  it('shows every build run when the build ran more than once, the rows being the fastest', () => {
    const table = benchTable({ ...result(6000), buildRuns: [{ wallMs: 23000, pipelineMs: 9000 }, { wallMs: 20000, pipelineMs: 8000 }, { wallMs: 21000, pipelineMs: 8500 }] });
    expect(table).toMatch(/^pipeline +read → outputs \(dist\/data\), the fastest build of 3 \(runs: 9\.0 s, 8\.0 s, 8\.5 s\) +8\.0 s$/m);
    expect(table).toMatch(/^build +whole npm run build, wall clock, the fastest build of 3 \(runs: 23\.0 s, 20\.0 s, 21\.0 s\) +20\.0 s$/m);
    expect(table).toMatch(/^peak memory +build, resident \(with Astro in its own process\), the highest of the runs +1024\.0 MiB$/m);
    expect(benchTable(result(6000))).not.toMatch(/fastest build/);
  });
  it('names the step in which the peak was reached, when the result says', () => {
    expect(benchTable({ ...result(6000), peakStep: 'metrics' })).toMatch(/^peak memory +build, resident \(with Astro in its own process\), reached in metrics +1024\.0 MiB$/m);
    expect(benchTable(result(6000))).not.toMatch(/reached in/);
  });
  it('reads results from before the floor was measured', () => {
    expect(benchTable(result())).not.toMatch(/^floor/m);
  });
  it('shows the members workbook against the same rows as CSV, and the memory of the conversion', () => {
    const withWorkbook: BenchResult = {
      ...result(6000),
      workbook: { rows: 991_717, xlsxBytes: 80 * 2 ** 20, csvReadMs: 1500, csvReadRssBytes: 380 * 2 ** 20, best: { convertMs: 2700, convertRssBytes: 210 * 2 ** 20, readMs: 1500, rows: 991_717 } },
    };
    const lines = benchTable(withWorkbook).split('\n');
    expect(lines.find((l) => l.startsWith('members.csv'))).toMatch(/991,717 rows.* 1\.5 s$/);
    expect(lines.find((l) => l.startsWith('members.xlsx'))).toMatch(/converted 2\.7 s, then read .* 4\.2 s \(2\.80 ×\)$/);
    expect(lines.find((l) => l.startsWith('  memory'))).toMatch(/380\.0 MiB\).* 210\.0 MiB$/);
    expect(benchTable(result())).not.toMatch(/members\.xlsx/);
  });  it('shows what the browser read of the shipped database for Explore and a filter, next to the file', () => {
    const withBrowser: BenchResult = {
      ...result(6000),
      browser: {
        databaseBytes: 45 * 2 ** 20,
        wasmBytes: 33 * 2 ** 20,
        explore: { bytes: 1.5 * 2 ** 20, requests: 8, whole: 0, ms: 2100 },
        filter: { bytes: 6 * 2 ** 20, requests: 30, whole: 1, ms: 3400, region: '华东', runs: [{ bytes: 6 * 2 ** 20, ms: 3400 }, { bytes: 7 * 2 ** 20, ms: 4100 }, { bytes: 5 * 2 ** 20, ms: 3000 }] },
      },
    };
    const lines = benchTable(withBrowser).split('\n');
    expect(lines.find((l) => l.startsWith('browser'))).toMatch(/33\.0 MiB once per reader.* 45\.0 MiB$/);
    expect(lines.find((l) => l.startsWith('  explore'))).toMatch(/8 range requests, 2\.1 s .* 1\.5 MiB$/);
    expect(lines.find((l) => l.startsWith('  filter'))).toMatch(/region 华东.*29 range requests and 1 whole file, 3\.4 s \(median of 3: 3\.0 s–4\.1 s, at most 7\.0 MiB\).* 6\.0 MiB$/);
    expect(benchTable(result())).not.toMatch(/^browser/m);
  });
});

describe('thinSteps', () => {
  it('keeps the last point of each slot, so the level after a slot is right', () => {
    const pts = [0.1, 0.4, 0.9, 1.2, 3.5].map((time, i) => ({ time, survival: 1 - i / 10 }));
    expect(thinSteps(pts, 1)).toEqual([
      { time: 0.9, survival: 0.8 },
      { time: 1.2, survival: 0.7 },
      { time: 3.5, survival: 0.6 },
    ]);
  });
  it('leaves curves already coarser than the slot alone', () => {
    const pts = [1, 2, 3].map((time) => ({ time }));
    expect(thinSteps(pts, 0.5)).toEqual(pts);
  });
});

describe('groupSlug', () => {
  it('never gives a group the path of a group list page or the page shell', () => {
    expect(groupSlug('G0001')).toBe('G0001');
    for (const id of ['page-2', 'qz-shell']) expect(groupSlug(id)).not.toBe(id);
  });
});

describe('peakStep', () => {
  const MiB = 2 ** 20;
  it('is the first step after which the build\'s peak so far was its highest', () => {
    const peaks = { hash: 200 * MiB, read: 1400 * MiB, model: 1500 * MiB, metrics: 1500 * MiB, render: 1500 * MiB };
    expect(peakStep({ peaks, rssWithAstro: 1300 * MiB })).toBe('model');
  });
  it('is render when the build and Astro together were higher than the build alone', () => {
    expect(peakStep({ peaks: { read: 1400 * MiB, render: 1450 * MiB }, rssWithAstro: 1600 * MiB })).toBe('render, with Astro');
  });
  it('is undefined for a report without the peaks (results from before they were kept)', () => {
    expect(peakStep({})).toBeUndefined();
  });
});
