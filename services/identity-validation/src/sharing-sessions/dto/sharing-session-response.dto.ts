import { z } from 'zod';
import { IdentityFailureCodeSymbols } from '@divit/contracts';
import type { Assert, Describes } from '@divit/service-kit';
import { BSN_PURPOSES } from '../../receipts/receipt-verifier';
import type { DeliveryAccepted, SessionView } from '../session-views';
import type { StartedSession } from '../start-session.use-case';

/** SUPERSEDED: replaced by a new session started with the same receipt before anything was delivered. */
const sessionState = z
  .enum([
    'AWAITING_DELIVERY',
    'AWAITING_CONFIRMATION',
    'VALIDATED',
    'FAILED',
    'SUPERSEDED',
    'ALLOCATION_CLOSED',
  ])
  .describe(
    'SUPERSEDED: replaced by a new session started with the same receipt before anything was delivered. ' +
      'ALLOCATION_CLOSED: the allocation ended while the session was open; not a failure (no failure code), ' +
      "the registration's validation stays.",
  );
/** What happened at MijnOverheid; null while nothing was delivered. */
const sharingOutcome = z
  .enum(['SHARED', 'ABORTED_BEFORE_LOGIN', 'ABORTED_AFTER_LOGIN', 'EXPIRED', 'FAILED'])
  .nullable()
  .describe('What happened at MijnOverheid; null while nothing was delivered.');
/** Why the identity validation failed (U1-U4, abort, expiry, technical); null unless FAILED. */
const failureCode = z
  .enum(IdentityFailureCodeSymbols)
  .nullable()
  .describe('Why the identity validation failed (U1-U4, abort, expiry, technical); null unless FAILED.');
const timestamp = z.iso.datetime();

/** POST /sharing-sessions: where to send the person, and until when the session is open. */
export const startedSessionResponseSchema = z
  .object({
    sessionId: z.uuid(),
    redirectUrl: z
      .url()
      .describe('The MijnOverheid "Gegevens delen" page (or its simulator) the person is sent to.'),
    expiresAt: timestamp,
  })
  .meta({ id: 'StartedSharingSession', description: 'A started sharing session.' });
export type StartedSessionResponse = z.infer<typeof startedSessionResponseSchema>;

/** GET /sharing-sessions/{id} and POST /sharing-sessions/{id}/confirmation. Never carries the BSN. */
export const sessionResponseSchema = z
  .object({
    sessionId: z.uuid(),
    purpose: z.enum(BSN_PURPOSES),
    subjectRole: z.enum(['HOME_SEEKER', 'CO_RESIDENT']),
    registrationId: z.uuid(),
    subjectId: z.uuid(),
    allocationId: z
      .uuid()
      .nullable()
      .describe('The allocation for BSN_AND_INCOME_AT_ALLOCATION; null for the registration purposes.'),
    state: sessionState,
    sharingOutcome,
    failureCode,
    expiresAt: timestamp,
    createdAt: timestamp,
    completedAt: timestamp.nullable(),
    validatedIdentity: z
      .object({ surnamePrefix: z.string().nullable(), surname: z.string(), birthDate: z.string() })
      .nullable()
      .describe(
        'Only while AWAITING_CONFIRMATION (registration purposes): the surname and birth date BV BSN knows, for ' +
          'the person to confirm. Never the BSN.',
      ),
  })
  .meta({ id: 'SharingSession', description: 'A sharing session: its status and outcome, never the BSN.' });
export type SessionResponse = z.infer<typeof sessionResponseSchema>;

/** POST /dvmg/deliveries: how the session stands after the delivery was processed. */
export const deliveryAcceptedResponseSchema = z
  .object({ sessionId: z.uuid(), state: sessionState, sharingOutcome, failureCode })
  .meta({
    id: 'DeliveryAccepted',
    description: 'A MijnOverheid delivery, verified and processed: how the session stands now.',
  });
export type DeliveryAcceptedResponse = z.infer<typeof deliveryAcceptedResponseSchema>;

type _StartedChecked = Assert<Describes<typeof startedSessionResponseSchema, StartedSession>>;
type _SessionChecked = Assert<Describes<typeof sessionResponseSchema, SessionView>>;
type _DeliveryChecked = Assert<Describes<typeof deliveryAcceptedResponseSchema, DeliveryAccepted>>;
