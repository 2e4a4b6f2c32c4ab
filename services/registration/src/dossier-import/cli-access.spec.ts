import { cliAccess, OperatorNameError } from './cli-access';

describe('cliAccess (who the dossier-import command line is access-logged as)', () => {
  const os = { user: () => 'jvdberg', host: () => 'migration-01' };

  it('names the operator given, acting as the platform operator, with the tool and host as origin', () => {
    expect(cliAccess('ops.jan@wvl', os)).toEqual({
      principal: { subject: 'cli:ops.jan@wvl', organisationId: 'platform', roles: ['platform-operator'] },
      origin: { ip: null, userAgent: 'divit-dossier-import-cli (migration-01)' },
    });
  });

  it('falls back to the operating-system user', () => {
    expect(cliAccess(undefined, os).principal.subject).toBe('cli:jvdberg');
  });

  it('refuses an operator name that is not an account name, and a nameless OS user', () => {
    expect(() => cliAccess('jan\nTOKEN_ACCEPTED', os)).toThrow(OperatorNameError);
    expect(() => cliAccess('', os)).toThrow(OperatorNameError);
    expect(() =>
      cliAccess(undefined, {
        user: () => {
          throw new Error('no passwd entry');
        },
        host: () => 'h',
      }),
    ).toThrow('pass --operator NAME');
  });
});
