import { randomUUID } from 'node:crypto';
import { assertActsFor } from '@divit/service-kit';
import { cliPrincipal } from './cli-principal';

describe('billing CLI principal', () => {
  it('may import an invoice file of any payer (the CLI runs with the database credentials: an operator tool)', () => {
    const principal = cliPrincipal();
    expect(() => assertActsFor(principal, randomUUID())).not.toThrow();
    expect(() => assertActsFor(principal, randomUUID())).not.toThrow();
  });

  it('keeps the operating-system user in the subject for the access log', () => {
    expect(cliPrincipal().subject).toMatch(/^cli:.+/);
  });
});
