/**
 * The knobs behind the sample data's patterns. Every number here is a shape parameter, not a
 * measurement: it is set so that the report shows what the seed articles describe
 * (/work/shared/seeds: 002 group types, 003 channels, 000/001 what keeps groups alive),
 * clearly but with noise. Totals are scaled to the requested sizes afterwards, so only the
 * ratios between kinds and channels matter.
 */

export type ChannelKey = 'guide' | 'material' | 'official_account' | 'invite';
export type RhythmKey = 'welfare' | 'service' | 'conversion' | 'learning' | 'core' | 'interest' | 'industry' | 'orders';

/** Channel order used everywhere (index = channel id in SQL). */
export const CHANNELS: readonly ChannelKey[] = ['guide', 'material', 'official_account', 'invite'];

export interface ChannelProfile {
  key: ChannelKey;
  /** Labels operators write for this channel (one per "label style" of a group's owner). */
  labels: [string, string, string];
  /**
   * Tenure is a mixture: a share `stay` of joiners mean to stay (they leave slowly, mean
   * STAYER_DAYS); the others leave after an exponential time of mean `leaveDays`. Both are
   * scaled by the kind (KindProfile.stay, .tenure).
   */
  stay: number;
  leaveDays: number;
  /** Relative message rate at joining, and how fast it decays (factor on the kind's tau). */
  talk: number;
  talkDecay: number;
  /** Share of members who never post (潜水). */
  lurk: number;
  /** Relative propensity to order, and factor on the delay to the first order. */
  buy: number;
  buyDelay: number;
}

/**
 * Seed 003: guide (导购) and material (物料) joiners come for a clear benefit and stay; official
 * account (公众号) brings the most joiners but the loosest ones; friend invites (邀请) are lively
 * at first and convert only "in a clear scene". `stay` and `leaveDays` were calibrated (with the
 * kinds' factors and channel mixes) so that Kaplan–Meier 30-day membership retention lands near
 * guide 75%, material 70%, invite 60%, official 50% overall (checked at 16 k and 1 M memberships).
 */
export const CHANNEL_PROFILES: readonly ChannelProfile[] = [
  { key: 'guide', labels: ['导购', '门店导购', '导购邀请'], stay: 0.62, leaveDays: 30, talk: 1.0, talkDecay: 1.0, lurk: 0.3, buy: 1.7, buyDelay: 0.6 },
  { key: 'material', labels: ['物料', '海报', '物料二维码'], stay: 0.6, leaveDays: 30, talk: 1.1, talkDecay: 1.0, lurk: 0.25, buy: 1.5, buyDelay: 0.7 },
  { key: 'official_account', labels: ['公众号', '公众号菜单', '公众号图文'], stay: 0.45, leaveDays: 22, talk: 0.55, talkDecay: 0.7, lurk: 0.5, buy: 0.6, buyDelay: 1.3 },
  { key: 'invite', labels: ['邀请', '好友邀请', '老带新'], stay: 0.52, leaveDays: 25, talk: 1.6, talkDecay: 0.45, lurk: 0.2, buy: 0.85, buyDelay: 1.0 },
];

/** Mean tenure of those who mean to stay: the slow leak of muted members. */
export const STAYER_DAYS = 700;

/** Message types in the WeCom archive's vocabulary (msgtype), in code order. */
export const MSG_TYPES = ['text', 'image', 'emotion', 'voice', 'video', 'link', 'miniprogram', 'file'] as const;
type MsgMix = Readonly<Partial<Record<(typeof MSG_TYPES)[number], number>>>;

const CHAT: MsgMix = { text: 0.72, image: 0.12, emotion: 0.08, voice: 0.03, video: 0.02, link: 0.015, miniprogram: 0.01, file: 0.005 };
const CHECKIN: MsgMix = { text: 0.55, image: 0.3, voice: 0.08, emotion: 0.05, file: 0.02 };
const PROMO: MsgMix = { text: 0.2, image: 0.25, link: 0.3, miniprogram: 0.25 };
const NOTICE: MsgMix = { text: 0.6, image: 0.25, link: 0.1, file: 0.05 };

/**
 * Check-ins (checkins.csv) of a learning kind. The daily chance that a membership checks in is
 * a logistic of: the group's level (`base` + execution + a normal spread `groupSd` between
 * groups), the member's diligence (normal, `memberSd`), how long the membership lasts (those who
 * leave soon check in little, and less as they drift away), a decay over the membership's days
 * (`decay` logits lost in total, reached over about `decayDays`), and weekends (`weekend`).
 */
export interface CheckinProfile {
  base: number;
  groupSd: number;
  memberSd: number;
  decay: number;
  decayDays: number;
  weekend: number;
  /** Share of days the group sets homework (作业), and the chance a member who checked in hands it in. */
  homeworkDays: number;
  homework: number;
  /** Teams per group (inclusive range), or null: no teams. */
  teams: readonly [number, number] | null;
}

export interface Product {
  name: string;
  price: number;
  weight: number;
}

/**
 * A kind is one way groups are run: a type label plus whether it belongs to a store and how it
 * lives (ongoing, a campaign of a few weeks, a camp with a fixed length).
 */
export interface KindProfile {
  key: string;
  /** The DATA.md type key and the labels operators write, with weights. */
  type: 'interest' | 'core_user' | 'learning' | 'conversion' | 'industry' | 'welfare' | 'service';
  labels: readonly (readonly [string, number])[];
  /** Share of all groups. */
  share: number;
  store: boolean;
  /** Group names; `{store}` is the store's short name, `{n}` a running number (`{n?}`: none for the first). */
  names: readonly string[];
  /** Customers at the same time (slots). 198 + owner + assistant = WeCom's 200 (seed 001). */
  cap: number;
  /** Relative memberships per group, and the share of them that are first occupants of a slot. */
  weight: number;
  occupancy: number;
  /** Days over which slots fill (exponential growth toward the plateau). */
  growthDays: number;
  /** Mean days before a freed slot is taken again. */
  refillDays: number;
  /** Factors on the channel's share of stayers and on both tenure means. */
  stay: number;
  tenure: number;
  lifecycle: 'ongoing' | 'campaign' | 'camp';
  /** campaign/camp: days from creation to the last activity. */
  runDays: readonly [number, number];
  /** Days over which new members may join after creation (campaign/camp). */
  enrolDays: number;
  /** Creation date skew: created = asOf - 364 * u^createdSkew days (below 1: older groups). */
  createdSkew: number;
  zombie: number;
  dissolve: number;
  /** Channel mix, in CHANNELS order. */
  channels: readonly [number, number, number, number];
  /** Messages per member-day at joining (relative), decay time in days, weekday/weekend weight. */
  talk: number;
  tauDays: number;
  weekday: number;
  weekend: number;
  rhythm: RhythmKey;
  /** Staff posts: minute of day and probability per day (before the store's execution). */
  posts: readonly (readonly [number, number])[];
  chat: MsgMix;
  staffChat: MsgMix;
  /** Order propensity, chance of each further order, mean days to the first order. */
  buy: number;
  repeat: number;
  orderDelayDays: number;
  refund: number;
  products: readonly Product[];
  /** Learning kinds only: members check in daily (checkins.csv). */
  checkins?: CheckinProfile;
}

const at = (h: number, m = 0) => h * 60 + m;

const WELFARE_PRODUCTS: Product[] = [
  { name: '咖啡周卡', price: 39.9, weight: 3 },
  { name: '面膜10片装', price: 69.9, weight: 2 },
  { name: '洗护组合装', price: 89.9, weight: 2 },
  { name: '福利套装', price: 129, weight: 3 },
  { name: '会员年卡', price: 199, weight: 1 },
  { name: '新品精华液', price: 299, weight: 1.5 },
  { name: '定制礼盒', price: 599, weight: 0.5 },
];

export const KIND_PROFILES: readonly KindProfile[] = [
  {
    // Seed 002 福利型: discounts draw people in, several purchases inside the group; 4 waves a day.
    key: 'welfare_store', type: 'welfare', labels: [['福利型', 1]], share: 0.27, store: true,
    names: ['{store}福利群{n}'], cap: 198, weight: 5, occupancy: 0.65, growthDays: 45, refillDays: 8,
    stay: 1.05, tenure: 1.0, lifecycle: 'ongoing', runDays: [0, 0], enrolDays: 0, createdSkew: 0.7, zombie: 0.12, dissolve: 0.03,
    channels: [0.36, 0.27, 0.22, 0.15], talk: 0.3, tauDays: 90, weekday: 0.8, weekend: 1, rhythm: 'welfare',
    posts: [[at(9, 58), 0.6], [at(12), 0.35], [at(15), 0.25], [at(19, 58), 0.7]], chat: CHAT, staffChat: PROMO,
    buy: 0.35, repeat: 0.45, orderDelayDays: 14, refund: 0.06, products: WELFARE_PRODUCTS,
  },
  {
    // 服务型: member service, little selling; quiet but long-lived.
    key: 'service_store', type: 'service', labels: [['服务型', 1]], share: 0.1, store: true,
    names: ['{store}会员服务群{n?}'], cap: 198, weight: 2.8, occupancy: 0.7, growthDays: 60, refillDays: 12,
    stay: 1.1, tenure: 1.2, lifecycle: 'ongoing', runDays: [0, 0], enrolDays: 0, createdSkew: 0.7, zombie: 0.18, dissolve: 0.03,
    channels: [0.4, 0.25, 0.2, 0.15], talk: 0.14, tauDays: 120, weekday: 0.9, weekend: 1, rhythm: 'service',
    posts: [[at(10, 30), 0.3]], chat: CHAT, staffChat: NOTICE,
    buy: 0.2, repeat: 0.35, orderDelayDays: 25, refund: 0.04,
    products: [
      { name: '延保服务', price: 99, weight: 2 },
      { name: '会员年卡', price: 199, weight: 2 },
      { name: '深度护理套餐', price: 399, weight: 1 },
      { name: '定制礼盒', price: 599, weight: 0.5 },
    ],
  },
  {
    key: 'welfare_online', type: 'welfare', labels: [['福利型', 1]], share: 0.05, store: false,
    names: ['官方福利群{n}', '宠粉福利群{n}', '每日好价群{n}'], cap: 198, weight: 3, occupancy: 0.7, growthDays: 30, refillDays: 6,
    stay: 0.95, tenure: 0.9, lifecycle: 'ongoing', runDays: [0, 0], enrolDays: 0, createdSkew: 0.85, zombie: 0.15, dissolve: 0.04,
    channels: [0, 0.25, 0.5, 0.25], talk: 0.22, tauDays: 60, weekday: 0.85, weekend: 1, rhythm: 'welfare',
    posts: [[at(10), 0.6], [at(20), 0.6]], chat: CHAT, staffChat: PROMO,
    buy: 0.3, repeat: 0.4, orderDelayDays: 14, refund: 0.06, products: WELFARE_PRODUCTS,
  },
  {
    // Seed 002 产品转化类: gathered for one trial class, silent once it ends, strong selling:
    // messages stop 1–4 weeks after creation, orders burst around days 3–10.
    key: 'conversion', type: 'conversion', labels: [['产品转化类', 0.6], ['课程试听群', 0.25], ['转化型', 0.15]], share: 0.18, store: false,
    names: ['9元5节体验课试听群{n}', '英语试听课{n}群', '少儿美术体验课{n}群', '直播讲座群{n}', 'Python入门试听群{n}'],
    cap: 198, weight: 1.2, occupancy: 0.97, growthDays: 1, refillDays: 2,
    stay: 0.45, tenure: 0.7, lifecycle: 'campaign', runDays: [7, 28], enrolDays: 5, createdSkew: 1, zombie: 0, dissolve: 0.45,
    channels: [0.03, 0.12, 0.6, 0.25], talk: 0.8, tauDays: 10, weekday: 1, weekend: 0.8, rhythm: 'conversion',
    posts: [[at(19, 30), 0.9], [at(21, 10), 0.7]], chat: CHAT, staffChat: PROMO,
    buy: 0.5, repeat: 0.08, orderDelayDays: 5, refund: 0.1,
    products: [
      { name: '21天训练营', price: 399, weight: 1 },
      { name: '少儿美术季度课', price: 699, weight: 1 },
      { name: '编程入门系统课', price: 999, weight: 1 },
      { name: '英语进阶正式课', price: 1299, weight: 1.5 },
    ],
  },
  {
    // Seed 002 技能学习/习惯养成类: daily check-ins, little chatter, a camp of fixed length.
    key: 'learning_camp', type: 'learning', labels: [['技能学习类', 0.5], ['打卡群', 0.3], ['习惯养成类', 0.2]], share: 0.08, store: false,
    names: ['英语晨读打卡营第{n}期', '21天早起打卡营第{n}期', '读书打卡营第{n}期', '瑜伽晨练营第{n}期'],
    cap: 198, weight: 1.0, occupancy: 0.97, growthDays: 1.5, refillDays: 3,
    stay: 0.55, tenure: 0.8, lifecycle: 'camp', runDays: [21, 40], enrolDays: 4, createdSkew: 1, zombie: 0, dissolve: 0.25,
    channels: [0, 0.15, 0.55, 0.3], talk: 1.0, tauDays: 14, weekday: 1, weekend: 0.75, rhythm: 'learning',
    posts: [[at(6, 30), 0.95], [at(21), 0.8]], chat: CHECKIN, staffChat: NOTICE,
    buy: 0.35, repeat: 0.15, orderDelayDays: 10, refund: 0.06,
    products: [
      { name: '学习资料包', price: 59.9, weight: 2 },
      { name: '英语原版书套装', price: 168, weight: 1 },
      { name: '21天训练营', price: 399, weight: 2 },
      { name: '打卡营进阶班', price: 699, weight: 1 },
    ],
    // Seed 002: a well-run camp keeps 98% daily attendance; teams compared by points each night.
    checkins: { base: 2.6, groupSd: 1.0, memberSd: 1.0, decay: 2.5, decayDays: 25, weekend: 0.5, homeworkDays: 0.55, homework: 0.75, teams: [3, 6] },
  },
  {
    key: 'learning_habit', type: 'learning', labels: [['习惯养成类', 0.5], ['打卡群', 0.5]], share: 0.04, store: false,
    names: ['早起打卡群{n}', '每日单词打卡群{n}', '健身打卡群{n}'], cap: 198, weight: 1.2, occupancy: 0.75, growthDays: 40, refillDays: 10,
    stay: 0.9, tenure: 0.8, lifecycle: 'ongoing', runDays: [0, 0], enrolDays: 0, createdSkew: 0.9, zombie: 0.15, dissolve: 0.04,
    channels: [0, 0.15, 0.45, 0.4], talk: 0.6, tauDays: 40, weekday: 1, weekend: 0.7, rhythm: 'learning',
    posts: [[at(6, 30), 0.8], [at(21), 0.5]], chat: CHECKIN, staffChat: NOTICE,
    buy: 0.15, repeat: 0.2, orderDelayDays: 30, refund: 0.05,
    products: [
      { name: '学习资料包', price: 59.9, weight: 2 },
      { name: '21天训练营', price: 399, weight: 1 },
    ],
    // Ongoing habit groups: a loose daily habit, no teams.
    checkins: { base: -0.4, groupSd: 0.5, memberSd: 1.3, decay: 0.8, decayDays: 60, weekend: 0.6, homeworkDays: 0.15, homework: 0.5, teams: null },
  },
  {
    // Seed 002 核心用户群: product feedback, kept under 100 so nobody lurks.
    key: 'core_user', type: 'core_user', labels: [['核心用户群', 0.6], ['种子用户群', 0.2], ['产品反馈群', 0.2]], share: 0.08, store: false,
    names: ['新品试用反馈群{n?}', '种子用户群{n}', '产品体验官{n}群', '核心会员共创群{n?}'], cap: 95, weight: 1.6, occupancy: 0.7, growthDays: 40, refillDays: 20,
    stay: 1.3, tenure: 1.5, lifecycle: 'ongoing', runDays: [0, 0], enrolDays: 0, createdSkew: 0.8, zombie: 0.1, dissolve: 0.03,
    channels: [0.15, 0.15, 0.3, 0.4], talk: 0.55, tauDays: 120, weekday: 1, weekend: 0.6, rhythm: 'core',
    posts: [[at(11), 0.15]], chat: CHAT, staffChat: NOTICE,
    buy: 0.3, repeat: 0.35, orderDelayDays: 20, refund: 0.04,
    products: [
      { name: '新品尝鲜装', price: 99, weight: 2 },
      { name: '会员年卡', price: 199, weight: 1 },
      { name: '新品精华液', price: 299, weight: 1 },
    ],
  },
  {
    // Seed 002 兴趣爱好类: small, loosely run, hardly any selling.
    key: 'interest', type: 'interest', labels: [['兴趣爱好类', 0.7], ['兴趣群', 0.3]], share: 0.1, store: false,
    names: ['读书会{n}群', '绘画交流群{n}', '咖啡爱好者{n}群', '跑步俱乐部{n}群', '摄影分享群{n}'], cap: 120, weight: 1.2, occupancy: 0.75, growthDays: 50, refillDays: 20,
    stay: 1.0, tenure: 0.8, lifecycle: 'ongoing', runDays: [0, 0], enrolDays: 0, createdSkew: 0.9, zombie: 0.25, dissolve: 0.05,
    channels: [0, 0.15, 0.35, 0.5], talk: 0.3, tauDays: 45, weekday: 0.75, weekend: 1, rhythm: 'interest',
    posts: [[at(20), 0.1]], chat: CHAT, staffChat: NOTICE,
    buy: 0.08, repeat: 0.15, orderDelayDays: 40, refund: 0.05,
    products: [
      { name: '咖啡周卡', price: 39.9, weight: 2 },
      { name: '绘画材料包', price: 79.9, weight: 1 },
      { name: '读书会季卡', price: 89.9, weight: 1 },
    ],
  },
  {
    // Seed 002 行业交流类: vertical, lots of talk, next to no buying; quiet at weekends.
    key: 'industry', type: 'industry', labels: [['行业交流类', 0.8], ['行业群', 0.2]], share: 0.1, store: false,
    names: ['产品经理交流群{n}', '创业者社群{n}', '新零售从业者{n}群', '母婴行业交流群{n}', '职业互推群{n}'], cap: 198, weight: 1.6, occupancy: 0.75, growthDays: 35, refillDays: 10,
    stay: 1.1, tenure: 1.2, lifecycle: 'ongoing', runDays: [0, 0], enrolDays: 0, createdSkew: 0.85, zombie: 0.1, dissolve: 0.03,
    channels: [0, 0.1, 0.35, 0.55], talk: 0.9, tauDays: 90, weekday: 1, weekend: 0.4, rhythm: 'industry',
    posts: [[at(9), 0.25]], chat: CHAT, staffChat: NOTICE,
    buy: 0.02, repeat: 0.1, orderDelayDays: 60, refund: 0.03,
    products: [
      { name: '线下沙龙门票', price: 99, weight: 2 },
      { name: '行业报告', price: 299, weight: 1 },
      { name: '年度会员', price: 999, weight: 0.5 },
    ],
  },
];

/** Cumulative thresholds of a message mix in MSG_TYPES order (last one forced to 1). */
export function msgTypeThresholds(mix: MsgMix): number[] {
  const total = MSG_TYPES.reduce((s, t) => s + (mix[t] ?? 0), 0);
  let acc = 0;
  return MSG_TYPES.map((t, i) => (i === MSG_TYPES.length - 1 ? 1 : (acc += (mix[t] ?? 0) / total)));
}

/**
 * Regions and how well their stores execute the playbook (seed 001: "各地区执行情况千差万别").
 * Store districts with a weight (more stores in the east and south).
 */
export const REGIONS = [
  { name: '华东', execution: 1.25 },
  { name: '华南', execution: 1.1 },
  { name: '华北', execution: 1.0 },
  { name: '华中', execution: 0.85 },
  { name: '西南', execution: 0.9 },
  { name: '西北', execution: 0.65 },
] as const;
