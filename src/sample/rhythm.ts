/**
 * Daily rhythms: when in the day people post (and order), as a sum of bumps over the minutes
 * of the day. Peaks around 08–09, 12–13 and 20–22 for everybody (commute, lunch, evening);
 * learning groups check in early in the morning (seed 002: 早起群, daily check-ins); some kinds
 * hold fixed-time sessions (seed 000: 固定时间讨论会; seed 002: the trial class at 20:00; store
 * welfare groups' flash deals at 10:00 and 20:00, seed 001's 瑞幸 "四波福利").
 */
import type { RhythmKey } from './profiles.ts';

/** A bump: centre (minute of day), spread (minutes), height. */
export type Bump = readonly [number, number, number];

const h = (hour: number, minute = 0) => hour * 60 + minute;

const EVERYDAY: Bump[] = [
  [h(8, 30), 50, 0.6],
  [h(12, 30), 45, 0.8],
  [h(15), 120, 0.3],
  [h(20, 45), 70, 1.0],
];

export const RHYTHMS: Readonly<Record<RhythmKey, readonly Bump[]>> = {
  welfare: [...EVERYDAY, [h(10, 5), 20, 0.7], [h(20, 5), 25, 0.9]],
  service: [...EVERYDAY, [h(10, 40), 40, 0.4]],
  conversion: [[h(8, 30), 50, 0.3], [h(12, 30), 45, 0.5], [h(20, 30), 25, 1.6], [h(21, 20), 30, 0.8]],
  learning: [[h(6, 45), 40, 1.4], [h(7, 30), 30, 0.8], [h(12, 30), 45, 0.3], [h(21), 40, 0.6]],
  core: [[h(8, 30), 50, 0.4], [h(12, 30), 45, 0.7], [h(20, 30), 60, 1.0]],
  interest: [[h(12, 30), 45, 0.5], [h(21), 80, 1.0], [h(15), 120, 0.3]],
  industry: [[h(10), 60, 0.5], [h(12, 30), 40, 1.0], [h(15), 90, 0.5], [h(21, 30), 60, 1.0]],
  orders: [[h(10, 5), 30, 0.5], [h(12, 30), 50, 0.8], [h(20, 30), 40, 1.0], [h(21, 30), 60, 0.8]],
};

/** Night-time floor so that an odd message at 03:00 stays possible. */
export const RHYTHM_FLOOR = 0.015;

/** At weekends people get up later: morning bumps move later by this many minutes. */
export const WEEKEND_MORNING_SHIFT = 75;
export const MORNING_END = h(11);

export const RHYTHM_KEYS = Object.keys(RHYTHMS) as RhythmKey[];
