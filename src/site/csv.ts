/** CSV for "download data" links of charts whose data has no published file (group pages). */
export function csvDataUri(columns: string[], rows: (string | number | null)[][]): string {
  const cell = (v: string | number | null) => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const text = [columns, ...rows].map((r) => r.map(cell).join(',')).join('\r\n');
  // BOM so Excel opens Chinese correctly
  return `data:text/csv;charset=utf-8,${encodeURIComponent(`\uFEFF${text}`)}`;
}
