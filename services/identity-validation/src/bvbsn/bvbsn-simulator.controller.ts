import { Body, Controller, Get, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { Public, ZodValidationPipe } from '@divit/service-kit';
import { SimulatorTokenGuard } from '../common/simulator-access';
import { BvBsnSimulator, BvBsnSimulatorBehaviour } from './bvbsn.simulator';

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
@Controller('simulators/bvbsn')
export class BvBsnSimulatorController {
  constructor(@Inject(BvBsnSimulator) private readonly simulator: BvBsnSimulator) {}

  /** SIMULATOR: current latency and error settings. */
  @Get('behaviour')
  behaviour(): BvBsnSimulatorBehaviour & { simulator: true } {
    return { simulator: true, ...this.simulator.behaviour };
  }

  /** SIMULATOR: change latency, random error rate, or make the next n calls fail technically. */
  @Post('behaviour')
  @HttpCode(200)
  change(
    @Body(new ZodValidationPipe(behaviourSchema)) body: Partial<BvBsnSimulatorBehaviour>,
  ): BvBsnSimulatorBehaviour & { simulator: true } {
    Object.assign(this.simulator.behaviour, body);
    return { simulator: true, ...this.simulator.behaviour };
  }
}
