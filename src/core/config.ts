/**
 * Configuration: defaults from the spec, overridable by `qunlens.config.json`.
 * Label maps (Chinese labels → keys) live here so operators can extend them without code.
 */
import { NUMBER_LIMITS, TABLES, type TableName } from './contract.ts';
import type { Effects } from './effects.ts';

export const CHANNEL_KEYS = ['guide', 'material', 'official_account', 'invite', 'other'] as const;
export type ChannelKey = (typeof CHANNEL_KEYS)[number];

export interface Labelled {
  zh: string;
  en: string;
}

export interface TypeInfo extends Labelled {
  description?: string;
  /** Expected lifespan in days; used by the "past its expected lifespan" rule flag. */
  expectedLifespanDays?: number;
}

export interface FlagRules {
  /** 核心用户群 above this many members is flagged (seed 002: keep core groups under 100). */
  coreUserMaxSize: number;
  /** A group silent for this share of silence_days gets the "quiet" flag. */
  quietShareOfSilence: number;
  /** Conversion groups: no counted order in this many days counts as "no conversion push". */
  conversionPushDays: number;
}

export interface QunlensConfig {
  /** IANA zone for timestamps without an offset. */
  timeZone: string;
  /** Days without a message after which a group counts as silent (僵尸群). */
  silenceDays: number;
  /** Report date T (YYYY-MM-DD); inferred from the data when absent. */
  asOf?: string;
  /** Salt for hashing member IDs; never written under the output folder. */
  salt?: string;
  confLevel: number;
  /** Denominators under this are shown as "small sample". */
  smallSample: number;
  /** Weeks 0..maxWeeks-1 of weekly activity retention. */
  maxWeeks: number;
  /** Check-in completion: checked in on at least this share of one's days in the camp. */
  completionShare: number;
  /** Datetimes before this day (YYYY-MM-DD) are rejected as implausible (a typo'd year). */
  earliestDate: string;
  /** An order amount above this (CNY) is kept with a warning: worth an operator's look. */
  orderAmountCeiling: number;
  /** A report's SQL cell running longer than this is interrupted and fails the build. */
  reportCellTimeoutSeconds: number;
  /** More names (or globs: * and ?) of each table's files, besides its own and the contract's Chinese ones (discover.ts). */
  files?: Partial<Record<TableName, string[]>>;
  /** An export's own header → the contract's column, per table: {"orders": {"实付款": "amount"}}. */
  columns?: Partial<Record<TableName, Record<string, string>>>;
  /** Excel workbooks: read the sheet of this name; otherwise the first sheet whose header fits. */
  sheet?: string;
  channels: Record<ChannelKey, Labelled>;
  /** label (any case) → channel key */
  channelLabels: Record<string, ChannelKey>;
  types: Record<string, TypeInfo>;
  /** label → type key */
  typeLabels: Record<string, string>;
  flags: FlagRules;
}

export const DEFAULT_CONFIG: QunlensConfig = {
  timeZone: 'Asia/Shanghai',
  silenceDays: 14,
  confLevel: 0.95,
  smallSample: 30,
  maxWeeks: 13,
  completionShare: 0.8,
  earliestDate: '2000-01-01',
  orderAmountCeiling: 100000,
  reportCellTimeoutSeconds: 60,
  channels: {
    guide: { zh: '导购', en: 'Store guide' },
    material: { zh: '物料', en: 'Printed material' },
    official_account: { zh: '公众号', en: 'Official account' },
    invite: { zh: '邀请', en: 'Friend invite' },
    other: { zh: '其他', en: 'Other' },
  },
  channelLabels: {
    导购: 'guide',
    导购邀请: 'guide',
    门店导购: 'guide',
    门店导购邀请: 'guide',
    店员邀请: 'guide',
    物料: 'material',
    物料二维码: 'material',
    海报: 'material',
    二维码: 'material',
    桌卡: 'material',
    包裹卡: 'material',
    台卡: 'material',
    公众号: 'official_account',
    公众号菜单: 'official_account',
    公众号图文: 'official_account',
    公众号文章: 'official_account',
    邀请: 'invite',
    好友邀请: 'invite',
    老带新: 'invite',
    其他: 'other',
    其它: 'other',
  },
  types: {
    interest: { zh: '兴趣爱好类', en: 'Interest', description: '读书群、绘画交流群等：规模不大，管理较松散', expectedLifespanDays: 180 },
    core_user: { zh: '核心用户群', en: 'Core users', description: '产品反馈群、种子用户群：人数宜在百人之内', expectedLifespanDays: 365 },
    learning: { zh: '技能学习/习惯养成类', en: 'Learning & habits', description: '英语学习群、早起群：每日打卡', expectedLifespanDays: 60 },
    conversion: { zh: '产品转化类', en: 'Conversion', description: '课程试听群、讲座群：生存周期短，强营销', expectedLifespanDays: 21 },
    industry: { zh: '行业交流类', en: 'Industry', description: '职业互推群、创业者社群：交流多，少商业行为', expectedLifespanDays: 365 },
    welfare: { zh: '福利型', en: 'Perks', description: '门店福利群：优惠与团购', expectedLifespanDays: 365 },
    service: { zh: '服务型', en: 'Service', description: '售后服务群', expectedLifespanDays: 365 },
  },
  typeLabels: {
    兴趣群: 'interest',
    兴趣爱好类: 'interest',
    兴趣爱好群: 'interest',
    核心用户群: 'core_user',
    种子用户群: 'core_user',
    产品反馈群: 'core_user',
    技能学习类: 'learning',
    习惯养成类: 'learning',
    '技能学习/习惯养成类': 'learning',
    技能学习: 'learning',
    打卡群: 'learning',
    学习群: 'learning',
    产品转化类: 'conversion',
    转化型: 'conversion',
    转化群: 'conversion',
    课程试听群: 'conversion',
    试听群: 'conversion',
    讲座群: 'conversion',
    行业交流类: 'industry',
    行业群: 'industry',
    行业交流群: 'industry',
    福利型: 'welfare',
    福利群: 'welfare',
    服务型: 'service',
    服务群: 'service',
    售后群: 'service',
  },
  flags: { coreUserMaxSize: 100, quietShareOfSilence: 0.5, conversionPushDays: 7 },
};

export const CONFIG_FILE = 'qunlens.config.json';

/** Keys of config that an operator may set in the JSON file. */
type FileConfig = Partial<Omit<QunlensConfig, 'flags'>> & { flags?: Partial<FlagRules> };

/** Defaults ← config file ← explicit overrides. Label maps and types extend the defaults. */
export function mergeConfig(base: QunlensConfig, override: FileConfig): QunlensConfig {
  return {
    ...base,
    ...override,
    channels: { ...base.channels, ...override.channels },
    channelLabels: { ...base.channelLabels, ...override.channelLabels },
    types: { ...base.types, ...override.types },
    typeLabels: { ...base.typeLabels, ...override.typeLabels },
    flags: { ...base.flags, ...override.flags },
    files: mergeTables(base.files, override.files, (a, b) => [...new Set([...a, ...b])]),
    columns: mergeTables(base.columns, override.columns, (a, b) => ({ ...a, ...b })),
  };
}

/** Per-table settings merged table by table (the later file's entries win). */
function mergeTables<T>(base: Partial<Record<TableName, T>> | undefined, override: Partial<Record<TableName, T>> | undefined, merge: (a: T, b: T) => T): Partial<Record<TableName, T>> | undefined {
  if (!override) return base;
  if (!base) return override;
  const out: Partial<Record<TableName, T>> = { ...base };
  for (const [table, value] of Object.entries(override) as [TableName, T][]) out[table] = out[table] === undefined ? value : merge(out[table]!, value);
  return out;
}

export class ConfigError extends Error {}

/** Check values an operator may get wrong, with a message that says what to fix. */
export function checkConfig(config: QunlensConfig, source: string): QunlensConfig {
  const problems: string[] = [];
  try {
    new Intl.DateTimeFormat('en', { timeZone: config.timeZone });
  } catch {
    problems.push(`timeZone "${config.timeZone}" is not an IANA time zone (e.g. "Asia/Shanghai")`);
  }
  if (!Number.isInteger(config.silenceDays) || config.silenceDays < 1) problems.push(`silenceDays must be a whole number ≥ 1`);
  if (config.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(config.asOf)) problems.push(`asOf must be a date as YYYY-MM-DD, got "${config.asOf}"`);
  if (!(config.confLevel > 0 && config.confLevel < 1)) problems.push(`confLevel must be between 0 and 1`);
  if (!(config.completionShare > 0 && config.completionShare <= 1)) problems.push(`completionShare must be above 0 and at most 1`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(config.earliestDate) || Number.isNaN(Date.parse(`${config.earliestDate}T00:00:00Z`))) {
    problems.push(`earliestDate must be a date as YYYY-MM-DD, got "${config.earliestDate}"`);
  }
  if (!(config.orderAmountCeiling > 0 && config.orderAmountCeiling < NUMBER_LIMITS.amount)) {
    problems.push(`orderAmountCeiling must be a number above 0 and below ${NUMBER_LIMITS.amount} (the largest amount accepted at all)`);
  }
  if (!(config.reportCellTimeoutSeconds > 0)) problems.push(`reportCellTimeoutSeconds must be a number of seconds above 0`);
  const tables = new Map(TABLES.map((t) => [t.name as string, t]));
  for (const [table, names] of Object.entries(config.files ?? {})) {
    if (!tables.has(table)) problems.push(`files["${table}"]: there is no table ${table} (tables: ${[...tables.keys()].join(', ')})`);
    else if (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || !n.trim())) problems.push(`files["${table}"] must be a list of file names or globs, e.g. ["会员*.xlsx"]`);
  }
  for (const [table, map] of Object.entries(config.columns ?? {})) {
    const spec = tables.get(table);
    if (!spec) {
      problems.push(`columns["${table}"]: there is no table ${table} (tables: ${[...tables.keys()].join(', ')})`);
      continue;
    }
    for (const [header, column] of Object.entries(map ?? {})) {
      if (!spec.columns.some((c) => c.name === column)) problems.push(`columns["${table}"]["${header}"] = "${column}" is not a column of ${table} (its columns: ${spec.columns.map((c) => c.name).join(', ')})`);
    }
  }
  if (config.sheet !== undefined && (typeof config.sheet !== 'string' || config.sheet.trim() === '')) problems.push(`sheet must be the name of a sheet in the workbooks, e.g. "Sheet1"`);
  for (const [label, key] of Object.entries(config.channelLabels)) {
    if (!(CHANNEL_KEYS as readonly string[]).includes(key)) problems.push(`channelLabels["${label}"] = "${key}" is not one of ${CHANNEL_KEYS.join(', ')}`);
  }
  if (problems.length) throw new ConfigError(`${source}: ${problems.join('; ')}`);
  return config;
}

async function readConfigFile(effects: Effects, file: string): Promise<FileConfig> {
  try {
    return JSON.parse(await effects.readText(file)) as FileConfig;
  } catch (error) {
    throw new ConfigError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

export interface ConfigPlaces {
  /** `--config FILE`: the configuration to read instead of the project's qunlens.config.json */
  file?: string;
  /** the data folder: its own qunlens.config.json, if any, is merged over the project's (it wins), so each data source carries its own mapping */
  dataDir?: string;
}

/**
 * The configuration: defaults ← the project's `qunlens.config.json` in `dir` (or `--config`
 * FILE) ← the data folder's own `qunlens.config.json` ← explicit overrides.
 */
export async function loadConfig(effects: Effects, dir: string, overrides: FileConfig = {}, places: ConfigPlaces = {}): Promise<QunlensConfig> {
  const project = places.file ?? effects.path.join(dir, CONFIG_FILE);
  if (places.file && !(await effects.exists(places.file))) throw new ConfigError(`--config ${places.file}: no such file`);
  const files: string[] = [];
  let config = DEFAULT_CONFIG;
  if (await effects.exists(project)) {
    config = mergeConfig(config, await readConfigFile(effects, project));
    files.push(project);
  }
  const own = places.dataDir ? effects.path.join(places.dataDir, CONFIG_FILE) : null;
  if (own && effects.path.resolve(own) !== effects.path.resolve(project) && (await effects.exists(own))) {
    config = mergeConfig(config, await readConfigFile(effects, own));
    files.push(own);
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as FileConfig;
  return checkConfig(mergeConfig(config, defined), files.join(' + ') || project);
}

/** Lookup key for labels: NFKC, trimmed, lower case, inner spaces removed. */
export function labelKey(label: string): string {
  return label.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, '');
}
