import { CSV_HEADER, parseCsv } from './invoice-file';

describe('invoice CSV files with control characters', () => {
  const header = CSV_HEADER.join(',');

  it.each([
    ['a NUL byte in a cell', '\u0000'],
    ['an escape character', '\u001b'],
    ['DEL', '\u007f'],
  ])('refuses %s as a problem of the file naming its line, with no invoices', (_name, char) => {
    const text = `${header}\nINV-1,LOGIUS,x${char}y\n`;
    const { invoices, problems } = parseCsv(text);
    expect(invoices).toEqual([]);
    const listed = problems.sorted();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ line: 2, field: 'file' });
    expect(listed[0]?.message).toMatch(/control character/);
  });

  it('still reads tabs and quoted line breaks (not control characters of a file)', () => {
    const { problems } = parseCsv(`${header}\n"INV\t1","LOGIUS\nX"\n`);
    expect(problems.sorted().some((p) => p.field === 'file')).toBe(false);
  });
});
