/** CSV text as the published files write it (10 decimals at most, quotes only where needed). */
export function toCsv(columns: string[], rows: (string | number | boolean | null)[][]): string {
  const cell = (v: string | number | boolean | null) => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'number' && !Number.isInteger(v) ? String(Math.round(v * 1e10) / 1e10) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [columns, ...rows].map((r) => r.map(cell).join(',')).join('\r\n');
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
