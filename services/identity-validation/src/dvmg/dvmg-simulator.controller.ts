import { Controller, Get, Header, HttpCode, Inject, Post, Req, UseGuards } from '@nestjs/common';
import { ApiConsumes } from '@nestjs/swagger';
import { z } from 'zod';
import {
  ApiFileResult,
  ApiProblems,
  ApiResult,
  DomainError,
  Public,
  registerErrorStatuses,
  ZodBody,
  ZodParams,
} from '@divit/service-kit';
import { SIMULATED_TEST_PERSONS, findTestPerson, latestIncome } from '../bvbsn/test-persons.simulator';
import { IDV_SETTINGS, IdvSettings } from '../common/settings';
import { SimulatorAccess, SimulatorTokenGuard } from '../common/simulator-access';
import { ApiSimulatorAccess } from '../common/simulator-openapi';
import { DvmgSimulator, DvmgSimulatorError, SCRIPT_ACTIONS, ScriptAction } from './dvmg.simulator';
import { ScriptResponse, scriptResponseSchema, testPersonsResponseSchema } from './dto/dvmg-simulator.dto';

type SimulatorErrorCode = DvmgSimulatorError['code'];
registerErrorStatuses({
  SIMULATED_SESSION_UNKNOWN: 404,
  SIMULATED_SESSION_DONE: 409,
  TEST_PERSON_UNKNOWN: 422,
  NOT_LOGGED_IN: 409,
} satisfies Record<SimulatorErrorCode, number>);

class SimulatorHttpError extends DomainError<SimulatorErrorCode> {}

const sessionParam = z.strictObject({ id: z.uuid() });
const scriptSchema = z.strictObject({
  action: z.enum(SCRIPT_ACTIONS),
  /** The test person who logs in (default: the first test person). */
  testPersonBsn: z
    .string()
    .regex(/^\d{9}$/)
    .optional(),
});
const loginForm = z.strictObject({ testPersonBsn: z.string().regex(/^\d{9}$/) });

interface RequestLike {
  protocol: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * SIMULATOR of the MijnOverheid "Gegevens delen" pages (DvMG) — mounted only when DVMG_MODE=simulator and
 * SIMULATOR_ENDPOINTS_ENABLED=true; every route needs the x-simulator-token header (SIMULATOR_TOKEN), or for
 * one session's pages the `access` capability its redirect URL carries.
 * A person opens the redirect URL, "logs in with DigiD" by picking a fictional test person, sees the data
 * and shares or aborts; the simulator then delivers the signed dataset server-to-server to
 * POST /dvmg/deliveries. `POST .../script` runs a whole flow in one call for tests and demos.
 */
@Public()
@UseGuards(SimulatorTokenGuard)
@Controller('simulators/dvmg')
export class DvmgSimulatorController {
  constructor(
    @Inject(DvmgSimulator) private readonly simulator: DvmgSimulator,
    @Inject(IDV_SETTINGS) private readonly settings: IdvSettings,
    @Inject(SimulatorAccess) private readonly access: SimulatorAccess,
  ) {}

  /** SIMULATOR: the fictional test persons (valid test BSNs, names, incomes). */
  @Get('test-persons')
  @ApiSimulatorAccess()
  @ApiResult(testPersonsResponseSchema)
  testPersons() {
    return { simulator: true, testPersons: SIMULATED_TEST_PERSONS };
  }

  /** SIMULATOR: the MijnOverheid landing page: simulated DigiD login (pick a test person) or cancel. */
  @Get('sessions/:id')
  @Header('content-type', 'text/html; charset=utf-8')
  @ApiSimulatorAccess({ sessionCapability: true })
  @ApiFileResult('text/html', {
    description: 'SIMULATOR: the landing page (log in as a test person, or cancel).',
  })
  @ApiProblems('SIMULATED_SESSION_UNKNOWN')
  async page(@ZodParams(sessionParam) params: { id: string }): Promise<string> {
    const session = await this.guardAsync(() => this.simulator.session(params.id));
    const access = this.access.redirectQuery(params.id);
    const options = SIMULATED_TEST_PERSONS.map(
      (p) =>
        `<option value="${p.bsn}">${esc(p.givenName)} ${esc(p.surnamePrefix ?? '')} ${esc(p.surname)} (${p.bsn})</option>`,
    ).join('');
    return html(
      `<p>Gegevens delen (${session.kind === 'BSN' ? 'BSN' : 'BSN en inkomen'}).</p>
       <form method="post" action="${params.id}/login${access}"><label>Inloggen met DigiD (SIMULATOR) als testpersoon
       <select name="testPersonBsn">${options}</select></label> <button type="submit">Inloggen</button></form>
       <form method="post" action="${params.id}/abort${access}"><button type="submit">Annuleren</button></form>`,
    );
  }

  /** SIMULATOR: DigiD login as a test person; shows the data to be shared. */
  @Post('sessions/:id/login')
  @HttpCode(200)
  @Header('content-type', 'text/html; charset=utf-8')
  @ApiSimulatorAccess({ sessionCapability: true })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiFileResult('text/html', { description: 'SIMULATOR: logged in; the data to be shared.' })
  @ApiProblems('SIMULATED_SESSION_UNKNOWN', 'SIMULATED_SESSION_DONE', 'TEST_PERSON_UNKNOWN')
  async login(
    @ZodParams(sessionParam) params: { id: string },
    @ZodBody(loginForm) body: { testPersonBsn: string },
  ): Promise<string> {
    await this.guardAsync(() => this.simulator.login(params.id, body.testPersonBsn));
    const person = findTestPerson(body.testPersonBsn)!;
    const session = await this.simulator.session(params.id);
    const access = this.access.redirectQuery(params.id);
    const income = session.kind === 'BSN_AND_INCOME' ? latestIncome(person) : null;
    return html(
      `<p>Ingelogd als ${esc(person.givenName)} ${esc(person.surname)}.</p>
       <p>Te delen: BSN ${person.bsn}${income ? `, inkomen ${income.taxYear}: € ${(income.amountCents / 100).toFixed(2)}` : ''}</p>
       <form method="post" action="share"><button type="submit">Delen</button></form>
       <form method="post" action="abort"><button type="submit">Annuleren</button></form>`.replace(
        /action="(share|abort)"/g,
        (_m, a: string) => `action="/simulators/dvmg/sessions/${params.id}/${a}${access}"`,
      ),
    );
  }

  /** SIMULATOR: the person shares; the signed dataset is delivered server-to-server. */
  @Post('sessions/:id/share')
  @HttpCode(200)
  @Header('content-type', 'text/html; charset=utf-8')
  @ApiSimulatorAccess({ sessionCapability: true })
  @ApiFileResult('text/html', { description: 'SIMULATOR: shared; the HTTP status of the delivery.' })
  @ApiProblems('SIMULATED_SESSION_UNKNOWN', 'SIMULATED_SESSION_DONE', 'NOT_LOGGED_IN')
  async share(@ZodParams(sessionParam) params: { id: string }, @Req() req: RequestLike) {
    const result = await this.guardAsync(() => this.simulator.share(params.id, this.deliveryUrl(req)));
    return html(`<p>Gegevens gedeeld. Levering: HTTP ${result.deliveryStatus ?? '-'}.</p>`);
  }

  /** SIMULATOR: the person cancels (before or after login); MijnOverheid reports the abort. */
  @Post('sessions/:id/abort')
  @HttpCode(200)
  @Header('content-type', 'text/html; charset=utf-8')
  @ApiSimulatorAccess({ sessionCapability: true })
  @ApiFileResult('text/html', { description: 'SIMULATOR: cancelled; the HTTP status of the abort report.' })
  @ApiProblems('SIMULATED_SESSION_UNKNOWN', 'SIMULATED_SESSION_DONE')
  async abort(@ZodParams(sessionParam) params: { id: string }, @Req() req: RequestLike) {
    const result = await this.guardAsync(() => this.simulator.abort(params.id, this.deliveryUrl(req)));
    return html(`<p>Geannuleerd. Levering: HTTP ${result.deliveryStatus ?? '-'}.</p>`);
  }

  /** SIMULATOR: a whole flow in one call (SHARE, ABORT_BEFORE_LOGIN, ABORT_AFTER_LOGIN, TIME_OUT, BAD_SIGNATURE, OTHER_PERSON). */
  @Post('sessions/:id/script')
  @HttpCode(200)
  @ApiSimulatorAccess({ sessionCapability: true })
  @ApiResult(scriptResponseSchema)
  @ApiProblems('SIMULATED_SESSION_UNKNOWN', 'SIMULATED_SESSION_DONE', 'TEST_PERSON_UNKNOWN')
  async script(
    @ZodParams(sessionParam) params: { id: string },
    @ZodBody(scriptSchema) body: { action: ScriptAction; testPersonBsn?: string },
    @Req() req: RequestLike,
  ): Promise<ScriptResponse> {
    const result = await this.guardAsync(() =>
      this.simulator.script(params.id, body.action, body.testPersonBsn, this.deliveryUrl(req)),
    );
    return { simulator: true, action: body.action, ...result };
  }

  private deliveryUrl(req: RequestLike): string {
    if (this.settings.dvmgSimulatorDeliveryUrl) return this.settings.dvmgSimulatorDeliveryUrl;
    const host = req.headers.host;
    return `${req.protocol}://${typeof host === 'string' ? host : '127.0.0.1'}/dvmg/deliveries`;
  }

  private async guardAsync<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof DvmgSimulatorError) throw new SimulatorHttpError(error.code, error.message);
      throw error;
    }
  }
}

function html(body: string): string {
  return `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>SIMULATOR — MijnOverheid Gegevens delen</title></head>
<body><p style="background:#c00;color:#fff;padding:4px"><strong>SIMULATOR</strong> — dit is niet MijnOverheid; alleen fictieve testpersonen.</p>
<h1>MijnOverheid — Gegevens delen (SIMULATOR)</h1>${body}</body></html>`;
}

function esc(value: string): string {
  return value.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
