/**
 * `npm run report:subject-access -- --registration <id> --organisation <id> [--out <dir>]`: one person's
 * subject-access report (JSON and PDF) from the six running services, as an auditor of the organisation (tokens as
 * the demonstration gets them, tools/demo/identities.ts). Exits 1, writing nothing, when a service does not answer
 * or the output looks like it holds a BSN.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { clientsFor, say } from '../demo/lib';
import { identities } from '../demo/identities';
import { collectSections } from './collect';
import { assembleReport, writeReport } from './report';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      registration: { type: 'string' },
      organisation: { type: 'string' },
      out: { type: 'string', default: 'reports/subject-access' },
    },
  });
  const { registration, organisation, out } = values;
  if (!registration || !UUID.test(registration) || !organisation || !UUID.test(organisation))
    throw new Error('usage: --registration <uuid> --organisation <uuid> [--out <dir>]');
  const who = identities();
  try {
    const token = await who.tokenFor(organisation, ['auditor']);
    const sections = await collectSections(clientsFor(token), registration);
    const report = assembleReport({ registrationId: registration, organisationId: organisation, sections });
    const written = await writeReport(report, path.resolve(out ?? 'reports/subject-access'));
    say(`subject-access report of ${registration}: ${written.json} and ${written.pdf}`);
  } finally {
    who.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`report:subject-access: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
