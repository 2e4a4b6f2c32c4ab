// Contract codegen: schemas/catalogue.yaml + schemas/avro/** → libs/contracts/src/generated/*.ts and docs/asyncapi.yaml.
//   npm run contracts:generate          write the generated files (removes stale ones)
//   npm run contracts:check             exit 1 listing every file that differs (CI drift check)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadContractsOrExit } from './lib/catalogue';
import { driftOf } from './lib/drift';
import { generateAll } from './lib/generate';
import { REPO_ROOT, workingTreeSource } from './lib/source';

function main(argv: string[]): void {
  const check = argv.includes('--check');
  const unknown = argv.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    console.error(`usage: codegen.ts [--check]   (unknown: ${unknown.join(' ')})`);
    process.exit(2);
  }
  const contracts = loadContractsOrExit(workingTreeSource());
  const files = generateAll(contracts);
  const drift = driftOf(files);
  const differing = [...drift.changed, ...drift.missing, ...drift.stale];

  if (check) {
    if (differing.length === 0) {
      console.log(`contracts: ${files.size} generated files are up to date.`);
      return;
    }
    console.error(
      'contracts: generated files are out of date with schemas/ — run `npm run contracts:generate` and commit:',
    );
    for (const f of drift.changed) console.error(`  changed  ${f}`);
    for (const f of drift.missing) console.error(`  missing  ${f}`);
    for (const f of drift.stale) console.error(`  stale    ${f}`);
    process.exit(1);
  }

  for (const rel of [...drift.changed, ...drift.missing]) {
    const abs = path.join(REPO_ROOT, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, files.get(rel) ?? '');
    console.log(`  wrote    ${rel}`);
  }
  for (const rel of drift.stale) {
    fs.rmSync(path.join(REPO_ROOT, rel));
    console.log(`  removed  ${rel}`);
  }
  console.log(
    `contracts: ${contracts.topics.length} topics, ${contracts.events.size} event types; ` +
      `${differing.length === 0 ? 'nothing changed' : `${differing.length} file(s) updated`}.`,
  );
}

main(process.argv.slice(2));
