import { z } from 'zod';
import type { Assert, Describes } from '@divit/service-kit';
import type { BvBsnSimulatorBehaviour } from '../bvbsn.simulator';

/** SIMULATOR: GET and POST /simulators/bvbsn/behaviour: the BV BSN simulator's current settings. */
export const bvBsnSimulatorBehaviourResponseSchema = z
  .object({
    simulator: z.literal(true).describe("Always true: this is the simulator, not RvIG's BV BSN."),
    latencyMs: z.number().int().min(0).describe('Added latency per call, ms.'),
    errorRate: z.number().min(0).max(1).describe('Share of calls (0..1) that fail with a technical error.'),
    failNextCalls: z.number().int().min(0).describe('The next n calls fail with a technical error.'),
  })
  .describe('SIMULATOR: latency and error settings of the BV BSN simulator.');
export type BvBsnSimulatorBehaviourResponse = z.infer<typeof bvBsnSimulatorBehaviourResponseSchema>;

type _BehaviourChecked = Assert<
  Describes<typeof bvBsnSimulatorBehaviourResponseSchema, BvBsnSimulatorBehaviour & { simulator: true }>
>;
