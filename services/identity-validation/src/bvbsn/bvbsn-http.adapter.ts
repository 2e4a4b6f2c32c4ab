import { z } from 'zod';
import { MutualTlsJsonClient } from '../common/mtls-client';
import { BvBsnAnswer, BvBsnPort, BvBsnQuery, BvBsnUnavailableError } from './bvbsn.port';

const answerSchema = z.union([
  z.object({
    found: z.literal(true),
    person: z.object({
      surnamePrefix: z.string().nullable(),
      surname: z.string().min(1),
      birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    }),
  }),
  z.object({ found: z.literal(false) }),
]);

/**
 * Adapter to the real BV BSN (RvIG) over mutual TLS. RvIG's interface is not public to this project;
 * **[assumption]** the protocol is JSON over HTTPS: `POST {BVBSN_BASE_URL}/zoekpad/{1|2}` with the query
 * fields (`bsn`, `surname`, `birthDate`, `gender` M/V/O, `postcode`, `houseNumber`, `houseNumberAddition`)
 * answering `{found: true, person: {surnamePrefix, surname, birthDate}}` or `{found: false}`. Replace the
 * mapping here when the real specification is available; the port stays the same. It never works without
 * BVBSN_BASE_URL and the TLS files configured (config validation refuses to start).
 */
export class BvBsnHttpAdapter extends BvBsnPort {
  readonly label = 'BV BSN (real, mutual TLS)';

  constructor(private readonly client: MutualTlsJsonClient) {
    super();
  }

  async check(query: BvBsnQuery): Promise<BvBsnAnswer> {
    const body =
      query.zoekpad === 2
        ? {
            bsn: query.bsn.reveal(),
            surname: query.surname,
            birthDate: query.birthDate,
            gender: query.gender,
          }
        : {
            bsn: query.bsn.reveal(),
            birthDate: query.birthDate,
            gender: query.gender,
            postcode: query.postcode,
            houseNumber: query.houseNumber,
            houseNumberAddition: query.houseNumberAddition,
          };
    let response: { status: number; json: unknown };
    try {
      response = await this.client.post(`zoekpad/${query.zoekpad}`, body);
    } catch (error) {
      throw new BvBsnUnavailableError(
        `BV BSN unreachable: ${error instanceof Error ? error.message : 'error'}`,
      );
    }
    if (response.status === 404) return { found: false };
    if (response.status !== 200) throw new BvBsnUnavailableError(`BV BSN answered HTTP ${response.status}`);
    const parsed = answerSchema.safeParse(response.json);
    if (!parsed.success) throw new BvBsnUnavailableError('BV BSN answer has an unexpected shape');
    return parsed.data;
  }
}
