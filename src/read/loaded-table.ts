/** What the read step hands on for a table: its files, its parse plan and where its rows are. */
import type { TableName } from '../core/contract.ts';
import type { ParsePlan } from './row-checks.ts';
import type { SourceFile } from './source-files.ts';

export interface LoadedTable {
  table: TableName;
  /** the table's files, in name order (their rows in that order in p_<table>) */
  sources: SourceFile[];
  plan: ParsePlan;
  /** p_<table>; null while messages are only aggregated */
  rowTable: string | null;
  /** records in its files: stored, those DuckDB could not read, and those the scan rejected */
  rows: number;
  /** messages read again row by row after the fast pass aggregated them (validate.ts) */
  fastPass?: boolean;
}
