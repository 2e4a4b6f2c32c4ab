import { policyDataset } from './policy-dataset';

describe('policyDataset (a policy for one dataset within a category, ADR 0031)', () => {
  it('reads the dataset of a three-segment policy id, default or per organisation', () => {
    expect(policyDataset('default/REGISTRATION_DATA/MIGRATED_DOSSIERS')).toBe('MIGRATED_DOSSIERS');
    expect(policyDataset('0b8e6d3c-1a2b-4c3d-8e4f-5a6b7c8d9e0f/REGISTRATION_DATA/IMPORT_REJECTS')).toBe(
      'IMPORT_REJECTS',
    );
  });

  it('is null only for a category-wide policy id', () => {
    expect(policyDataset('default/REGISTRATION_DATA')).toBeNull();
    expect(policyDataset('0b8e6d3c-1a2b-4c3d-8e4f-5a6b7c8d9e0f/ACCESS_LOGS')).toBeNull();
  });

  it('returns any other tail as it is, so an owner refuses what it does not know instead of erasing the category', () => {
    expect(policyDataset('default/REGISTRATION_DATA/')).toBe('');
    expect(policyDataset('default/REGISTRATION_DATA/lower')).toBe('lower');
    expect(policyDataset('a/b/C/D')).toBe('C/D');
  });
});
