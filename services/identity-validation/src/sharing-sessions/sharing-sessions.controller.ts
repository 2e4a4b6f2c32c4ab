import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiProblems,
  ApiResult,
  CurrentPrincipal,
  Principal,
  Public,
  Roles,
  ZodBody,
  ZodParams,
} from '@divit/service-kit';
import { deliveryEnvelopeSchema, DeliveryEnvelope } from '../dvmg/dvmg-dataset';
import {
  confirmationSchema,
  sessionIdParam,
  startSessionSchema,
  StartSessionDto,
} from './dto/sharing-session.dto';
import { ConfirmIdentity } from './confirm-identity.use-case';
import { GetSession } from './get-session.use-case';
import { ReceiveDelivery } from './receive-delivery.use-case';
import { SessionView } from './session-views';
import { StartSession } from './start-session.use-case';
import {
  DeliveryAcceptedResponse,
  deliveryAcceptedResponseSchema,
  sessionResponseSchema,
  StartedSessionResponse,
  startedSessionResponseSchema,
} from './dto/sharing-session-response.dto';

/** Sharing sessions with MijnOverheid (DvMG) for one person and purpose, started with a consent receipt. */
@Controller('sharing-sessions')
export class SharingSessionsController {
  constructor(
    private readonly startSession: StartSession,
    private readonly getSession: GetSession,
    private readonly confirmIdentity: ConfirmIdentity,
  ) {}

  /** Starts a session with a valid signed consent receipt for the purpose; returns where to send the person. */
  @Post()
  @HttpCode(201)
  @Roles('allocation-system')
  @ApiResult(startedSessionResponseSchema, {
    status: 201,
    description: 'Where to send the person, and until when.',
  })
  @ApiProblems(
    'FORBIDDEN_ROLE',
    'RECEIPT_ORGANISATION_MISMATCH',
    'RECEIPT_MALFORMED',
    'RECEIPT_SIGNATURE_INVALID',
    'RECEIPT_PURPOSE_NOT_BSN',
    'RECEIPT_PURPOSE_MISMATCH',
    { code: 'RECEIPT_KEY_UNKNOWN', description: "retry: the consent service's key has not arrived yet" },
    'RECEIPT_ALREADY_USED',
    'CONSENT_WITHDRAWN',
    {
      code: 'IDENTITY_DATA_NOT_YET_RECEIVED',
      description: 'retry: the identifying data has not arrived yet',
    },
    { code: 'ALLOCATION_NOT_YET_RECEIVED', description: 'retry: the allocation has not arrived yet' },
    {
      code: 'ALLOCATION_CLOSED',
      description: 'the allocation has ended (lease signed, withdrawn or refused)',
    },
    {
      code: 'ALLOCATION_EXEMPT',
      description: 'the household is exempted from the income test: DIV-it may not be offered',
    },
    'SESSION_ALREADY_ACTIVE',
    'DVMG_UNAVAILABLE',
  )
  start(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(startSessionSchema) body: StartSessionDto,
  ): Promise<StartedSessionResponse> {
    return this.startSession.execute(principal, body);
  }

  /** Status and outcome; while awaiting confirmation also the validated surname and birth date (never the BSN). */
  @Get(':id')
  @Roles('allocation-system')
  @ApiResult(sessionResponseSchema)
  @ApiProblems({ code: 'SESSION_NOT_FOUND', description: "no such session, or another organisation's" })
  get(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(sessionIdParam) params: { id: string },
  ): Promise<SessionView> {
    return this.getSession.execute(principal, params.id);
  }

  /** The person agrees (validated) or disagrees (failure U2) with the validated surname and birth date. */
  @Post(':id/confirmation')
  @HttpCode(200)
  @Roles('allocation-system')
  @ApiResult(sessionResponseSchema, {
    description: 'The session: VALIDATED, or FAILED with U2_DATA_DISPUTED.',
  })
  @ApiProblems('SESSION_NOT_FOUND', 'SESSION_NOT_AWAITING_CONFIRMATION')
  confirm(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(sessionIdParam) params: { id: string },
    @ZodBody(confirmationSchema) body: { agrees: boolean },
  ): Promise<SessionView> {
    return this.confirmIdentity.execute(principal, params.id, body.agrees);
  }
}

/** Server-to-server deliveries from MijnOverheid, authenticated by the dataset signature (not a bearer token). */
@Public()
@Controller('dvmg')
export class DvmgDeliveriesController {
  constructor(private readonly receiveDelivery: ReceiveDelivery) {}

  /** A signed dataset for a session: verified against the stored MijnOverheid key; replays are refused. */
  @Post('deliveries')
  @HttpCode(200)
  @ApiResult(deliveryAcceptedResponseSchema)
  @ApiProblems(
    'DELIVERY_MALFORMED',
    'DELIVERY_SIGNATURE_INVALID',
    'DELIVERY_SESSION_UNKNOWN',
    'DELIVERY_REPLAYED',
    'DELIVERY_SESSION_CLOSED',
    'DELIVERY_SESSION_EXPIRED',
    'DELIVERY_KIND_MISMATCH',
    'DELIVERY_BSN_INVALID',
  )
  deliver(@ZodBody(deliveryEnvelopeSchema) body: DeliveryEnvelope): Promise<DeliveryAcceptedResponse> {
    return this.receiveDelivery.execute(body);
  }
}
