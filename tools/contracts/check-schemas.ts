// Checks that local event schemas can be deployed without breaking anyone.
//   npm run schemas:check                              against every registered version (registry)
//   npm run schemas:check -- --against-git main        against the schemas at a git ref (no registry; CI)
//   npm run schemas:check -- --against-git main --history   ... against every version in that ref's history
// Registry mode asks the registry (POST /compatibility/subjects/{s}/versions, transitive under the
// subject's level) AND resolves the local schema with avsc against each registered version in both
// directions; any "no" from either fails. Exit 1 lists every incompatible schema.
import { errorMessage, fullCompatibilityProblems } from './lib/avro';
import { loadContractsOrExit } from './lib/catalogue';
import { readToolsConfig } from './lib/env';
import { evolutionFrom } from './lib/evolution';
import { SchemaRegistryClient } from './lib/registry';
import { gitSource, workingTreeSource } from './lib/source';
import { subjectPlans } from './lib/subjects';

async function againstRegistry(): Promise<number> {
  const config = readToolsConfig();
  const contracts = loadContractsOrExit(workingTreeSource());
  const registry = new SchemaRegistryClient(config.schemaRegistryUrl);
  const plans = subjectPlans(contracts, config);
  console.log(
    `Checking ${plans.length} schema(s) against ${config.schemaRegistryUrl}${config.topicPrefix ? ` (topic prefix '${config.topicPrefix}')` : ''}`,
  );
  const failures: string[] = [];
  for (const plan of plans) {
    const versions = await registry.versions(plan.subject);
    if (!versions || versions.length === 0) {
      console.log(`  ${plan.subject}: not registered yet (new) — ok`);
      continue;
    }
    const problems: string[] = [];
    const level = await registry.compatibility(plan.subject);
    if (level !== plan.compatibility) {
      problems.push(
        `subject compatibility is ${level ?? 'unset (global default)'}, catalogue says ${plan.compatibility} (run schemas:register)`,
      );
    }
    for (const version of versions) {
      const registered = await registry.version(plan.subject, version);
      for (const p of fullCompatibilityProblems(plan.event.schema, JSON.parse(registered.schema) as never)) {
        problems.push(
          `version ${version} (id ${registered.id}): ${p.direction === 'backward' ? 'local schema cannot read data it wrote' : 'its readers cannot read data the local schema writes'} — ${p.message}`,
        );
      }
    }
    const registryVerdict = await registry.isCompatible(plan.subject, plan.schemaText, 'all');
    if (!registryVerdict)
      problems.push(`registry says incompatible with the registered versions (${level ?? 'global level'})`);
    const same = await registry.lookup(plan.subject, plan.schemaText);
    if (problems.length === 0) {
      console.log(
        `  ${plan.subject}: compatible with versions ${versions.join(', ')}${same ? ` (identical to version ${same.version})` : ' (would be a new version)'}`,
      );
    } else {
      console.error(`  ${plan.subject}: INCOMPATIBLE (${plan.event.file})`);
      for (const p of problems) console.error(`      - ${p}`);
      failures.push(plan.subject);
    }
  }
  if (failures.length > 0) {
    console.error(
      `${failures.length} schema(s) cannot be registered under ${plans[0]?.compatibility ?? 'FULL_TRANSITIVE'}: ${failures.join(', ')}`,
    );
    return 1;
  }
  return 0;
}

function againstGit(ref: string, history: boolean): number {
  const contracts = loadContractsOrExit(workingTreeSource());
  const old = gitSource(ref);
  const report = evolutionFrom(contracts, old, history ? { ref } : undefined);
  console.log(
    `Checking working tree against ${old.label}${history ? ' and its history' : ''}: ${report.checked} comparison(s)`,
  );
  for (const n of report.notes) console.log(`  ${n.subject}: ${n.message}`);
  if (report.problems.length > 0) {
    for (const p of report.problems) console.error(`  ✗ ${p.subject}: ${p.message}`);
    console.error(
      `${report.problems.length} breaking change(s) against ${ref}. Evolve with defaults/aliases, or publish on a new topic version.`,
    );
    return 1;
  }
  console.log('  no breaking changes');
  return 0;
}

function main(argv: string[]): Promise<number> | number {
  const i = argv.indexOf('--against-git');
  if (i >= 0) {
    const ref = argv[i + 1];
    if (!ref || ref.startsWith('--')) {
      console.error('usage: check-schemas.ts [--against-git <ref> [--history]]');
      return 2;
    }
    return againstGit(ref, argv.includes('--history'));
  }
  if (argv.length > 0) {
    console.error(`usage: check-schemas.ts [--against-git <ref> [--history]]   (unknown: ${argv.join(' ')})`);
    return 2;
  }
  return againstRegistry();
}

Promise.resolve()
  .then(() => main(process.argv.slice(2)))
  .then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(errorMessage(err));
      process.exit(1);
    },
  );
