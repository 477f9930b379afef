/**
 * The Overview's findings: the largest honest differences in the data, each with the test that
 * says whether it is more than noise. A difference is called significant only when its test
 * gives p < 0.05; small samples never produce a finding, judged by one rule (largeEnough) as
 * the pages' small-sample grey judges them. Pages word them in each language.
 */
import type { QunlensConfig } from '../core/config.ts';
import type { Db } from '../db/db.ts';
import { logRank, twoProportionTest } from '../stats/index.ts';
import { survivalCounts, type ChannelSummary, type LifespanSummary, type Rate } from './summaries.ts';

export const SIGNIFICANCE = 0.05;

export interface ChannelGap {
  kind: 'retention_d30' | 'conversion_30d' | 'activation_rate';
  best: string;
  worst: string;
  bestValue: number;
  worstValue: number;
  /** the n each value rests on (a rate's denominator; for S(30), the members at risk at day 30) */
  bestN: number;
  worstN: number;
  /** test p-value; null when the test is undefined */
  p: number | null;
  test: 'log-rank' | 'two-proportion';
  significant: boolean;
}

export interface LifespanGap {
  kind: 'lifespan';
  shortest: string;
  shortestMedian: number;
  /** the longest-lived type; its median is null when more than half its groups still live */
  longest: string;
  longestMedian: number | null;
  p: number | null;
  significant: boolean;
}

export interface ZombieFinding {
  kind: 'zombies';
  zombies: number;
  /** among groups not dissolved */
  share: number;
  worstType: string | null;
  worstTypeZombies: number;
}

export type Finding = ChannelGap | LifespanGap | ZombieFinding;

/**
 * The one rule for small samples: a figure resting on fewer than `smallSample` never makes a
 * finding. What it rests on: a rate, its denominator; a Kaplan–Meier S(30), the members still
 * at risk at day 30 (not the joins: many recent joins leave few members behind S(30)); a median
 * lifespan, the groups of its type; the zombie share, the groups not dissolved.
 */
export function largeEnough(config: Pick<QunlensConfig, 'smallSample'>, n: number): boolean {
  return n >= config.smallSample;
}

function rateGap(config: QunlensConfig, kind: ChannelGap['kind'], channels: ChannelSummary[], pick: (c: ChannelSummary) => Rate): ChannelGap | null {
  const usable = channels.filter((c) => c.channel !== 'other' && pick(c).rate !== null && largeEnough(config, pick(c).n));
  if (usable.length < 2) return null;
  const sorted = [...usable].sort((a, b) => pick(b).rate! - pick(a).rate!);
  const best = sorted[0];
  const worst = sorted[sorted.length - 1];
  const b = pick(best);
  const w = pick(worst);
  const test = twoProportionTest(b.x, b.n, w.x, w.n);
  return {
    kind,
    best: best.channel,
    worst: worst.channel,
    bestValue: b.rate!,
    worstValue: w.rate!,
    bestN: b.n,
    worstN: w.n,
    p: test?.p ?? null,
    test: 'two-proportion',
    significant: test !== null && test.p < SIGNIFICANCE,
  };
}

export async function findings(
  db: Db,
  config: QunlensConfig,
  channels: ChannelSummary[],
  lifespans: LifespanSummary[],
  lifespanP: number | null,
  inputs: { hasActivity: boolean; hasOrders: boolean },
): Promise<Finding[]> {
  const found: Finding[] = [];

  // Retention: the channels with the highest and lowest S(30), compared by log-rank
  const retained = channels.filter((c) => c.channel !== 'other' && c.retention.d30.value !== null && largeEnough(config, c.retention.d30.atRisk));
  if (retained.length >= 2) {
    const sorted = [...retained].sort((a, b) => b.retention.d30.value! - a.retention.d30.value!);
    const best = sorted[0];
    const worst = sorted[sorted.length - 1];
    const counts = await survivalCounts(db, 'f_memberships', 'channel', 'tenure_days', 'left_by_asof');
    const test = logRank([
      { key: best.channel, counts: counts.get(best.channel) ?? [] },
      { key: worst.channel, counts: counts.get(worst.channel) ?? [] },
    ]);
    const p = test.df > 0 ? test.p : null;
    found.push({
      kind: 'retention_d30',
      best: best.channel,
      worst: worst.channel,
      bestValue: best.retention.d30.value!,
      worstValue: worst.retention.d30.value!,
      bestN: best.retention.d30.atRisk,
      worstN: worst.retention.d30.atRisk,
      p,
      test: 'log-rank',
      significant: p !== null && p < SIGNIFICANCE,
    });
  }
  if (inputs.hasOrders) {
    const gap = rateGap(config, 'conversion_30d', channels, (c) => c.conversion30d);
    if (gap) found.push(gap);
  }
  if (inputs.hasActivity) {
    const gap = rateGap(config, 'activation_rate', channels, (c) => c.activation);
    if (gap) found.push(gap);
  }

  // Lifespans: the shortest-lived type against the longest-lived, log-rank across all types
  const withMedian = lifespans.filter((l) => largeEnough(config, l.groups));
  const dying = withMedian.filter((l) => l.median !== null).sort((a, b) => a.median! - b.median!);
  if (dying.length >= 1 && withMedian.length >= 2) {
    const shortest = dying[0];
    // the longest-lived: a type whose median is not reached yet beats any finite median
    const longest = [...withMedian].filter((l) => l !== shortest).sort((a, b) => (b.median ?? Infinity) - (a.median ?? Infinity))[0];
    found.push({
      kind: 'lifespan',
      shortest: shortest.groupType,
      shortestMedian: shortest.median!,
      longest: longest.groupType,
      longestMedian: longest.median,
      p: lifespanP,
      significant: lifespanP !== null && lifespanP < SIGNIFICANCE,
    });
  }

  if (inputs.hasActivity) {
    const [z] = await db.rows<{ zombies: number; living: number; worst_type: string | null; worst_n: number | null }>(`
      SELECT count(*) FILTER (WHERE status = 'zombie')::INTEGER AS zombies,
        count(*) FILTER (WHERE status <> 'dissolved')::INTEGER AS living,
        (SELECT group_type FROM f_groups WHERE status = 'zombie' GROUP BY ALL ORDER BY count(*) DESC, group_type LIMIT 1) AS worst_type,
        (SELECT count(*) FROM f_groups WHERE status = 'zombie' GROUP BY group_type ORDER BY count(*) DESC, group_type LIMIT 1)::INTEGER AS worst_n
      FROM f_groups`);
    if (z.living > 0 && largeEnough(config, z.living)) found.push({ kind: 'zombies', zombies: z.zombies, share: z.zombies / z.living, worstType: z.worst_type, worstTypeZombies: z.worst_n ?? 0 });
  }

  // Significant differences first, then by size of the gap
  const weight = (f: Finding) => (f.kind === 'zombies' ? 0.5 : f.significant ? 1 : 0);
  return found.sort((a, b) => weight(b) - weight(a));
}
