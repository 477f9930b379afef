/**
 * Every chart in both languages at both widths (680 desktop/print, 360 phone) on one page, to
 * look at what the library draws:
 *
 *   npx node tests/charts/gallery.ts /tmp/gallery.html [--bench]
 *   chromium --headless --no-sandbox --disable-gpu --screenshot=/tmp/x.png --window-size=1440,2400 file:///tmp/gallery.html
 *
 * Below 700 px the page shows only the phone versions, as the site does. `--bench` prints the
 * average render time per chart over 100 renders; `--only=survival,heatmap` keeps the charts whose
 * names start so (for screenshots of one part).
 */
import { writeFileSync } from 'node:fs';
import type { Lang } from '../../src/i18n/index.ts';
import { barsChart } from '../../src/charts/bars.ts';
import { dailyChart } from '../../src/charts/daily.ts';
import { heatmapChart } from '../../src/charts/heatmap.ts';
import { intervalChart } from '../../src/charts/intervals.ts';
import { linesChart } from '../../src/charts/lines.ts';
import { quantityQualityChart } from '../../src/charts/quantity-quality.ts';
import { rangeChart } from '../../src/charts/ranges.ts';
import { rhythmChart } from '../../src/charts/rhythm.ts';
import { survivalChart } from '../../src/charts/survival.ts';
import { CHANNEL_COLORS, TYPE_COLORS } from '../../src/charts/colors.ts';
import { CHANNELS, TYPES, benchmarkRows, channelLabel, channelRates, cohortGrid, dailyPoints, rhythmCells, statusBars, survivalSeries, typeLabel, weeklySeries, rng } from './fixtures.ts';

type Render = (lang: Lang, width: number) => string;

// Data made once, so --bench times the charts and not the fixtures.
const DATA = Object.fromEntries(
  (['zh', 'en'] as const).map((lang) => [
    lang,
    { survival: survivalSeries(lang), rates: channelRates(lang), cohort: cohortGrid(lang), benchmarks: benchmarkRows(lang), weekly: weeklySeries(lang), status: statusBars(lang) },
  ]),
) as Record<Lang, { survival: ReturnType<typeof survivalSeries>; rates: ReturnType<typeof channelRates>; cohort: ReturnType<typeof cohortGrid>; benchmarks: ReturnType<typeof benchmarkRows>; weekly: ReturnType<typeof weeklySeries>; status: ReturnType<typeof statusBars> }>;
const RHYTHM = rhythmCells();
const DAILY = dailyPoints();
const DAILY_SHORT = dailyPoints(30, '2026-09-25').map((p) => ({ ...p, value: p.value * 140 }));

const L = (lang: Lang, zh: string, en: string) => (lang === 'zh' ? zh : en);

/** The charts as a page would call them, with labels in each language. */
export const CHARTS: { name: string; render: Render }[] = [
  {
    name: 'survival',
    render: (lang, width) =>
      survivalChart({
        lang,
        width,
        ariaLabel: L(lang, '各渠道成员留存（Kaplan–Meier）', 'Member retention by channel (Kaplan–Meier)'),
        xLabel: L(lang, '入群后天数', 'Days since joining'),
        yLabel: L(lang, '仍在群内（%）', 'Still in the group (%)'),
        series: DATA[lang].survival,
        xMax: 180,
        markers: [7, 30, 90],
      }),
  },
  {
    name: 'intervals',
    render: (lang, width) =>
      intervalChart({
        lang,
        width,
        ariaLabel: L(lang, '各渠道 7 日激活率及 95% 置信区间', '7-day activation rate by channel with 95% intervals'),
        xLabel: L(lang, '7日激活率（%）', '7-day activation rate (%)'),
        format: 'percent',
        rows: [...DATA[lang].rates, { key: 'unknown', label: L(lang, '未知渠道（无数据）', 'Unknown channel (no data)'), color: '#5F5F5F', value: null, lower: null, upper: null, n: 0, small: true }],
      }),
  },
  {
    name: 'intervals-money',
    render: (lang, width) =>
      intervalChart({
        lang,
        width,
        ariaLabel: L(lang, '各类型群人均消费', 'Spend per member by group type'),
        xLabel: L(lang, '人均消费（元）', 'Spend per member (¥)'),
        format: 'money',
        rows: TYPES.map((key, i) => {
          const v = [88, 42, 156, 23, 120, 35, 64][i];
          return { key, label: typeLabel(lang, key), color: TYPE_COLORS[key], value: v, lower: v * 0.8, upper: v * 1.25, n: i === 6 ? 12 : 300, small: i === 6 };
        }),
      }),
  },
  {
    name: 'quantity-quality',
    render: (lang, width) =>
      quantityQualityChart({
        lang,
        width,
        ariaLabel: L(lang, '渠道入群人数与 30 日留存', 'Joins and 30-day retention by channel'),
        xLabel: L(lang, '入群人数', 'Joins'),
        yLabel: L(lang, '30日留存（%）', '30-day retention (%)'),
        points: DATA[lang].rates.map((r) => ({ key: r.key, label: r.label, color: r.color, x: r.n, y: r.value, lower: r.lower, upper: r.upper, small: r.small })),
      }),
  },
  {
    name: 'heatmap-cohort',
    render: (lang, width) => {
      const g = DATA[lang].cohort;
      return heatmapChart({
        lang,
        width,
        ariaLabel: L(lang, '按入群月份的周留存', 'Weekly retention by join month'),
        xLabel: L(lang, '入群后周数', 'Weeks since joining'),
        yLabel: L(lang, '入群月份', 'Join month'),
        format: 'percent',
        ...g,
        smallSample: 30,
      });
    },
  },
  {
    name: 'heatmap-types',
    render: (lang, width) => {
      const rand = rng(21);
      const rows = CHANNELS.map((k) => channelLabel(lang, k));
      const columns = TYPES.map((k) => typeLabel(lang, k));
      const cells = rows.flatMap((row, i) => columns.map((column, j) => ({ row, column, value: i === 4 && j === 1 ? null : 0.1 + rand() * 0.7, n: i === 4 ? 9 : 80 + Math.round(rand() * 300) })));
      return heatmapChart({
        lang,
        width,
        ariaLabel: L(lang, '渠道 × 群类型的 30 日留存', '30-day retention by channel and group type'),
        xLabel: L(lang, '群类型', 'Group type'),
        yLabel: L(lang, '渠道', 'Channel'),
        format: 'percent',
        rows,
        columns,
        cells,
        smallSample: 30,
      });
    },
  },
  {
    name: 'ranges',
    render: (lang, width) =>
      rangeChart({
        lang,
        width,
        ariaLabel: L(lang, '各类型群的周活跃占比基准', 'Weekly active share benchmarks by group type'),
        xLabel: L(lang, '周活跃占比（%）', 'Weekly active share (%)'),
        format: 'percent',
        rows: DATA[lang].benchmarks,
      }),
  },
  {
    name: 'rhythm',
    render: (lang, width) =>
      rhythmChart({
        lang,
        width,
        ariaLabel: L(lang, '一周内各时段的发言量', 'Messages by weekday and hour'),
        cells: RHYTHM,
        weekdayLabels: lang === 'zh' ? ['周一', '周二', '周三', '周四', '周五', '周六', '周日'] : ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
        hourLabel: L(lang, '时段（点）', 'Hour of day'),
        messagesLabel: L(lang, '发言数', 'Messages'),
      }),
  },
  {
    name: 'lines',
    render: (lang, width) =>
      linesChart({
        lang,
        width,
        ariaLabel: L(lang, '各渠道的周活跃留存', 'Weekly active retention by channel'),
        xLabel: L(lang, '入群后周数', 'Weeks since joining'),
        yLabel: L(lang, '周活跃留存（%）', 'Weekly active retention (%)'),
        format: 'percent',
        series: DATA[lang].weekly,
      }),
  },
  {
    name: 'lines-few',
    render: (lang, width) =>
      linesChart({
        lang,
        width,
        ariaLabel: L(lang, '各渠道的月度人均发言', 'Messages per member by month and channel'),
        xLabel: L(lang, '入群后月数', 'Months since joining'),
        yLabel: L(lang, '人均发言', 'Messages per member'),
        format: 'number',
        series: DATA[lang].weekly.slice(0, 3).map((s) => ({ ...s, points: s.points.slice(0, 5).map((p) => ({ ...p, y: p.y === null ? null : p.y * 20, lower: p.lower == null ? null : p.lower * 18, upper: p.upper == null ? null : p.upper * 22 })) })),
      }),
  },
  {
    name: 'bars',
    render: (lang, width) =>
      barsChart({
        lang,
        width,
        ariaLabel: L(lang, '各渠道入群人数', 'Joins by channel'),
        xLabel: L(lang, '入群人数', 'Joins'),
        format: 'number',
        rows: DATA[lang].rates.map((r) => ({ key: r.key, label: r.label, color: CHANNEL_COLORS[r.key], value: r.n * 13 })),
      }),
  },
  {
    name: 'bars-status',
    render: (lang, width) =>
      barsChart({
        lang,
        width,
        ariaLabel: L(lang, '按状态的群数', 'Groups by status'),
        xLabel: L(lang, '群数', 'Groups'),
        format: 'number',
        rows: DATA[lang].status,
      }),
  },
  {
    name: 'bars-money',
    render: (lang, width) =>
      barsChart({
        lang,
        width,
        ariaLabel: L(lang, '各类型群的 GMV', 'GMV by group type'),
        xLabel: L(lang, 'GMV（元）', 'GMV (¥)'),
        format: 'money',
        rows: TYPES.map((key, i) => ({ key, label: typeLabel(lang, key), color: TYPE_COLORS[key], value: i === 3 ? null : [182000, 45000, 391000, 0, 88000, 12000, 9500][i] })),
      }),
  },
  {
    name: 'daily',
    render: (lang, width) =>
      dailyChart({
        lang,
        width,
        ariaLabel: L(lang, '每日活跃成员', 'Daily active members'),
        xLabel: L(lang, '日期', 'Date'),
        yLabel: L(lang, '活跃成员（人）', 'Active members'),
        points: DAILY,
        color: CHANNEL_COLORS.guide,
        markers: [
          { date: '2025-11-11', label: L(lang, '双十一', 'Double 11') },
          { date: '2025-11-20', label: L(lang, '群主更换', 'New owner') },
          { date: '2026-01-28', label: L(lang, '春节活动', 'Spring Festival campaign') },
        ],
      }),
  },
  {
    name: 'daily-short',
    render: (lang, width) =>
      dailyChart({
        lang,
        width,
        ariaLabel: L(lang, '每日发言数（近 30 天）', 'Daily messages (last 30 days)'),
        xLabel: L(lang, '日期', 'Date'),
        yLabel: L(lang, '发言数', 'Messages'),
        points: DAILY_SHORT,
        color: CHANNEL_COLORS.official_account,
      }),
  },
];

/** Edge cases worth seeing, not only testing. */
const EDGES: { name: string; render: Render }[] = [
  {
    name: 'survival: one curve to 0, a band of nulls, a single point, an empty series',
    render: (lang, width) =>
      survivalChart({
        lang,
        width,
        ariaLabel: 'edge survival',
        xLabel: L(lang, '天', 'Days'),
        yLabel: L(lang, '留存', 'Retention'),
        series: [
          { key: 'a', label: L(lang, '降到零', 'To zero'), color: CHANNEL_COLORS.guide, n: 5, points: [{ time: 3, survival: 0.8, lower: 0.5, upper: 0.95 }, { time: 10, survival: 0.4, lower: null, upper: null }, { time: 20, survival: 0, lower: null, upper: null }] },
          { key: 'b', label: L(lang, '单点', 'One point'), color: CHANNEL_COLORS.material, n: 1, points: [{ time: 12, survival: 0.5, lower: null, upper: null }] },
          { key: 'c', label: L(lang, '空', 'Empty'), color: CHANNEL_COLORS.invite, n: 0, points: [] },
        ],
        markers: [7, 30],
      }),
  },
  {
    name: 'intervals / bars / ranges: all null, empty',
    render: (lang, width) =>
      intervalChart({ lang, width, ariaLabel: 'edge', xLabel: '%', format: 'percent', rows: [{ key: 'x', label: L(lang, '全部为空', 'All null'), color: '#0072B2', value: null, lower: null, upper: null, n: 0, small: false }] }) +
      barsChart({ lang, width, ariaLabel: 'edge', xLabel: L(lang, '人数', 'People'), format: 'number', rows: [] }) +
      rangeChart({ lang, width, ariaLabel: 'edge', xLabel: '%', format: 'percent', rows: [] }),
  },
  {
    name: 'heatmap all null; lines single point; daily single day',
    render: (lang, width) =>
      heatmapChart({ lang, width, ariaLabel: 'edge', xLabel: 'x', yLabel: 'y', format: 'number', rows: ['a', 'b'], columns: ['1', '2', '3'], cells: [{ row: 'a', column: '1', value: null, n: 0 }] }) +
      linesChart({ lang, width, ariaLabel: 'edge', xLabel: 'x', yLabel: 'y', format: 'percent', series: [{ key: 'a', label: 'A', color: '#0072B2', points: [{ x: 1, y: 0.4, lower: 0.3, upper: 0.5 }] }] }) +
      dailyChart({ lang, width, ariaLabel: 'edge', xLabel: 'x', yLabel: 'y', color: '#009E73', points: [{ date: '2026-10-01', value: 12 }] }),
  },
];

function page(bench: boolean, only: string[] | null): string {
  const css = `
  body { margin: 16px; font-family: "PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif; color: #222; }
  h2 { font-size: 15px; margin: 24px 0 6px; }
  .row { display: flex; gap: 24px; align-items: flex-start; flex-wrap: wrap; }
  .chart { border: 1px dashed #ddd; }
  .w680 { width: 680px; } .w360 { width: 360px; }
  @media (max-width: 700px) { .w680 { display: none; } body { margin: 8px; } .w360 { width: 100%; max-width: 360px; } }`;
  let body = '';
  for (const c of [...CHARTS, ...EDGES]) {
    if (only && !only.some((o) => c.name.startsWith(o))) continue;
    body += `<h2>${c.name}</h2>`;
    for (const lang of ['zh', 'en'] as const) {
      body += `<div class="row"><div class="chart w680">${c.render(lang, 680)}</div><div class="chart w360">${c.render(lang, 360)}</div></div>`;
    }
  }
  if (bench) {
    for (const c of CHARTS) {
      for (let i = 0; i < 10; i++) c.render('zh', 680); // warm up
      const t0 = performance.now();
      for (let i = 0; i < 50; i++) {
        c.render('zh', 680);
        c.render('en', 360);
      }
      console.log(`${c.name.padEnd(18)} ${((performance.now() - t0) / 100).toFixed(2)} ms`);
    }
  }
  return `<!doctype html><html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>qunlens charts</title><style>${css}</style></head><body>${body}</body></html>`;
}

const out = process.argv[2] ?? '/tmp/gallery.html';
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',') ?? null;
writeFileSync(out, page(process.argv.includes('--bench'), only));
console.log(`wrote ${out}`);
