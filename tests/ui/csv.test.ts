import { describe, expect, it } from 'vitest';
import { csvDataUri, toCsv } from '../../src/ui/csv.ts';

describe('toCsv', () => {
  it('quotes only cells that need it, rounds to 10 decimals, leaves null cells empty', () => {
    expect(toCsv(['name', 'n', 'share'], [['a,b', 3, 1 / 3], ['say "hi"', null, 0.5], ['line\nbreak', -0, true as unknown as number]])).toBe(
      'name,n,share\r\n"a,b",3,0.3333333333\r\n"say ""hi""",,0.5\r\n"line\nbreak",0,true',
    );
  });
  it('is the header alone when there are no rows', () => {
    expect(toCsv(['a', 'b'], [])).toBe('a,b');
  });
});

describe('csvDataUri', () => {
  it('is base64 of the CSV behind a UTF-8 byte order mark, so Excel reads Chinese', () => {
    const uri = csvDataUri(['渠道', 'joins'], [['导购', 12]]);
    expect(uri.startsWith('data:text/csv;charset=utf-8;base64,')).toBe(true);
    expect(Buffer.from(uri.split(',')[1], 'base64').toString('utf8')).toBe('\uFEFF渠道,joins\r\n导购,12');
  });
});
