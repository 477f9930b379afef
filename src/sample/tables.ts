/**
 * The profiles, vocabulary and rhythms as small temp tables, so the generator's SQL can join
 * them. Everything here is parameters (a few hundred rows), never generated data.
 */
import { sqlString } from '../db/db.ts';
import { CHANNEL_PROFILES, KIND_PROFILES, REGIONS, msgTypeThresholds, type RhythmKey } from './profiles.ts';
import { MORNING_END, RHYTHM_FLOOR, RHYTHM_KEYS, RHYTHMS, WEEKEND_MORNING_SHIFT } from './rhythm.ts';
import { DISTRICTS } from './vocabulary.ts';

/** Buckets of the rhythm look-up table: a uniform number picks bucket floor(u * LUT_BUCKETS). */
export const LUT_BUCKETS = 4096;

type Cell = string | number | boolean | null;

function literal(value: Cell): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return sqlString(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (!Number.isFinite(value)) throw new Error(`sample: not a finite number: ${value}`);
  // Doubles spelled out so DuckDB reads them as DOUBLE, not DECIMAL.
  return Number.isInteger(value) ? String(value) : `${value}::DOUBLE`;
}

/** `CREATE TEMP TABLE name AS FROM (VALUES …) t(columns)`. */
export function valuesTable(name: string, columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  if (rows.length === 0) throw new Error(`sample: table ${name} has no rows`);
  const body = rows.map((r) => `(${r.map(literal).join(', ')})`).join(',\n  ');
  return `CREATE OR REPLACE TEMP TABLE ${name} AS SELECT * FROM (VALUES\n  ${body}\n) t(${columns.join(', ')});`;
}

/** Running [lo, hi) bounds of weights normalised to 1 (the last hi forced to 1). */
export function bounds(weights: readonly number[]): [number, number][] {
  const total = weights.reduce((s, w) => s + w, 0);
  let acc = 0;
  return weights.map((w, i) => {
    const lo = acc;
    acc = i === weights.length - 1 ? 1 : acc + w / total;
    return [lo, acc];
  });
}

export const RHYTHM_ID: Readonly<Record<RhythmKey, number>> = Object.fromEntries(RHYTHM_KEYS.map((k, i) => [k, i])) as Record<RhythmKey, number>;

const LIFECYCLE = { ongoing: 0, campaign: 1, camp: 2 } as const;

/** SQL creating every parameter table (names start with qs_). */
export function parameterTablesSql(): string {
  const out: string[] = [];

  const kindBounds = bounds(KIND_PROFILES.map((k) => k.share));
  out.push(
    valuesTable(
      'qs_kind',
      [
        'kind_id', 'kind_key', 'type_key', 'share_lo', 'share_hi', 'is_store', 'cap', 'weight', 'occupancy',
        'growth_days', 'refill_days', 'stay', 'tenure', 'lifecycle', 'run_lo', 'run_hi', 'enrol_days', 'created_skew',
        'zombie', 'dissolve', 'ch_c0', 'ch_c1', 'ch_c2', 'talk', 'tau_days', 'wd_keep', 'we_keep', 'keep_avg',
        'rhythm_id', 'buy', 'repeat_p', 'order_delay', 'refund', 'n_names',
        ...[0, 1, 2, 3, 4, 5, 6].map((i) => `chat${i}`),
        ...[0, 1, 2, 3, 4, 5, 6].map((i) => `staff${i}`),
      ],
      KIND_PROFILES.map((k, id) => {
        const ch = bounds(k.channels);
        const top = Math.max(k.weekday, k.weekend);
        // Thinning keeps a message with probability weight/top, so the expected share kept is:
        const keepAvg = (5 * k.weekday + 2 * k.weekend) / 7 / top;
        return [
          id, k.key, k.type, kindBounds[id][0], kindBounds[id][1], k.store, k.cap, k.weight, k.occupancy,
          k.growthDays, k.refillDays, k.stay, k.tenure, LIFECYCLE[k.lifecycle], k.runDays[0], k.runDays[1], k.enrolDays, k.createdSkew,
          k.zombie, k.dissolve, ch[0][1], ch[1][1], ch[2][1], k.talk, k.tauDays, k.weekday / top, k.weekend / top, keepAvg,
          RHYTHM_ID[k.rhythm], k.buy, k.repeat, k.orderDelayDays, k.refund, k.names.length,
          ...msgTypeThresholds(k.chat).slice(0, 7),
          ...msgTypeThresholds(k.staffChat).slice(0, 7),
        ];
      }),
    ),
  );

  out.push(
    valuesTable(
      'qs_kind_label',
      ['kind_id', 'lo', 'hi', 'label'],
      KIND_PROFILES.flatMap((k, id) => bounds(k.labels.map((l) => l[1])).map(([lo, hi], i) => [id, lo, hi, k.labels[i][0]])),
    ),
  );
  out.push(valuesTable('qs_kind_name', ['kind_id', 'name_idx', 'template'], KIND_PROFILES.flatMap((k, id) => k.names.map((n, i) => [id, i, n]))));
  out.push(
    valuesTable(
      'qs_post',
      ['kind_id', 'slot', 'minute', 'p'],
      KIND_PROFILES.flatMap((k, id) => k.posts.map(([minute, p], slot) => [id, slot, minute, p])),
    ),
  );
  out.push(
    valuesTable(
      'qs_product',
      ['kind_id', 'lo', 'hi', 'product', 'price'],
      KIND_PROFILES.flatMap((k, id) => bounds(k.products.map((p) => p.weight)).map(([lo, hi], i) => [id, lo, hi, k.products[i].name, k.products[i].price])),
    ),
  );
  out.push(
    valuesTable(
      'qs_channel',
      ['ch_id', 'ch_key', 'stay', 'leave_days', 'talk', 'talk_decay', 'lurk', 'buy', 'buy_delay', 'label0', 'label1', 'label2'],
      CHANNEL_PROFILES.map((c, id) => [id, c.key, c.stay, c.leaveDays, c.talk, c.talkDecay, c.lurk, c.buy, c.buyDelay, ...c.labels]),
    ),
  );
  // Check-ins of the learning kinds (no row: the kind has none); teams 0–0: no teams.
  out.push(
    valuesTable(
      'qs_checkin',
      ['kind_id', 'base', 'group_sd', 'member_sd', 'decay', 'decay_days', 'weekend', 'homework_days', 'homework', 'teams_lo', 'teams_hi'],
      KIND_PROFILES.flatMap((k, id) => {
        const c = k.checkins;
        if (!c) return [];
        return [[id, c.base, c.groupSd, c.memberSd, c.decay, c.decayDays, c.weekend, c.homeworkDays, c.homework, c.teams?.[0] ?? 0, c.teams?.[1] ?? 0]];
      }),
    ),
  );
  out.push(valuesTable('qs_region', ['region_id', 'region', 'execution'], REGIONS.map((r, id) => [id, r.name, r.execution])));
  const districtBounds = bounds(DISTRICTS.map((d) => d[4]));
  out.push(
    valuesTable(
      'qs_district',
      ['district_id', 'city', 'district', 'code', 'region_id', 'lo', 'hi'],
      DISTRICTS.map((d, id) => [id, d[0], d[1], d[2], d[3], districtBounds[id][0], districtBounds[id][1]]),
    ),
  );

  // Rhythm bumps for weekdays (we = 0) and weekends (we = 1, mornings later).
  const bumps: Cell[][] = [];
  for (const key of RHYTHM_KEYS) {
    for (const we of [0, 1]) {
      for (const [mu, sigma, amp] of RHYTHMS[key]) {
        bumps.push([RHYTHM_ID[key], we, we && mu < MORNING_END ? mu + WEEKEND_MORNING_SHIFT : mu, sigma, amp]);
      }
    }
  }
  out.push(valuesTable('qs_bump', ['rhythm_id', 'we', 'mu', 'sigma', 'amp'], bumps));
  // Look-up table: bucket -> minute of day, by inverse CDF over integer weights (exact sums,
  // so the table does not depend on the order in which threads add them up).
  out.push(`
CREATE OR REPLACE TEMP TABLE qs_lut AS
WITH w AS (
  SELECT b.rhythm_id * 2 + b.we AS rk, m.minute,
    SUM(round(b.amp * exp(-0.5 * power((((m.minute - b.mu + 2160) % 1440) - 720) / b.sigma, 2)) * 1000000)::BIGINT)
      + ${Math.round(RHYTHM_FLOOR * 1e6)} AS w
  FROM qs_bump b, range(1440) m(minute)
  GROUP BY ALL
), c AS (
  SELECT rk, minute, SUM(w) OVER (PARTITION BY rk ORDER BY minute) - w AS lo, SUM(w) OVER (PARTITION BY rk) AS total FROM w
), b AS (
  SELECT t.rk, bk, ((2 * bk + 1) * t.total) // ${2 * LUT_BUCKETS} AS target
  FROM (SELECT DISTINCT rk, total FROM c) t, range(${LUT_BUCKETS}) r(bk)
)
SELECT b.rk * ${LUT_BUCKETS} + b.bk AS lut_key, c.minute
FROM b ASOF JOIN c ON b.rk = c.rk AND b.target >= c.lo;`);
  return out.join('\n');
}

/** Names of every temp table the parameter SQL creates. */
export const PARAMETER_TABLES = [
  'qs_kind', 'qs_kind_label', 'qs_kind_name', 'qs_post', 'qs_product', 'qs_channel', 'qs_checkin', 'qs_region', 'qs_district', 'qs_bump', 'qs_lut',
];
