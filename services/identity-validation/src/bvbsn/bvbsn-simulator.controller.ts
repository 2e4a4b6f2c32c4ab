import { Controller, Get, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { ApiResult, Public, ZodBody } from '@divit/service-kit';
import { SimulatorTokenGuard } from '../common/simulator-access';
import { ApiSimulatorAccess } from '../common/simulator-openapi';
import { BvBsnSimulator, BvBsnSimulatorBehaviour } from './bvbsn.simulator';
import {
  BvBsnSimulatorBehaviourResponse,
  bvBsnSimulatorBehaviourResponseSchema,
} from './dto/bvbsn-simulator.dto';

const behaviourSchema = z.strictObject({
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  errorRate: z.number().min(0).max(1).optional(),
  failNextCalls: z.number().int().min(0).max(1000).optional(),
});

/**
 * SIMULATOR controls for the BV BSN simulator — mounted only when BVBSN_MODE=simulator and
 * SIMULATOR_ENDPOINTS_ENABLED=true; every route needs the x-simulator-token header (SIMULATOR_TOKEN).
 */
@Public()
@UseGuards(SimulatorTokenGuard)
@ApiSimulatorAccess()
@Controller('simulators/bvbsn')
export class BvBsnSimulatorController {
  constructor(@Inject(BvBsnSimulator) private readonly simulator: BvBsnSimulator) {}

  /** SIMULATOR: current latency and error settings. */
  @Get('behaviour')
  @ApiResult(bvBsnSimulatorBehaviourResponseSchema)
  behaviour(): BvBsnSimulatorBehaviourResponse {
    return { simulator: true, ...this.simulator.behaviour };
  }

  /** SIMULATOR: change latency, random error rate, or make the next n calls fail technically. */
  @Post('behaviour')
  @HttpCode(200)
  @ApiResult(bvBsnSimulatorBehaviourResponseSchema, { description: 'The settings now in force.' })
  change(@ZodBody(behaviourSchema) body: Partial<BvBsnSimulatorBehaviour>): BvBsnSimulatorBehaviourResponse {
    Object.assign(this.simulator.behaviour, body);
    return { simulator: true, ...this.simulator.behaviour };
  }
}
