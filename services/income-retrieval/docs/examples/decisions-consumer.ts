// Example outside consumer of divit.income-retrieval.decisions.v1 (an allocator's own system).
// Run from the repository root against the local stack:
//   npx ts-node --transpile-only services/income-retrieval/docs/examples/decisions-consumer.ts
import { Kafka } from 'kafkajs';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

interface IncomeDecisionMade {
  decisionId: string;
  allocationId: string;
  registrationId: string;
  organisationId: string;
  lettingCorporationId: string;
  outcome: 'ELIGIBLE' | 'NOT_ELIGIBLE' | 'ALTERNATIVE_ROUTE_REQUIRED' | 'EXEMPT';
  alternativeRouteReason: string | null;
  failedMemberId: string | null;
  passendCategory: string | null;
  withinPassendLimit: boolean | null;
  passend: boolean | null;
  householdSize: number;
  incomeYear: number | null;
  normVersion: string | null;
  decidedAt: number;
  evidenceReference: string;
}

const kafka = new Kafka({ clientId: 'allocator-example', brokers: ['127.0.0.1:9092'] });
const registry = new SchemaRegistry({ host: 'http://127.0.0.1:8081/apis/ccompat/v7' });
const consumer = kafka.consumer({ groupId: 'allocator-example-decisions' });

async function main(): Promise<void> {
  await consumer.connect();
  await consumer.subscribe({ topics: ['divit.income-retrieval.decisions.v1'], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (!message.value) return;
      // Confluent wire format (magic byte + schema id + Avro); the registry returns the writer schema.
      const d = (await registry.decode(message.value)) as IncomeDecisionMade;
      // Process idempotently: redelivery is possible, the decisionId (= the ce_id header) is stable.
      console.log(
        `${new Date(d.decidedAt).toISOString()} allocation ${d.allocationId}: ${d.outcome}` +
          (d.alternativeRouteReason ? ` (${d.alternativeRouteReason}, member ${d.failedMemberId})` : '') +
          (d.normVersion
            ? ` passend=${d.passend} category=${d.passendCategory} norms ${d.normVersion}`
            : '') +
          ` ce_id=${message.headers?.ce_id?.toString() ?? '-'}`,
      );
    },
  });
}

process.once('SIGINT', () => void consumer.disconnect().then(() => process.exit(0)));
void main();
