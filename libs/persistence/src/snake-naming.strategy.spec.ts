import { snakeCase, SnakeNamingStrategy } from './snake-naming.strategy';

describe('SnakeNamingStrategy', () => {
  it('converts camelCase and acronyms to snake_case', () => {
    expect(snakeCase('registrationDate')).toBe('registration_date');
    expect(snakeCase('hashedBSNKeyId')).toBe('hashed_bsn_key_id');
    expect(snakeCase('already_snake')).toBe('already_snake');
  });

  it('names columns with embedded prefixes', () => {
    expect(new SnakeNamingStrategy().columnName('houseNumber', undefined, ['address'])).toBe(
      'address_house_number',
    );
    expect(new SnakeNamingStrategy().columnName('x', 'customName', [])).toBe('custom_name');
  });
});
