/**
 * The chart library: each function renders one chart to SVG markup at build time with
 * Observable Plot (pages read without JavaScript and print well).
 */
export type { ChartCommon } from './common.ts';
export type { SurvivalChartOptions, SurvivalPoint, SurvivalSeries } from './survival.ts';
export type { IntervalChartOptions, IntervalRow } from './intervals.ts';
export type { QuantityQualityChartOptions, QuantityQualityPoint } from './quantity-quality.ts';
export type { HeatmapCell, HeatmapChartOptions } from './heatmap.ts';
export type { RangeChartOptions, RangeRow } from './ranges.ts';
export type { RhythmCell, RhythmChartOptions } from './rhythm.ts';
export type { LinePoint, LineSeries, LinesChartOptions } from './lines.ts';
export type { BarRow, BarsChartOptions } from './bars.ts';
export type { DailyChartOptions } from './daily.ts';
