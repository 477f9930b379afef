/**
 * What the pages read: one JSON document prepared by the pipeline (pages never recompute a
 * number). Written to the work folder, not published.
 */
import type { QunlensConfig } from '../config.ts';
import type { MetricsResult } from '../metrics/index.ts';
import type { ChannelSummary, LifespanSummary } from '../metrics/summaries.ts';
import type { Model } from '../pipeline/model.ts';
import type { FileQuality } from '../pipeline/validate.ts';
import type { LogRankResult } from '../stats/index.ts';

export interface SiteData {
  meta: {
    asOf: string;
    asOfSource: 'option' | 'data';
    builtAt: string;
    timeZone: string;
    silenceDays: number;
    confLevel: number;
    smallSample: number;
    activitySource: 'messages' | 'activity' | null;
    hasOrders: boolean;
  };
  counts: MetricsResult['counts'] & { unattributed: number };
  channelLabels: Record<string, { zh: string; en: string }>;
  typeLabels: Record<string, { zh: string; en: string }>;
  channels: ChannelSummary[];
  lifespans: LifespanSummary[];
  logRank: LogRankResult | null;
  quality: { files: FileQuality[]; errors: number; warnings: number; issues: Record<string, unknown>[] };
}

export function siteData(input: {
  config: QunlensConfig;
  model: Model;
  metrics: MetricsResult;
  files: FileQuality[];
  builtAt: string;
  dataQuality: Record<string, unknown>[];
}): SiteData {
  const { config, model, metrics } = input;
  const typeLabels: SiteData['typeLabels'] = {};
  for (const l of metrics.lifespans) {
    const known = config.types[l.groupType];
    typeLabels[l.groupType] = known ? { zh: known.zh, en: known.en } : { zh: l.groupType, en: l.groupType };
  }
  return {
    meta: {
      asOf: model.asOf,
      asOfSource: model.asOfSource,
      builtAt: input.builtAt,
      timeZone: config.timeZone,
      silenceDays: config.silenceDays,
      confLevel: config.confLevel,
      smallSample: config.smallSample,
      activitySource: model.activitySource,
      hasOrders: model.hasOrders,
    },
    counts: { ...metrics.counts, unattributed: model.counts.unattributed },
    channelLabels: config.channels,
    typeLabels,
    channels: metrics.channels,
    lifespans: metrics.lifespans,
    logRank: metrics.logRank,
    quality: {
      files: input.files,
      errors: input.files.reduce((s, f) => s + f.rowsRejected, 0),
      warnings: input.files.reduce((s, f) => s + f.warnings, 0),
      issues: input.dataQuality,
    },
  };
}

/** For pages: read the document the build prepared (path in QUNLENS_SITE_DATA). */
export async function loadSiteData(): Promise<SiteData> {
  const file = process.env.QUNLENS_SITE_DATA;
  if (!file) throw new Error('QUNLENS_SITE_DATA is not set: build the site with `npm run build`, which prepares the data first');
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(file, 'utf8')) as SiteData;
}
