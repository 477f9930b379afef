const NEEDS_QUOTES = /[",\n\r]/;

function csvCell(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e10) / 1e10);
  const s = String(v);
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** CSV text as the published files write it (10 decimals at most, quotes only where needed). */
export function toCsv(columns: string[], rows: (string | number | boolean | null)[][]): string {
  // plain loops: group pages write thousands of these
  let out = columns.map(csvCell).join(',');
  for (const row of rows) {
    out += '\r\n';
    for (let j = 0; j < row.length; j++) out += j ? `,${csvCell(row[j])}` : csvCell(row[j]);
  }
  return out;
}

/**
 * CSV for "download data" links of charts whose data has no published file (group pages,
 * report cells): UTF-8 with a BOM so Excel opens Chinese correctly, base64 (a third larger
 * than the text, where percent-encoding triples every comma and Chinese character). Build time
 * only (Node's Buffer).
 */
export function csvDataUri(columns: string[], rows: (string | number | null)[][]): string {
  return `data:text/csv;charset=utf-8;base64,${Buffer.from(`\uFEFF${toCsv(columns, rows)}`, 'utf8').toString('base64')}`;
}
