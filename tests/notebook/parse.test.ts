import { describe, expect, it } from 'vitest';
import { parseReport, ReportError, sqlLiteral, substitute } from '../../src/notebook/parse.ts';

const FILE = 'src/reports/test.md';
const report = (body: string, front = 'title: 测试') => `---\n${front}\n---\n${body}`;

describe('parseReport', () => {
  it('splits prose, named SQL cells and charts, in order, with their line numbers', () => {
    const r = parseReport(
      FILE,
      report(
        ['Intro **text**.', '', '```sql by_channel', 'SELECT 1 AS a;', '```', '', 'Between.', '', '```chart', 'data: by_channel', 'type: bar', 'x: a', 'y: a', 'title: T', "takeaway: {{by_channel.a}}: it's 1", '```', '', '```sql quiet hidden', 'SELECT 2', '```'].join('\n'),
        'title: 月报\ntitle_en: Monthly\nperiod: 2026-10\ndescription: d\nparameters:\n  n: 3\n  name: guide',
      ),
    );
    expect(r.slug).toBe('test');
    expect(r.meta).toEqual({ title: '月报', titleEn: 'Monthly', period: '2026-10', description: 'd', parameters: { n: 3, name: 'guide' } });
    expect(r.blocks.map((b) => b.kind)).toEqual(['prose', 'sql', 'prose', 'chart', 'sql']);
    expect(r.blocks[1]).toEqual({ kind: 'sql', name: 'by_channel', sql: 'SELECT 1 AS a', hidden: false, line: 12 });
    expect(r.blocks[3]).toMatchObject({ kind: 'chart', line: 18, spec: { data: 'by_channel', type: 'bar', x: 'a', y: 'a', title: 'T', takeaway: "{{by_channel.a}}: it's 1", format: 'number', series: null } });
    expect(r.blocks[4]).toMatchObject({ kind: 'sql', name: 'quiet', hidden: true });
  });

  it('reads blocks as Markdown does: a fence inside a list item or a quote is prose, a longer fence holds a shorter one, a fence may be indented up to 3 spaces', () => {
    const r = parseReport(FILE, report(['- step', '', '  ```sql inlist', '  SELECT 1', '  ```', '', '> ```sql quoted', '> SELECT 2', '> ```', '', '````sql outer', 'SELECT 3 -- ```', '```', '````', '', '  ```sql indented', '  SELECT 4', '  ```'].join('\n')));
    expect(r.blocks.map((b) => b.kind)).toEqual(['prose', 'sql', 'sql']);
    expect(r.blocks[2]).toEqual({ kind: 'sql', name: 'indented', sql: 'SELECT 4', hidden: false, line: 19 });
    expect(r.blocks[1]).toEqual({ kind: 'sql', name: 'outer', sql: 'SELECT 3 -- ```\n```', hidden: false, line: 14 });
  });

  it('reads CRLF files with a BOM', () => {
    const r = parseReport(FILE, '\uFEFF---\r\ntitle: t\r\n---\r\n```sql a\r\nSELECT 1\r\n```\r\n');
    expect(r.blocks).toEqual([{ kind: 'sql', name: 'a', sql: 'SELECT 1', hidden: false, line: 4 }]);
  });

  const bad: [string, string, RegExp][] = [
    ['no front matter', 'hello', /test\.md:1: a report starts with front matter/],
    ['no title', report('x', 'period: 1'), /needs a title/],
    ['unnamed cell', report('```sql\nSELECT 1\n```'), /test\.md:4: a SQL cell needs a name/],
    ['bad cell name', report('```sql by-channel\nSELECT 1\n```'), /cell name "by-channel"/],
    ['duplicate cell', report('```sql a\nSELECT 1\n```\n```sql a\nSELECT 2\n```'), /test\.md:7: a cell named "a" already exists/],
    ['unclosed cell', report('```sql a\nSELECT 1'), /test\.md:4: the sql block opened here is never closed/],
    ['empty cell', report('```sql a\n```'), /cell "a" has no SQL/],
    ['unknown option', report('```sql a folded\nSELECT 1\n```'), /unknown cell option "folded"/],
    ['chart without data cell', report('```chart\ndata: nope\ntype: bar\nx: a\ny: b\ntitle: t\n```'), /test\.md:4: chart: data "nope" is not a SQL cell/],
    ['chart type', report('```sql a\nSELECT 1\n```\n```chart\ndata: a\ntype: pie\nx: a\ny: b\ntitle: t\n```'), /type must be bar or line, not "pie"/],
    ['chart missing key', report('```sql a\nSELECT 1\n```\n```chart\ndata: a\ntype: bar\nx: a\ntitle: t\n```'), /`y:` is missing/],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects ${name} with the file and line`, () => {
      expect(() => parseReport(FILE, text)).toThrow(ReportError);
      expect(() => parseReport(FILE, text)).toThrow(message);
    });
  }

  it('rejects a file name that cannot be a page address', () => {
    expect(() => parseReport('src/reports/Monthly Review.md', report('x'))).toThrow(/lower-case letters, digits and dashes/);
  });
});

describe('parameters', () => {
  it('become SQL literals: text quoted, numbers and booleans as they are', () => {
    expect(sqlLiteral("it's")).toBe("'it''s'");
    expect(sqlLiteral(30)).toBe('30');
    expect(sqlLiteral(true)).toBe('true');
  });
  it('fill ${name} in a cell, and an unknown name names the cell', () => {
    const cell = { name: 'c', line: 7, sql: 'SELECT * FROM t WHERE d >= ${ start } AND n > ${n}' };
    expect(substitute(FILE, cell, { start: '2026-10-01', n: 5 })).toBe("SELECT * FROM t WHERE d >= '2026-10-01' AND n > 5");
    expect(() => substitute(FILE, cell, { n: 5 })).toThrow(/test\.md:7: cell "c": \$\{start\} is not a parameter/);
  });
});

describe('the README example', () => {
  it('parses as documented', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = /````markdown\n([\s\S]*?)\n````/.exec(readme)![1];
    const r = parseReport('src/reports/channel-quality.md', example);
    expect(r.meta.parameters).toEqual({ min_joins: 30 });
    expect(r.blocks.map((b) => (b.kind === 'sql' ? `sql ${b.name}` : b.kind))).toEqual(['prose', 'sql channels', 'sql best', 'chart']);
    expect(r.blocks[3]).toMatchObject({ spec: { type: 'bar', format: 'percent', takeaway: '{{best.channel_zh}} keeps most members' } });
  });
});
