/** CSV for "download data" links of charts whose data has no published file (group pages). */
export function csvDataUri(columns: string[], rows: (string | number | null)[][]): string {
  const cell = (v: string | number | null) => {
    if (v === null || v === undefined) return '';
    // 10 significant decimals at most, as in the published CSVs
    const s = typeof v === 'number' && !Number.isInteger(v) ? String(Math.round(v * 1e10) / 1e10) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const text = [columns, ...rows].map((r) => r.map(cell).join(',')).join('\r\n');
  // BOM so Excel opens Chinese correctly
  // base64: a third larger than the text, where percent-encoding triples every comma and
  // Chinese character, and native to encode
  return `data:text/csv;charset=utf-8;base64,${Buffer.from(`\uFEFF${text}`, 'utf8').toString('base64')}`;
}
