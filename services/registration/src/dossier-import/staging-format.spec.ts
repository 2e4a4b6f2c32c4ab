import { readHeader, HeaderProblem, toRecord } from './dossier-csv';
import { validateRow } from './row-validation';
import { acceptedLine, copyText, rejectedLine, STAGING_COLUMNS } from './staging-format';
import { formatProgress } from './progress-bar';

const org = '11111111-1111-4111-8111-111111111111';

describe('COPY text lines', () => {
  it('escapes backslash, tab and line breaks and writes NULL as \\N', () => {
    expect(copyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyText(null)).toBe('\\N');
  });

  it('every line has one field per staging column', () => {
    const ctx = { source: 's', today: '2026-01-01', organisationExists: () => true };
    const live = validateRow(
      {
        dossier_number: 'D1',
        surname: 'Jansen',
        birth_date: '1990-01-01',
        postcode: '1000AA',
        house_number: '1',
        registration_date: '2020-01-01',
        organisation_id: org,
      },
      ctx,
    );
    const deleted = validateRow({ dossier_number: 'D2', deleted: 'true' }, ctx);
    if (!live.ok || !deleted.ok) throw new Error('fixture rows must be valid');
    for (const line of [
      acceptedLine(2, live.row),
      acceptedLine(3, deleted.row),
      rejectedLine(4, ['x: y'], { a: 'b\tc' }, null),
    ]) {
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1).split('\t')).toHaveLength(STAGING_COLUMNS.length);
    }
  });
});

describe('header', () => {
  it('maps columns in any order, case-insensitively', () => {
    const layout = readHeader([
      'Surname',
      'dossier_number',
      'birth_date',
      'postcode',
      'house_number',
      'registration_date',
      'organisation_id',
    ]);
    expect(toRecord(layout, ['Jansen', 'D1', 'x', 'y', 'z', 'r', 'o'])).toMatchObject({
      surname: 'Jansen',
      dossier_number: 'D1',
    });
  });

  it('names missing, unknown and repeated columns, but never echoes data-like names', () => {
    try {
      readHeader(['dossier_number', 'surname', 'surname', 'bsn', 'Jan Jansen']);
      throw new Error('expected a HeaderProblem');
    } catch (e) {
      expect(e).toBeInstanceOf(HeaderProblem);
      const problems = (e as HeaderProblem).problems;
      expect(problems).toEqual(
        expect.arrayContaining([
          'column "surname" appears twice',
          'unknown column "bsn"',
          'unknown column at position 5',
          'missing column "birth_date"',
        ]),
      );
      expect(problems.join()).not.toContain('Jansen');
    }
  });
});

describe('formatProgress', () => {
  it('shows a bar, percentage, rate and ETA from bytes read', () => {
    const line = formatProgress(
      {
        phase: 'reading',
        bytesRead: 250,
        totalBytes: 1000,
        rowsRead: 5000,
        rowsRejected: 12,
        elapsedMs: 10_000,
      },
      8,
    );
    expect(line).toBe('reading  [##------]  25.0%  5,000 rows (12 rejected)  500 rows/s  ETA 0:30');
  });

  it('shows the merge step after reading', () => {
    expect(
      formatProgress({
        phase: 'merging',
        bytesRead: 1,
        rowsRead: 10,
        rowsRejected: 0,
        elapsedMs: 61_000,
        step: 'concordance',
        stepIndex: 6,
        stepTotal: 8,
      }),
    ).toBe('merging  step 6/8 concordance  10 rows  elapsed 1:01');
  });
});
