// Services whose HTTP API is published as docs/openapi/<name>.json (npm run openapi:generate).
// Controllers, routes, schemas, roles, error tables, the default port and the version are read from the
// service's code; an entry only names the service and says what its metadata cannot (streamed bodies,
// non-JSON media types, responses a handler produces itself). A new service adds one entry.
import type { OperationOverride } from '@divit/service-kit';

export interface ServiceEntry {
  /** docs/openapi/<name>.json */
  name: string;
  /** The service's folder: package.json (version, description), src/**\/*.controller.ts, src/config. */
  root: string;
  title: string;
  /** Controller class name → handler name → what the decorators cannot tell. */
  overrides?: Record<string, Record<string, OperationOverride>>;
}

const csv = (description: string): OperationOverride['response'] => ({
  contentType: 'text/csv',
  schema: { type: 'string' },
  description,
});

/** The simulator endpoints' own token check (services/identity-validation/src/common/simulator-access.ts). */
const SIMULATOR_401 =
  'Unauthorized: the x-simulator-token header (SIMULATOR_TOKEN), or the session page capability, is missing or wrong (code SIMULATOR_TOKEN_INVALID).';

export const SERVICES: ServiceEntry[] = [
  {
    name: 'income-retrieval',
    root: 'services/income-retrieval',
    title: 'DIV-it income-retrieval service',
    overrides: {
      StatementsController: {
        pdf: {
          response: {
            contentType: 'application/pdf',
            schema: { type: 'string', format: 'binary' },
            description: 'The income statement as a PDF (access-logged).',
          },
        },
      },
      HealthController: {
        ready: {
          extraResponses: {
            503: 'Service Unavailable (NOT_READY): the database is unreachable or slower than HEALTH_DB_TIMEOUT_MS, migrations are pending, or a Kafka consumer has not joined its group.',
          },
        },
      },
    },
  },
  {
    name: 'consent',
    root: 'services/consent',
    title: 'DIV-it consent service',
    overrides: {
      EvidenceController: {
        pdf: {
          response: {
            contentType: 'application/pdf',
            schema: { type: 'string', format: 'binary' },
            description: 'The consent evidence of the registration as a readable PDF.',
          },
        },
      },
      HealthController: {
        ready: {
          extraResponses: {
            503: 'Service Unavailable (NOT_READY): the database is unreachable or slower than HEALTH_DB_TIMEOUT_MS, migrations are pending, or a Kafka consumer has not joined its group.',
          },
        },
      },
    },
  },
  {
    name: 'registration',
    root: 'services/registration',
    title: 'DIV-it registration service',
    overrides: {
      DossierImportController: {
        import: {
          requestBody: {
            contentType: 'text/csv',
            schema: { type: 'string' },
            description: 'The dossier file (CSV with header), streamed: any size.',
          },
        },
        concordance: { response: csv('The concordance (source dossier id → registration id) as CSV.') },
        rejects: { response: csv('The rejected rows of the load, with the reason, as CSV.') },
      },
      HealthController: {
        ready: {
          extraResponses: {
            503: 'Service Unavailable (NOT_READY): the database is unreachable or slower than HEALTH_DB_TIMEOUT_MS, migrations are pending, or a Kafka consumer has not joined its group.',
          },
        },
      },
    },
  },
  {
    name: 'billing-reconciliation',
    root: 'services/billing-reconciliation',
    title: 'DIV-it billing-reconciliation service',
    overrides: {
      InvoicesController: {
        import: {
          requestBody: {
            contentType: 'text/csv',
            schema: { type: 'string' },
            description:
              'The invoice file: text/csv (header invoiceNumber,issuer,payerOrganisationId,periodStart,periodEnd,currency,unit,count,amountCents,totalCents,creditsInvoiceNumber; one row per invoice line) or application/json ({invoices:[…]}). All or nothing: 422 INVOICE_FILE_INVALID lists every problem with line and field.',
          },
        },
      },
      ReconciliationsController: {
        statements: { response: csv('All members of the version: amounts per member and a TOTAL row, CSV.') },
        statement: {
          response: {
            contentType: 'text/csv',
            schema: { type: 'string' },
            description: 'The member statement: CSV (format=csv) or application/pdf (format=pdf).',
          },
        },
        overview: {
          response: {
            contentType: 'application/pdf',
            schema: { type: 'string', format: 'binary' },
            description: 'Coordinator overview: reconciliation summary and bar chart of cost per member.',
          },
        },
        discrepancies: {
          response: {
            contentType: 'application/json',
            description:
              'Classified differences and late usage records (format=json), or the same as CSV (format=csv).',
          },
        },
      },
      HealthController: {
        ready: {
          extraResponses: {
            503: 'Service Unavailable (NOT_READY): the database is unreachable or slower than HEALTH_DB_TIMEOUT_MS, migrations are pending, or a Kafka consumer has not joined its group.',
          },
        },
      },
    },
  },
  {
    name: 'identity-validation',
    root: 'services/identity-validation',
    title: 'DIV-it identity-validation service',
    overrides: {
      DvmgSimulatorController: {
        testPersons: { extraResponses: { 401: SIMULATOR_401 } },
        page: {
          response: { contentType: 'text/html', schema: { type: 'string' }, description: 'SIMULATOR page.' },
          extraResponses: { 401: SIMULATOR_401 },
        },
        login: {
          response: { contentType: 'text/html', schema: { type: 'string' }, description: 'SIMULATOR page.' },
          extraResponses: { 401: SIMULATOR_401 },
        },
        share: {
          response: { contentType: 'text/html', schema: { type: 'string' }, description: 'SIMULATOR page.' },
          extraResponses: { 401: SIMULATOR_401 },
        },
        abort: {
          response: { contentType: 'text/html', schema: { type: 'string' }, description: 'SIMULATOR page.' },
          extraResponses: { 401: SIMULATOR_401 },
        },
        script: { extraResponses: { 401: SIMULATOR_401 } },
      },
      BvBsnSimulatorController: {
        behaviour: { extraResponses: { 401: SIMULATOR_401 } },
        change: { extraResponses: { 401: SIMULATOR_401 } },
      },
      HealthController: {
        ready: {
          extraResponses: {
            503: 'Service Unavailable (NOT_READY): the database is unreachable or slower than HEALTH_DB_TIMEOUT_MS, migrations are pending, or a Kafka consumer has not joined its group.',
          },
        },
      },
    },
  },
  {
    name: 'retention-cleanup',
    root: 'services/retention-cleanup',
    title: 'DIV-it retention-cleanup service',
    overrides: {
      DeletionLogController: {
        csv: { response: csv('The deletion log as CSV (header line first).') },
      },
      MetricsController: {
        scrape: {
          response: {
            contentType: 'text/plain',
            schema: { type: 'string' },
            description: 'Prometheus text exposition format 0.0.4 (counts only).',
          },
        },
      },
      HealthController: {
        ready: {
          extraResponses: {
            503: 'Service Unavailable (NOT_READY): the database is unreachable or slower than HEALTH_DB_TIMEOUT_MS, migrations are pending, or a Kafka consumer has not joined its group.',
          },
        },
      },
    },
  },
];
