import { CONTROL_CHARACTER_MESSAGE, controlCharacterProblems } from './control-characters';

describe('controlCharacterProblems', () => {
  it('names every string with NUL or another C0 control character by its path', () => {
    const body = {
      name: 'Jan\u0000',
      address: { street: 'Dorpsstraat', city: 'A\u001bB' },
      members: [{ name: 'ok' }, { name: 'bell\u0007' }],
      note: 'DEL\u007f',
    };
    expect(controlCharacterProblems(body, 'body').map((p) => p.field)).toEqual([
      'name',
      'address.city',
      'members.1.name',
      'note',
    ]);
    expect(controlCharacterProblems(body, 'body')[0]?.message).toBe(CONTROL_CHARACTER_MESSAGE);
  });

  it('allows tab, line feed and carriage return in body text but not in query parameters', () => {
    const text = { note: 'line one\r\nline two\twith tab' };
    expect(controlCharacterProblems(text, 'body')).toEqual([]);
    expect(controlCharacterProblems(text, 'query', 'query').map((p) => p.field)).toEqual(['query.note']);
  });

  it('checks object keys and a top-level string, and never returns the value', () => {
    const problems = controlCharacterProblems({ 'a\u0000b': 'x' }, 'body');
    expect(problems.map((p) => p.field)).toEqual(['a\\u0000b']);
    expect(controlCharacterProblems('\u0000', 'body').map((p) => p.field)).toEqual(['(body)']);
    expect(JSON.stringify(controlCharacterProblems({ bsn: '123456782\u0000' }, 'body'))).not.toContain(
      '123456782',
    );
  });

  it('accepts clean input of every JSON type', () => {
    expect(controlCharacterProblems({ a: 1, b: true, c: null, d: ['x', 2], e: 'Zoë €' }, 'body')).toEqual([]);
  });

  it('refuses nesting deeper than 64 levels instead of recursing without bound', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100; i++) deep = [deep];
    const problems = controlCharacterProblems(deep, 'body');
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toContain('nested deeper');
  });
});
