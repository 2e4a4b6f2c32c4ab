import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiQuery } from '@nestjs/swagger';
import { ApiProblems } from '@divit/service-kit';
import { SIMULATOR_ACCESS_PARAM, SIMULATOR_TOKEN_HEADER } from './simulator-access';

/**
 * OpenAPI declaration of the simulators' own access (SimulatorTokenGuard, not the bearer token): the
 * x-simulator-token header, or for one DvMG session's pages the `access` capability of its redirect URL.
 * 401 SIMULATOR_TOKEN_INVALID without either.
 */
export function ApiSimulatorAccess(options: { sessionCapability?: boolean } = {}) {
  return applyDecorators(
    ApiHeader({
      name: SIMULATOR_TOKEN_HEADER,
      required: !options.sessionCapability,
      description: options.sessionCapability
        ? `SIMULATOR_TOKEN; not needed with the session's \`${SIMULATOR_ACCESS_PARAM}\` capability.`
        : 'SIMULATOR_TOKEN (the simulator endpoints are mounted only with SIMULATOR_ENDPOINTS_ENABLED=true).',
    }),
    ...(options.sessionCapability
      ? [
          ApiQuery({
            name: SIMULATOR_ACCESS_PARAM,
            required: false,
            schema: { type: 'string' },
            description:
              "The session's capability carried by its redirect URL (opens that session's pages only).",
          }),
        ]
      : []),
    ApiProblems('SIMULATOR_TOKEN_INVALID'),
  );
}
