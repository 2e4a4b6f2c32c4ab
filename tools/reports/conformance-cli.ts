/**
 * `npm run report:conformance -- --organisation <uuid> --from YYYY-MM-DD --to YYYY-MM-DD [--out <dir>]`
 * Reads each service's GET /conformance-evidence as an auditor of the organisation (tokens as the demonstration
 * obtains them: Keycloak when the stack runs it) and writes conformance-<org>-<from>-<to>.json and .pdf.
 * Exits 1 when a service does not answer (no partial report), 2 on bad arguments.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { identities } from '../demo/identities';
import { clientsFor } from '../demo/lib';
import { collectConformanceReport, writeConformanceReport } from './conformance-run';

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<number> {
  const organisationId = argument('organisation');
  const from = argument('from');
  const to = argument('to');
  const out = path.resolve(argument('out') ?? 'reports');
  if (!organisationId || !from || !to) {
    process.stderr.write(
      'usage: npm run report:conformance -- --organisation <uuid> --from <date> --to <date> [--out <dir>]\n',
    );
    return 2;
  }
  const people = identities();
  try {
    const auditor = clientsFor(await people.tokenFor(organisationId, ['auditor']));
    const report = await collectConformanceReport(auditor, { organisationId, from, to });
    mkdirSync(out, { recursive: true });
    const files = await writeConformanceReport(report, out);
    process.stdout.write(`${files.join('\n')}\n`);
    for (const p of report.points) process.stdout.write(`  ${String(p.point).padStart(2)} ${p.status}\n`);
    return 0;
  } finally {
    people.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`report:conformance: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
