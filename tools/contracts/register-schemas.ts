// Registers every event schema of the catalogue under its subject (<topic>-<record full name>), after
// setting the subject's compatibility (FULL_TRANSITIVE). Idempotent: an unchanged schema keeps its id.
// The deploy step that producers rely on (they never auto-register).
//   SCHEMA_REGISTRY_URL=... KAFKA_TOPIC_PREFIX=... npm run schemas:register
//   KAFKA_TOPIC_PREFIX=tmp-x- npm run schemas:register -- --delete   remove this prefix's subjects (tests only)
import { errorMessage } from './lib/avro';
import { loadContractsOrExit } from './lib/catalogue';
import { readToolsConfig } from './lib/env';
import { RegistryError, SchemaRegistryClient } from './lib/registry';
import { workingTreeSource } from './lib/source';
import { subjectPlans } from './lib/subjects';

async function main(argv: string[]): Promise<number> {
  const config = readToolsConfig();
  const contracts = loadContractsOrExit(workingTreeSource());
  const registry = new SchemaRegistryClient(config.schemaRegistryUrl);
  const plans = subjectPlans(contracts, config);
  if (argv.length > 0 && !(argv.length === 1 && argv[0] === '--delete')) {
    console.error('usage: register-schemas.ts [--delete]');
    return 2;
  }
  if (argv[0] === '--delete') {
    // Test/experiment clean-up only: refuses to touch unprefixed (real) subjects.
    if (!config.topicPrefix) {
      console.error('--delete only works with a KAFKA_TOPIC_PREFIX (it is for test and experiment subjects)');
      return 2;
    }
    for (const plan of plans) {
      if ((await registry.versions(plan.subject)) === undefined) continue;
      await registry.deleteSubject(plan.subject);
      console.log(`  deleted  ${plan.subject}`);
    }
    return 0;
  }
  console.log(
    `Registering ${plans.length} schema(s) at ${config.schemaRegistryUrl}${config.topicPrefix ? ` (topic prefix '${config.topicPrefix}')` : ''}`,
  );
  let failures = 0;
  for (const plan of plans) {
    try {
      // Config first: Apicurio accepts PUT /config for a subject that has no versions yet, so even the
      // second version is already checked at FULL_TRANSITIVE.
      await registry.setCompatibility(plan.subject, plan.compatibility);
      const before = await registry.lookup(plan.subject, plan.schemaText);
      const id = await registry.register(plan.subject, plan.schemaText);
      const after = before ?? (await registry.lookup(plan.subject, plan.schemaText));
      const state = before ? 'unchanged' : 'registered';
      console.log(
        `  ${plan.subject} → id ${id}${after ? ` (version ${after.version})` : ''} ${state} [${plan.compatibility}]`,
      );
    } catch (err) {
      failures++;
      const incompatible = err instanceof RegistryError && err.status === 409;
      console.error(
        `  ${plan.subject} ✗ ${incompatible ? 'INCOMPATIBLE with registered versions: ' : ''}${errorMessage(err)}`,
      );
    }
  }
  if (failures > 0) {
    console.error(`${failures} subject(s) failed. Run \`npm run schemas:check\` for details.`);
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(errorMessage(err));
    process.exit(1);
  },
);
