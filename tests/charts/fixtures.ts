/**
 * Hand-made, realistic chart data for the chart tests and the gallery: five channels, seven
 * group types, a 12 × 13 cohort grid with gaps and small cells. A seeded generator keeps the
 * numbers plausible (survival from real Kaplan–Meier fits) and identical on every run.
 */
import { CHANNEL_COLORS, SMALL_SAMPLE_COLOR, TYPE_COLORS } from '../../src/charts/colors.ts';
import { kaplanMeier, wilson } from '../../src/stats/index.ts';
import type { TimeCount } from '../../src/stats/index.ts';
import type { Lang } from '../../src/i18n/index.ts';
import type { SurvivalSeries } from '../../src/charts/index.ts';

/** mulberry32: a tiny seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHANNEL_NAMES: Record<Lang, Record<string, string>> = {
  zh: { guide: '导购', material: '物料', official_account: '公众号', invite: '邀请', other: '其他' },
  en: { guide: 'Store guide', material: 'Printed material', official_account: 'Official account', invite: 'Invitation', other: 'Other' },
};
export const CHANNELS = ['guide', 'material', 'official_account', 'invite', 'other'];
export const channelLabel = (lang: Lang, key: string) => CHANNEL_NAMES[lang][key];

const TYPE_NAMES: Record<Lang, Record<string, string>> = {
  zh: { welfare: '福利群', service: '售后服务群', conversion: '转化群', learning: '学习打卡群', core_user: '核心用户群', interest: '兴趣爱好交流群', industry: '行业交流群' },
  en: { welfare: 'Welfare', service: 'After-sales service', conversion: 'Conversion', learning: 'Learning check-in', core_user: 'Core users', interest: 'Hobby & interest', industry: 'Industry peers' },
};
export const TYPES = Object.keys(TYPE_COLORS);
export const typeLabel = (lang: Lang, key: string) => TYPE_NAMES[lang][key];

/** Member "lifetimes" per channel: exponential with a channel hazard, censored at the study end. */
export function survivalSeries(lang: Lang): SurvivalSeries[] {
  const sizes = [420, 260, 180, 90, 14];
  const medians = [120, 45, 70, 200, 30];
  return CHANNELS.map((key, c) => {
    const rand = rng(11 + c);
    const counts = new Map<number, TimeCount>();
    for (let i = 0; i < sizes[c]; i++) {
      const life = Math.ceil((-Math.log(1 - rand()) * medians[c]) / Math.LN2);
      const follow = Math.ceil(30 + rand() * 175); // joined at different dates
      const time = Math.min(life, follow);
      const at = counts.get(time) ?? { time, events: 0, censored: 0 };
      if (life <= follow) at.events++;
      else at.censored++;
      counts.set(time, at);
    }
    const curve = kaplanMeier([...counts.values()]);
    return {
      key,
      label: channelLabel(lang, key),
      color: CHANNEL_COLORS[key],
      n: curve.n,
      points: curve.points.map((p) => ({ time: p.time, survival: p.survival, lower: p.lower, upper: p.upper })),
    };
  });
}

/** A rate per channel with its Wilson interval; the last channel is a small sample. */
export function channelRates(lang: Lang) {
  const joins = [1830, 960, 610, 240, 12];
  const rates = [0.62, 0.41, 0.53, 0.71, 0.5];
  return CHANNELS.map((key, i) => {
    const n = joins[i];
    const k = Math.round(rates[i] * n);
    const w = wilson(k, n);
    return { key, label: channelLabel(lang, key), color: CHANNEL_COLORS[key], value: k / n, lower: w.lower, upper: w.upper, n, small: n < 30, x: n };
  });
}

/** 12 join-month cohorts × 13 weeks: a triangle of nulls (weeks not reached yet), some small cohorts. */
export function cohortGrid(lang: Lang) {
  const rows = Array.from({ length: 12 }, (_, i) => (lang === 'zh' ? `2025年${i + 1}月` : `${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][i]} 2025`));
  const columns = Array.from({ length: 13 }, (_, j) => (lang === 'zh' ? `第${j}周` : `W${j}`));
  const rand = rng(7);
  const cells: { row: string; column: string; value: number | null; n: number }[] = [];
  rows.forEach((row, i) => {
    const n = i === 3 ? 8 : i === 9 ? 21 : 150 + Math.round(rand() * 300);
    columns.forEach((column, j) => {
      if (j > 12 - Math.max(0, i - 1)) {
        cells.push({ row, column, value: null, n: 0 });
        return;
      }
      const value = j === 0 ? 1 : Math.max(0, Math.min(1, 0.75 * Math.exp(-j / 6) + (rand() - 0.5) * 0.08));
      cells.push({ row, column, value, n });
    });
  });
  return { rows, columns, cells };
}

export function benchmarkRows(lang: Lang) {
  const rand = rng(3);
  return TYPES.map((key, i) => {
    const p50 = 0.18 + rand() * 0.5;
    const p25 = p50 - 0.05 - rand() * 0.12;
    const p75 = p50 + 0.05 + rand() * 0.15;
    return { key, label: typeLabel(lang, key), color: TYPE_COLORS[key], p25: Math.max(0, p25), p50, p75: Math.min(1, p75), marker: i === 2 ? p75 + 0.06 : i === 5 ? p25 - 0.03 : null, markerLabel: i === 2 || i === 5 ? (lang === 'zh' ? '本群' : 'This group') : undefined };
  });
}

export function rhythmCells() {
  const cells: { weekday: number; hour: number; messages: number }[] = [];
  const rand = rng(5);
  for (let weekday = 1; weekday <= 7; weekday++) {
    for (let hour = 0; hour < 24; hour++) {
      const day = Math.exp(-(((hour - 12.5) / 2.5) ** 2)) * 0.8 + Math.exp(-(((hour - 20.5) / 1.8) ** 2));
      const weekend = weekday >= 6 ? 1.4 : 1;
      if (hour >= 2 && hour <= 5 && rand() < 0.5) continue; // missing = no messages
      cells.push({ weekday, hour, messages: Math.round((day * 900 + rand() * 40) * weekend) });
    }
  }
  return cells;
}

export function weeklySeries(lang: Lang) {
  const rand = rng(9);
  return CHANNELS.map((key, c) => ({
    key,
    label: channelLabel(lang, key),
    color: CHANNEL_COLORS[key],
    points: Array.from({ length: 13 }, (_, w) => {
      const base = [0.68, 0.46, 0.55, 0.74, 0.5][c] * Math.exp(-w / [9, 5, 7, 14, 6][c]) + (rand() - 0.5) * 0.03;
      const half = c === 4 ? 0.2 : 0.025 + w * 0.003 + c * 0.008;
      const y = c === 2 && w === 6 ? null : base;
      return { x: w + 1, y, lower: y === null ? null : Math.max(0, base - half), upper: y === null ? null : Math.min(1, base + half), small: c === 4 };
    }),
  }));
}

export function statusBars(lang: Lang) {
  return [
    { key: 'alive', label: lang === 'zh' ? '活跃' : 'Active', color: '#009E73', value: 118 },
    { key: 'zombie', label: lang === 'zh' ? '僵尸群' : 'Silent (zombie)', color: '#D55E00', value: 27 },
    { key: 'dissolved', label: lang === 'zh' ? '已解散' : 'Dissolved', color: SMALL_SAMPLE_COLOR, value: 15 },
  ];
}

export function dailyPoints(days = 240, start = '2025-09-01') {
  const rand = rng(13);
  const t0 = Date.parse(`${start}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) => {
    const date = new Date(t0 + i * 86400000).toISOString().slice(0, 10);
    const weekly = [0.8, 1, 1, 1, 1.05, 1.3, 1.2][i % 7];
    return { date, value: Math.round((60 + 40 * Math.sin(i / 30) + rand() * 25) * weekly) };
  });
}
