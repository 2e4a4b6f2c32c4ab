import { Controller, Get, Put } from '@nestjs/common';
import { z } from 'zod';
import { ApiProblems, ApiResult, CurrentPrincipal, Roles, ZodBody, ZodParams } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { NormsResolver } from './norms-resolver';
import { FIRST_LEASE_YEAR, LAST_LEASE_YEAR, NormSet, normSetSchema } from './norms';
import { NormsService } from './norms.service';
import { NormSetInForce, normSetsInForceSchema, PublishedNorms, publishedNormsSchema } from './norms.schemas';

export const leaseYearParam = z.strictObject({
  /** A lease year from 2024 (the start of DIV-it) to 2099. */
  leaseYear: z
    .string()
    .regex(/^\d{4}$/, 'a year YYYY')
    .transform(Number)
    .refine(
      (y) => y >= FIRST_LEASE_YEAR && y <= LAST_LEASE_YEAR,
      `must be a year from ${FIRST_LEASE_YEAR} to ${LAST_LEASE_YEAR}`,
    ),
});

/**
 * The income norms in force: the sets shipped with the service (files, validated at boot) and those the platform
 * operator published at run time, with their assumptions and sources.
 */
@Controller('norms')
export class NormsController {
  constructor(
    private readonly norms: NormsService,
    private readonly resolver: NormsResolver,
  ) {}

  @Get()
  @Roles('allocation-system', 'coordinator', 'member', 'auditor', 'finance', 'admin', 'platform-operator')
  @ApiResult(normSetsInForceSchema, { description: 'Every norm set in force, by validFrom.' })
  list(): Promise<NormSetInForce[]> {
    return this.norms.list();
  }

  /**
   * Publishes a lease year's income norms (the body is a norm file, `src/norms/data/<year>.json`): the platform
   * operator only, as they apply to every organisation (ADR 0014). Published norms are immutable: the same set
   * again answers `created: false`; other norms for a year that has some answer 409. Allocations that awaited this
   * year's norms are decided right after (ADR 0017); `awaitingAllocations` says how many there were.
   */
  @Put(':leaseYear')
  @Roles('platform-operator')
  @ApiResult(publishedNormsSchema, {
    description: 'The norms in force for the year (`created: false` on a repeat).',
  })
  @ApiProblems('NORMS_YEAR_MISMATCH', 'NORMS_ALREADY_PUBLISHED', 'NORMS_VERSION_TAKEN')
  async publish(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(leaseYearParam) params: { leaseYear: number },
    @ZodBody(normSetSchema) body: NormSet,
  ): Promise<PublishedNorms> {
    const published = await this.norms.publish(principal, params.leaseYear, body);
    if (published.created || published.awaitingAllocations > 0) void this.resolver.kick();
    return published;
  }
}
