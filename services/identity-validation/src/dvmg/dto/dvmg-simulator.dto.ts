import { z } from 'zod';
import type { Assert, Describes } from '../../common/schema-describes';
import type { SimulatedTestPerson } from '../../bvbsn/test-persons.simulator';
import { type DeliveryResult, SCRIPT_ACTIONS, type ScriptAction } from '../dvmg.simulator';

/** A fictional test person of the simulators: the BSN is a test BSN (99999xxxx) of no real person. */
export const simulatedTestPersonSchema = z.strictObject({
  /** A fictional test BSN (99999xxxx range, passes the eleven-test): simulator data, never a real person's. */
  bsn: z.string().regex(/^99999\d{4}$/),
  surnamePrefix: z.string().nullable(),
  surname: z.string(),
  givenName: z.string(),
  birthDate: z.iso.date(),
  gender: z.enum(['M', 'V', 'O']),
  postcode: z.string(),
  houseNumber: z.number().int().min(1),
  incomes: z.array(
    z.strictObject({
      taxYear: z.number().int(),
      amountCents: z.number().int().min(0),
      kind: z.enum(['AGGREGATE_INCOME', 'TAXABLE_WAGE']),
    }),
  ),
});

/** SIMULATOR: GET /simulators/dvmg/test-persons. */
export const testPersonsResponseSchema = z
  .strictObject({ simulator: z.literal(true), testPersons: z.array(simulatedTestPersonSchema) })
  .describe('SIMULATOR: the fictional test persons a simulated DigiD login can pick.');
export type TestPersonsResponse = z.infer<typeof testPersonsResponseSchema>;

/** SIMULATOR: POST /simulators/dvmg/sessions/{id}/script: what the scripted flow delivered. */
export const scriptResponseSchema = z
  .strictObject({
    simulator: z.literal(true),
    action: z.enum(SCRIPT_ACTIONS),
    /** False for TIME_OUT: MijnOverheid delivers nothing and the session expires. */
    delivered: z.boolean(),
    /** HTTP status the service answered the delivery with; null when nothing was delivered. */
    deliveryStatus: z.number().int().nullable(),
    /** The service's JSON answer to the delivery (a DeliveryAccepted or a problem), null if none. */
    deliveryResponse: z.unknown(),
  })
  .describe('SIMULATOR: the outcome of a scripted MijnOverheid flow.');
export type ScriptResponse = z.infer<typeof scriptResponseSchema>;

/** SIMULATOR: the MijnOverheid pages (landing, login, share, abort) are HTML for a browser. */
export const simulatorPageSchema = z.string().describe('SIMULATOR: an HTML page (text/html).');

type _TestPersonChecked = Assert<Describes<typeof simulatedTestPersonSchema, SimulatedTestPerson>>;
type _ScriptChecked = Assert<
  Describes<typeof scriptResponseSchema, DeliveryResult & { simulator: true; action: ScriptAction }>
>;
