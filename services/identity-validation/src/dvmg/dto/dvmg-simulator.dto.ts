import { z } from 'zod';
import type { Assert, Describes } from '@divit/service-kit';
import type { SimulatedTestPerson } from '../../bvbsn/test-persons.simulator';
import { type DeliveryResult, SCRIPT_ACTIONS, type ScriptAction } from '../dvmg.simulator';

/** A fictional test person of the simulators: the BSN is a test BSN (99999xxxx) of no real person. */
export const simulatedTestPersonSchema = z
  .object({
    bsn: z
      .string()
      .regex(/^99999\d{4}$/)
      .describe(
        "A fictional test BSN (99999xxxx range, passes the eleven-test): simulator data, never a real person's.",
      ),
    surnamePrefix: z.string().nullable(),
    surname: z.string(),
    givenName: z.string(),
    birthDate: z.iso.date(),
    gender: z.enum(['M', 'V', 'O']),
    postcode: z.string(),
    houseNumber: z.number().int().min(1),
    incomes: z.array(
      z.object({
        taxYear: z.number().int(),
        amountCents: z.number().int().min(0),
        kind: z.enum(['AGGREGATE_INCOME', 'TAXABLE_WAGE']),
      }),
    ),
  })
  .meta({
    id: 'SimulatedTestPerson',
    description: 'SIMULATOR: a fictional test person; the BSN is a test BSN (99999xxxx) of no real person.',
  });

/** SIMULATOR: GET /simulators/dvmg/test-persons. */
export const testPersonsResponseSchema = z
  .object({ simulator: z.literal(true), testPersons: z.array(simulatedTestPersonSchema) })
  .describe('SIMULATOR: the fictional test persons a simulated DigiD login can pick.');
export type TestPersonsResponse = z.infer<typeof testPersonsResponseSchema>;

/** SIMULATOR: POST /simulators/dvmg/sessions/{id}/script: what the scripted flow delivered. */
export const scriptResponseSchema = z
  .object({
    simulator: z.literal(true),
    action: z.enum(SCRIPT_ACTIONS),
    delivered: z
      .boolean()
      .describe('False for TIME_OUT: MijnOverheid delivers nothing and the session expires.'),
    deliveryStatus: z
      .number()
      .int()
      .nullable()
      .describe('HTTP status the service answered the delivery with; null when nothing was delivered.'),
    deliveryResponse: z
      .unknown()
      .describe("The service's JSON answer to the delivery (a DeliveryAccepted or a problem), null if none."),
  })
  .describe('SIMULATOR: the outcome of a scripted MijnOverheid flow.');
export type ScriptResponse = z.infer<typeof scriptResponseSchema>;

/** SIMULATOR: the MijnOverheid pages (landing, login, share, abort) are HTML for a browser. */
export const simulatorPageSchema = z.string().describe('SIMULATOR: an HTML page (text/html).');

type _TestPersonChecked = Assert<Describes<typeof simulatedTestPersonSchema, SimulatedTestPerson>>;
type _ScriptChecked = Assert<
  Describes<typeof scriptResponseSchema, DeliveryResult & { simulator: true; action: ScriptAction }>
>;
