import { createLogger } from '@divit/observability';
import { BvBsnAnswer, BvBsnPort, BvBsnQuery, BvBsnUnavailableError } from './bvbsn.port';
import { normalisePostcode, sameName } from './zoekpad';
import { findTestPerson } from './test-persons.simulator';

export interface BvBsnSimulatorBehaviour {
  /** Added latency per call, ms. */
  latencyMs: number;
  /** Share of calls (0..1) that fail with a technical error. */
  errorRate: number;
  /** The next n calls fail with a technical error (scriptable from tests and the demo). */
  failNextCalls: number;
}

/**
 * SIMULATOR of RvIG's BV BSN check — not the real service. Answers zoekpad 1 and 2 from the fictional
 * test persons in test-persons.simulator.ts, with configurable latency and technical errors.
 */
export class BvBsnSimulator extends BvBsnPort {
  readonly label = 'BV BSN SIMULATOR';
  readonly calls: { zoekpad: 1 | 2; gender: string | null }[] = [];
  private readonly logger = createLogger('BvBsnSimulator');

  constructor(readonly behaviour: BvBsnSimulatorBehaviour) {
    super();
  }

  async check(query: BvBsnQuery): Promise<BvBsnAnswer> {
    this.calls.push({ zoekpad: query.zoekpad, gender: query.gender });
    if (this.behaviour.latencyMs > 0) await new Promise((r) => setTimeout(r, this.behaviour.latencyMs));
    if (this.behaviour.failNextCalls > 0) {
      this.behaviour.failNextCalls -= 1;
      throw new BvBsnUnavailableError('BV BSN SIMULATOR: scripted technical error');
    }
    if (this.behaviour.errorRate > 0 && Math.random() < this.behaviour.errorRate)
      throw new BvBsnUnavailableError('BV BSN SIMULATOR: random technical error');
    this.logger.debug('SIMULATOR BV BSN check', { zoekpad: query.zoekpad });
    const person = findTestPerson(query.bsn.reveal());
    if (!person || person.birthDate !== query.birthDate) return { found: false };
    if (query.gender !== null && person.gender !== query.gender) return { found: false };
    const answer: BvBsnAnswer = {
      found: true,
      person: { surnamePrefix: person.surnamePrefix, surname: person.surname, birthDate: person.birthDate },
    };
    if (query.zoekpad === 2) return sameName(person.surname, query.surname) ? answer : { found: false };
    const sameAddress =
      normalisePostcode(person.postcode) === normalisePostcode(query.postcode) &&
      person.houseNumber === query.houseNumber;
    return sameAddress ? answer : { found: false };
  }
}
