/**
 * Billing command line (see the service README):
 *   node services/billing-reconciliation/dist/cli/billing-cli.js import-invoices --file F [--format csv|json]
 *   node services/billing-reconciliation/dist/cli/billing-cli.js export-reports --reconciliation ID --out DIR
 * Database settings come from the service's environment (PGHOST, PGPORT, DB_NAME, DB_USER, DB_PASSWORD).
 * Progress goes to stderr; the result as JSON to stdout. Exit codes: 0 done · 2 usage · 3 bad file (problem
 * report on stdout, nothing imported) · 4 not found · 1 unexpected failure.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { AccessLogService } from '@divit/access-log';
import { configureLogging } from '@divit/observability';
import { createProgressBar } from '@divit/service-kit';
import { loadBillingConfigOrExit } from '../config/billing.config';
import { billingDataSourceOptions } from '../database/data-source';
import { InvoicesRepository } from '../invoices/invoices.repository';
import { InvoicesService } from '../invoices/invoices.service';
import { InvoiceError } from '../invoices/invoices.errors';
import { UsageLedgerRepository } from '../ledger/usage-ledger.repository';
import { OrganisationsRepository } from '../organisations/organisations.repository';
import { ReconciliationRepository } from '../reconciliation/reconciliation.repository';
import * as render from '../reports/render';
import { TariffsRepository } from '../tariffs/tariffs.repository';
import { TariffsService } from '../tariffs/tariffs.service';
import { cliPrincipal } from './cli-principal';

const EXIT = { ok: 0, unexpected: 1, usage: 2, badFile: 3, notFound: 4 } as const;
const USAGE = `usage:
  billing-cli.js import-invoices --file F [--format csv|json]
  billing-cli.js export-reports --reconciliation ID --out DIR`;

class UsageError extends Error {}

/** Progress on stderr, drawn only on a terminal (createProgressBar, cli-progress). */
const progressFormat = (label: string) => ({
  format: `${label} [{bar}] {percentage}% {value}/{total}  ETA {eta_formatted}`,
});

async function importInvoices(
  ds: DataSource,
  config: ReturnType<typeof loadBillingConfigOrExit>,
  args: string[],
): Promise<number> {
  const { values } = parseArgs({ args, options: { file: { type: 'string' }, format: { type: 'string' } } });
  if (!values.file) throw new UsageError('--file is required');
  const format = (values.format ?? (values.file.endsWith('.json') ? 'json' : 'csv')) as 'csv' | 'json';
  if (format !== 'csv' && format !== 'json') throw new UsageError('--format is csv or json');
  const content = await readFile(values.file, 'utf8');
  const totalLines = format === 'csv' ? content.split('\n').length : 1;
  const progress = createProgressBar(progressFormat('checking'));
  progress.start(totalLines);
  const service = new InvoicesService(
    ds,
    new InvoicesRepository(),
    new OrganisationsRepository(),
    new TariffsService(ds, new TariffsRepository(), config),
  );
  try {
    const result = await service.import(cliPrincipal(), format, content, (line) => {
      if (line % 1000 === 0) progress.update(line);
    });
    progress.update(totalLines);
    process.stdout.write(
      `${JSON.stringify({ imported: result.invoices.length, invoices: result.invoices.map((i) => i.invoiceNumber) })}\n`,
    );
    return EXIT.ok;
  } catch (error) {
    if (error instanceof InvoiceError && error.code === 'INVOICE_FILE_INVALID') {
      process.stdout.write(`${JSON.stringify({ imported: 0, problems: error.details?.problems })}\n`);
      return EXIT.badFile;
    }
    throw error;
  } finally {
    progress.stop();
  }
}

async function exportReports(ds: DataSource, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { reconciliation: { type: 'string' }, out: { type: 'string' } },
  });
  if (!values.reconciliation || !values.out) throw new UsageError('--reconciliation and --out are required');
  const row = await new ReconciliationRepository().byId(ds.manager, values.reconciliation);
  if (!row) {
    process.stderr.write('no reconciliation with this id\n');
    return EXIT.notFound;
  }
  // Settlement reports name organisations and amounts: this user only (0700 folder, 0600 files).
  await mkdir(values.out, { recursive: true, mode: 0o700 });
  const ids = [row.payerOrganisationId, ...row.result.split.parts.map((p) => p.memberId)];
  const names = await new OrganisationsRepository().names(ds.manager, ids);
  const scope = await new OrganisationsRepository().scope(
    ds.manager,
    row.payerOrganisationId,
    row.periodStart,
    row.periodEnd,
  );
  const late = await new UsageLedgerRepository().late(
    ds.manager,
    scope?.organisationIds ?? [row.payerOrganisationId],
    row.periodStart,
    row.periodEnd,
  );
  const v = `v${row.version}`;
  const files: string[] = [];
  const write = async (name: string, body: string | Buffer) => {
    await writeFile(join(values.out!, name), body, { mode: 0o600 });
    await chmod(join(values.out!, name), 0o600); // an existing file keeps its mode on write
    files.push(name);
  };
  await write(`statements-${v}.csv`, render.statementsCsv(row, names));
  await write(`overview-${v}.pdf`, await render.overviewPdf(row, names));
  await write(`discrepancies-${v}.csv`, render.discrepanciesCsv(row, late));
  await write(
    `discrepancies-${v}.json`,
    JSON.stringify({ discrepancies: row.result.discrepancies, lateUsage: late }, null, 2),
  );
  const parts = row.result.split.parts;
  const progress = createProgressBar(progressFormat('statements'));
  progress.start(parts.length);
  try {
    for (let i = 0; i < parts.length; i++) {
      const member = parts[i]!.memberId;
      await write(`statement-${member}-${v}.csv`, render.statementCsv(row, member, names));
      await write(`statement-${member}-${v}.pdf`, await render.statementPdf(row, member, names));
      progress.update(i + 1);
    }
  } finally {
    progress.stop();
  }
  await new AccessLogService(ds).record({
    principal: cliPrincipal(),
    action: 'REPORTS_EXPORTED_CLI',
    resourceType: 'reconciliation',
    resourceId: row.reconciliationId,
    organisationId: row.payerOrganisationId,
    origin: { ip: null, userAgent: 'billing-cli' },
  });
  process.stdout.write(`${JSON.stringify({ out: values.out, files })}\n`);
  return EXIT.ok;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadBillingConfigOrExit();
  configureLogging({ service: 'billing-reconciliation-cli', level: 'warn' });
  const ds = new DataSource(billingDataSourceOptions(config));
  await ds.initialize();
  try {
    switch (command) {
      case 'import-invoices':
        return await importInvoices(ds, config, rest);
      case 'export-reports':
        return await exportReports(ds, rest);
      default:
        throw new UsageError(`unknown command ${command ?? '(none)'}`);
    }
  } finally {
    await ds.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      process.exit(EXIT.usage);
    }
    process.stderr.write(`failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(EXIT.unexpected);
  },
);
