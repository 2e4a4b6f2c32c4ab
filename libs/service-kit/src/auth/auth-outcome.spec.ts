import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthOutcome, AuthOutcomeSink, claimsAreAuthentic, rejectionReason, tokenRef } from './auth-outcome';
import { JwtAuthGuard } from './auth.guard';
import {
  JwtVerifier,
  ORGANISATION_NOT_AN_ID,
  Principal,
  TOKEN_REJECTION_REASONS,
  TokenRejected,
  TokenRejectionReason,
} from './jwt';
import { LocalTokenIssuer } from './local-token-issuer';
import { staticKeySource, TokenKeysUnavailableError } from './token-keys';

describe('rejectionReason', () => {
  it.each<[TokenRejectionReason, string]>([
    ['malformed', 'MALFORMED'],
    ['algorithm-not-allowed', 'UNSUPPORTED_ALGORITHM'],
    ['unknown-key', 'UNKNOWN_KEY'],
    ['bad-signature', 'BAD_SIGNATURE'],
    ['expired', 'EXPIRED'],
    ['not-yet-valid', 'NOT_YET_VALID'],
    ['wrong-issuer', 'WRONG_ISSUER'],
    ['wrong-audience', 'WRONG_AUDIENCE'],
    ['invalid-claims', 'MISSING_CLAIMS'],
  ])("maps the verifier's typed reason %s to %s", (reason, expected) => {
    expect(rejectionReason(new TokenRejected(reason))).toBe(expected);
  });

  it('maps every typed reason (none falls through to UNREADABLE)', () => {
    for (const reason of TOKEN_REJECTION_REASONS)
      expect(rejectionReason(new TokenRejected(reason))).not.toBe('UNREADABLE');
  });

  it('tells an org that is not an organisation id from other invalid claims', () => {
    expect(rejectionReason(new TokenRejected('invalid-claims', ORGANISATION_NOT_AN_ID))).toBe(
      'INVALID_ORGANISATION',
    );
    expect(rejectionReason(new TokenRejected('invalid-claims', 'missing sub or org'))).toBe('MISSING_CLAIMS');
    expect(rejectionReason(new TokenRejected('invalid-claims', 'missing jti claim'))).toBe('MISSING_CLAIMS');
  });

  it('calls anything else UNREADABLE', () => {
    expect(rejectionReason(new Error('boom'))).toBe('UNREADABLE');
    expect(rejectionReason(Object.assign(new Error('x'), { reason: 'expired' }))).toBe('UNREADABLE');
    expect(rejectionReason(undefined)).toBe('UNREADABLE');
  });

  it('trusts claims only for reasons given after the signature was verified', () => {
    expect(claimsAreAuthentic('EXPIRED')).toBe(true);
    expect(claimsAreAuthentic('MISSING_ROLE')).toBe(true);
    expect(claimsAreAuthentic('BAD_SIGNATURE')).toBe(false);
    expect(claimsAreAuthentic('MALFORMED')).toBe(false);
  });
});

describe('tokenRef', () => {
  it('is a hash of the jti (with issuer), never the token, and differs per token', () => {
    const issuer = new LocalTokenIssuer();
    const p: Principal = {
      subject: 's',
      organisationId: '3f2b8c1e-1234-4abc-9def-0123456789ab',
      roles: ['admin'],
    };
    const a = issuer.sign(p);
    const b = issuer.sign(p);
    expect(tokenRef(a)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokenRef(a)).toBe(tokenRef(a));
    expect(tokenRef(a)).not.toBe(tokenRef(b));
    for (const part of a.split('.')) expect(tokenRef(a)).not.toContain(part);
  });
});

describe('JwtAuthGuard and its AuthOutcomeSink', () => {
  const issuer = new LocalTokenIssuer();
  const org = '3f2b8c1e-1234-4abc-9def-0123456789ab';
  const verifier = new JwtVerifier({
    keys: staticKeySource(issuer.jwks),
    issuer: issuer.issuer,
    audience: issuer.audience,
  });

  function run(headers: Record<string, string>, roles?: string[], sink?: AuthOutcomeSink) {
    const reflector = {
      getAllAndOverride: (key: string) => (key === 'divit:roles' ? roles : undefined),
    } as unknown as Reflector;
    const request = { headers, ip: '::ffff:127.0.0.1' };
    const context = {
      getHandler: () => undefined,
      getClass: () => undefined,
      switchToHttp: () => ({ getRequest: () => request }),
    } as unknown as ExecutionContext;
    return new JwtAuthGuard(reflector, verifier, sink).canActivate(context);
  }
  const recording = () => {
    const outcomes: AuthOutcome[] = [];
    return {
      outcomes,
      sink: {
        authenticationOutcome: (o: AuthOutcome) => {
          outcomes.push(o);
          return Promise.resolve();
        },
      },
    };
  };

  it('tells the sink about an accepted token with a token reference, not the token', async () => {
    const { outcomes, sink } = recording();
    const token = issuer.sign({ subject: 'u1', organisationId: org, roles: ['admin'] });
    await expect(
      run({ authorization: `Bearer ${token}`, 'user-agent': 'ua' }, undefined, sink),
    ).resolves.toBe(true);
    expect(outcomes).toEqual([
      {
        outcome: 'ACCEPTED',
        subject: 'u1',
        organisationId: org,
        roles: ['admin'],
        tokenRef: tokenRef(token),
        ip: '::ffff:127.0.0.1',
        userAgent: 'ua',
      },
    ]);
  });

  it('tells the sink the reason of a refusal, with claims only once the signature was good', async () => {
    const { outcomes, sink } = recording();
    const expired = issuer.sign({ subject: 'u2', organisationId: org, roles: ['member'] }, -600);
    await expect(run({ authorization: `Bearer ${expired}` }, undefined, sink)).rejects.toThrow(/expired/);
    const other = new LocalTokenIssuer().sign({ subject: 'forged', organisationId: org, roles: ['admin'] });
    await expect(run({ authorization: `Bearer ${other}` }, undefined, sink)).rejects.toThrow(/unknown key/);
    const valid = issuer.sign({ subject: 'u3', organisationId: org, roles: ['member'] });
    await expect(run({ authorization: `Bearer ${valid}` }, ['auditor'], sink)).rejects.toThrow(
      /roles: auditor/,
    );
    const acme = issuer.sign({ subject: 'u4', organisationId: 'acme', roles: ['admin'] });
    await expect(run({ authorization: `Bearer ${acme}` }, undefined, sink)).rejects.toThrow(
      /org is not an organisation id/,
    );
    await expect(run({ authorization: 'Basic abc' }, undefined, sink)).rejects.toThrow(
      /bearer token is required/,
    );
    await expect(run({}, undefined, sink)).rejects.toThrow(/bearer token is required/);
    expect(
      outcomes.map((o) => (o.outcome === 'REJECTED' ? [o.reason, o.subject, o.organisationId] : o.outcome)),
    ).toEqual([
      ['EXPIRED', 'u2', org],
      ['UNKNOWN_KEY', null, null],
      ['MISSING_ROLE', 'u3', org],
      ['INVALID_ORGANISATION', 'u4', 'acme'],
      ['MALFORMED', null, null],
    ]);
  });

  it('still refuses when the sink fails on a rejected token, and works with no sink at all', async () => {
    const failing = { authenticationOutcome: async () => Promise.reject(new Error('db down')) };
    await expect(run({ authorization: 'Bearer x.y.z' }, undefined, failing)).rejects.toThrow(
      /Invalid bearer token/,
    );
    const token = issuer.sign({ subject: 'u1', organisationId: org, roles: ['admin'] });
    await expect(run({ authorization: `Bearer ${token}` })).resolves.toBe(true);
  });

  it('records nothing when the identity provider cannot be read (503: no verdict on the token)', async () => {
    const { outcomes, sink } = recording();
    const unreachable = new JwtVerifier({
      keys: {
        kind: 'remote',
        key: () => Promise.reject(new TokenKeysUnavailableError('identity provider unreachable')),
        knows: () => false,
      },
      issuer: issuer.issuer,
      audience: issuer.audience,
    });
    const reflector = { getAllAndOverride: () => undefined } as unknown as Reflector;
    const request = {
      headers: { authorization: `Bearer ${issuer.sign({ subject: 'u5', organisationId: org, roles: [] })}` },
    };
    const context = {
      getHandler: () => undefined,
      getClass: () => undefined,
      switchToHttp: () => ({ getRequest: () => request }),
    } as unknown as ExecutionContext;
    await expect(new JwtAuthGuard(reflector, unreachable, sink).canActivate(context)).rejects.toMatchObject({
      code: 'AUTHENTICATION_UNAVAILABLE',
    });
    expect(outcomes).toEqual([]);
  });
});
