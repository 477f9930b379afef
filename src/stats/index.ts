// Pure statistics for qunlens: no I/O, no dependencies; runs at build time in Node and in the browser.
export type { TimeCount, SurvivalPoint, SurvivalCurve, DrawnPoint, DrawnCurve } from './kaplan-meier.ts';
export { atRiskAt, kaplanMeier, survivalAt, survivalQuantile, medianSurvival } from './kaplan-meier.ts';
export type { LogRankStratum, LogRankResult } from './log-rank.ts';
export { logRank } from './log-rank.ts';
export type { RateInterval } from './wilson.ts';
export { wilson, wilsonSql } from './wilson.ts';
export { normalQuantile, chiSquareUpperTail } from './distributions.ts';
export { twoProportionTest, type ProportionTest } from './proportion-test.ts';
