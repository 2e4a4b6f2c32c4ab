import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { parse } from 'csv-parse/sync';
import { csvText, escapeCsvStream, escapeFormula } from './csv-writer';

const readBack = (csv: string): string[][] =>
  parse(csv, { relax_column_count: true, record_delimiter: '\n' });

describe('csvText', () => {
  it('quotes commas, quotes and newlines (LF and CRLF) so the file reads back cell for cell', () => {
    const rows = [
      ['name', 'note'],
      ['Woonbron, Oost', 'says "hi"'],
      ['line\nbreak', 'windows\r\nbreak'],
      ['', 'plain'],
    ];
    const csv = csvText(rows);
    expect(csv).toBe('name,note\n"Woonbron, Oost","says ""hi"""\n"line\nbreak","windows\r\nbreak"\n,plain\n');
    expect(readBack(csv)).toEqual(rows);
  });

  it('escapes every formula start in a text cell with a leading single quote', () => {
    const starts = ['=1+1', '+31 6 1234', '-2+3', '@SUM(A1)', '\t=cmd', '\r=cmd', '＝1', '＋1', '－1', '＠x'];
    const csv = csvText([starts]);
    expect(readBack(csv)[0]).toEqual(starts.map((s) => `'${s}`));
    expect(csv.startsWith(`'=1+1,'+31 6 1234,'-2+3,'@SUM(A1),'\t=cmd,"'\r=cmd"`)).toBe(true);
  });

  it('quotes an escaped formula that also holds a comma or a quote', () => {
    expect(csvText([['=HYPERLINK("http://x","y")']])).toBe(`"'=HYPERLINK(""http://x"",""y"")"\n`);
  });

  it('leaves numbers as numbers: number cells and plain decimal text are never escaped', () => {
    const csv = csvText([[-5, 0, 12345, -1234.5, '-12.34', '-0.01', '42', 10n]]);
    expect(csv).toBe('-5,0,12345,-1234.5,-12.34,-0.01,42,10\n');
  });

  it('escapes text that only looks numeric at the start', () => {
    expect(csvText([['-1e3', '-12.34.5', '-12,34', '+12']])).toBe(`'-1e3,'-12.34.5,"'-12,34",'+12\n`);
  });

  it('writes null and undefined as empty cells and booleans as text', () => {
    expect(csvText([[null, undefined, true, false]])).toBe(',,true,false\n');
  });

  it('does not touch a formula character that is not the first one', () => {
    expect(csvText([['a=1', 'b-2', 'c@d']])).toBe('a=1,b-2,c@d\n');
  });

  it('writes RFC 4180 record separators on request', () => {
    expect(csvText([['a'], ['b']], { recordDelimiter: '\r\n' })).toBe('a\r\nb\r\n');
  });
});

describe('escapeFormula', () => {
  it('is the identity for safe text and prefixes a quote otherwise', () => {
    expect(escapeFormula('De Kade')).toBe('De Kade');
    expect(escapeFormula('=1')).toBe("'=1");
    expect(escapeFormula('')).toBe('');
  });
});

describe('escapeCsvStream', () => {
  it('re-writes a CSV stream (as COPY … FORMAT csv produces it) with the same escaping', async () => {
    const copy = Readable.from([
      'line_number,reasons,name\n',
      '3,"bad, field","=cmd|\' /C calc\'!A0"\n4,',
      'x,"-5"\n',
    ]);
    const out = await text(escapeCsvStream(copy));
    expect(out).toBe(`line_number,reasons,name\n3,"bad, field",'=cmd|' /C calc'!A0\n4,x,-5\n`);
  });

  it('fails the stream when the source is not valid CSV', async () => {
    await expect(text(escapeCsvStream(Readable.from(['a,"unterminated\n'])))).rejects.toThrow();
  });

  it('fails the stream when the source fails', async () => {
    const source = new Readable({
      read() {
        this.destroy(new Error('connection lost'));
      },
    });
    await expect(text(escapeCsvStream(source))).rejects.toThrow('connection lost');
  });
});
