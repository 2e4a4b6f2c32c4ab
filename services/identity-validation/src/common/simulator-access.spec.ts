import { SimulatorAccess } from './simulator-access';

const token = 'a'.repeat(43);
const access = new SimulatorAccess(token);
const sessionA = '0b9c4c0e-9f1e-4d7a-9a53-2f7c8a1f0001';
const sessionB = '0b9c4c0e-9f1e-4d7a-9a53-2f7c8a1f0002';

describe('SimulatorAccess', () => {
  it('allows the token in the header, refuses none, a wrong one, a prefix or an extension of it', () => {
    expect(access.allows({ headers: { 'x-simulator-token': token } })).toBe(true);
    expect(access.allows({ headers: {} })).toBe(false);
    for (const wrong of ['b'.repeat(43), token.slice(1), `${token}a`, ''])
      expect(access.allows({ headers: { 'x-simulator-token': wrong } })).toBe(false);
    expect(access.allows({ headers: { 'x-simulator-token': [token, token] } })).toBe(false);
  });

  it("a session's capability opens that session only, and never stands in for the token elsewhere", () => {
    const capability = access.capability(sessionA);
    expect(access.redirectQuery(sessionA)).toBe(`?access=${capability}`);
    expect(access.allows({ headers: {}, params: { id: sessionA }, query: { access: capability } })).toBe(
      true,
    );
    expect(access.allows({ headers: {}, params: { id: sessionB }, query: { access: capability } })).toBe(
      false,
    );
    expect(access.allows({ headers: {}, query: { access: capability } })).toBe(false);
    expect(access.allows({ headers: { 'x-simulator-token': capability } })).toBe(false);
    // Another token gives other capabilities.
    expect(new SimulatorAccess('c'.repeat(43)).capability(sessionA)).not.toBe(capability);
  });
});
