/**
 * The chart library: each function renders one chart to SVG markup at build time with
 * Observable Plot (pages read without JavaScript and print well).
 */
export type { ChartCommon } from './common.ts';
export { survivalChart } from './survival.ts';
export type { SurvivalChartOptions, SurvivalPoint, SurvivalSeries } from './survival.ts';
export { intervalChart } from './intervals.ts';
export type { IntervalChartOptions, IntervalRow } from './intervals.ts';
export { quantityQualityChart } from './quantity-quality.ts';
export type { QuantityQualityChartOptions, QuantityQualityPoint } from './quantity-quality.ts';
export { heatmapChart } from './heatmap.ts';
export type { HeatmapCell, HeatmapChartOptions } from './heatmap.ts';
export { rangeChart } from './ranges.ts';
export type { RangeChartOptions, RangeRow } from './ranges.ts';
export { rhythmChart } from './rhythm.ts';
export type { RhythmCell, RhythmChartOptions } from './rhythm.ts';
export { linesChart } from './lines.ts';
export type { LinePoint, LineSeries, LinesChartOptions } from './lines.ts';
export { barsChart } from './bars.ts';
export type { BarRow, BarsChartOptions } from './bars.ts';
export { dailyChart } from './daily.ts';
export type { DailyChartOptions } from './daily.ts';
