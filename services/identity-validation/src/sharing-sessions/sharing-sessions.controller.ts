import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, Principal, Public, Roles, ZodValidationPipe } from '@divit/service-kit';
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
import { DeliveryAccepted, SessionView } from './session-views';
import { StartedSession, StartSession } from './start-session.use-case';

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
  start(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(startSessionSchema)) body: StartSessionDto,
  ): Promise<StartedSession> {
    return this.startSession.execute(principal, body);
  }

  /** Status and outcome; while awaiting confirmation also the validated surname and birth date (never the BSN). */
  @Get(':id')
  @Roles('allocation-system')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(sessionIdParam)) params: { id: string },
  ): Promise<SessionView> {
    return this.getSession.execute(principal, params.id);
  }

  /** The person agrees (validated) or disagrees (failure U2) with the validated surname and birth date. */
  @Post(':id/confirmation')
  @HttpCode(200)
  @Roles('allocation-system')
  confirm(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(sessionIdParam)) params: { id: string },
    @Body(new ZodValidationPipe(confirmationSchema)) body: { agrees: boolean },
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
  deliver(
    @Body(new ZodValidationPipe(deliveryEnvelopeSchema)) body: DeliveryEnvelope,
  ): Promise<DeliveryAccepted> {
    return this.receiveDelivery.execute(body);
  }
}
