// Generates the typed HTTP clients' types from the services' OpenAPI documents:
//   npm run openapi:clients          docs/openapi/<service>.json → libs/api-clients/src/generated/<service>.ts
//   npm run openapi:clients -- --check   exit 1 when a generated file differs from what its document gives
// openapi-typescript (pinned in package.json) writes the `paths`/`components`/`operations` types that
// openapi-fetch (libs/api-clients) checks every call against: path, parameters, body and response.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const DOCS = path.join(ROOT, 'docs/openapi');
const OUT = path.join(ROOT, 'libs/api-clients/src/generated');
const CLI = path.join(ROOT, 'node_modules/openapi-typescript/bin/cli.js');

function generate(document: string, target: string): void {
  execFileSync(process.execPath, [CLI, document, '--output', target, '--alphabetize'], { stdio: 'pipe' });
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const documents = readdirSync(DOCS)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const scratch = mkdtempSync(path.join(tmpdir(), 'divit-clients-'));
  let stale = 0;
  try {
    for (const file of documents) {
      const name = file.replace(/\.json$/, '');
      const fresh = path.join(scratch, `${name}.ts`);
      generate(path.join(DOCS, file), fresh);
      const text = readFileSync(fresh, 'utf8');
      const target = path.join(OUT, `${name}.ts`);
      let current = '';
      try {
        current = readFileSync(target, 'utf8');
      } catch {
        current = '';
      }
      if (current === text) {
        console.log(`  ok       ${path.relative(ROOT, target)}`);
        continue;
      }
      if (check) {
        stale++;
        console.error(`  STALE    ${path.relative(ROOT, target)} (from docs/openapi/${file})`);
      } else {
        writeFileSync(target, text);
        console.log(`  written  ${path.relative(ROOT, target)}`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (stale > 0) {
    console.error(`${stale} client type file(s) are stale: run npm run openapi:clients and commit them.`);
    return 1;
  }
  return 0;
}

process.exit(main(process.argv.slice(2)));
