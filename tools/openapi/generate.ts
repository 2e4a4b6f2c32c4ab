// OpenAPI 3.1 documents of the services' HTTP APIs, generated from their controllers (tools/openapi/services.ts).
//   npm run openapi:generate      write docs/openapi/<service>.json (removes documents of services no longer listed)
//   npm run openapi:check         exit 1 listing every document (and operation) that differs (CI drift check)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openApiFromControllers, validateOpenApiDocument } from '@divit/service-kit';
import { discoverService, REPO_ROOT } from './discover';
import { SERVICES } from './services';

const OUT_DIR = 'docs/openapi';

async function main(argv: string[]): Promise<void> {
  const check = argv.includes('--check');
  const unknown = argv.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    console.error(`usage: generate.ts [--check]   (unknown: ${unknown.join(' ')})`);
    process.exit(2);
  }

  const files = new Map<string, string>();
  let invalid = false;
  for (const entry of SERVICES) {
    const service = await discoverService(entry);
    for (const warning of service.warnings) console.warn(`openapi: ${entry.name}: warning: ${warning}`);
    const doc = openApiFromControllers({
      info: {
        title: entry.title,
        version: service.version,
        description:
          `${service.description}\n\n` +
          'Every route needs a bearer token unless its `security` is empty; `x-roles` lists the roles of which the caller ' +
          'needs one. Errors are RFC 9457 `application/problem+json` with a machine-readable `code`; each error response ' +
          'lists the codes that lead to it.\n\n' +
          `Generated from the controllers by \`npm run openapi:generate\`; do not edit.`,
      },
      ...(service.port !== undefined
        ? { servers: [{ url: `http://127.0.0.1:${service.port}`, description: 'local (default PORT)' }] }
        : {}),
      controllers: service.controllers,
    });
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    const problems = validateOpenApiDocument(JSON.parse(text));
    if (problems.length > 0) {
      invalid = true;
      console.error(`openapi: ${entry.name}: the generated document is invalid:`);
      for (const p of problems) console.error(`  ${p}`);
    }
    const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    console.log(
      `openapi: ${entry.name}: ${service.controllers.length} controllers (${service.controllerFiles.length} files), ` +
        `${Object.keys(doc.paths).length} paths, ${operations} operations.`,
    );
    files.set(`${OUT_DIR}/${entry.name}.json`, text);
  }
  if (invalid) process.exit(1);

  const outDir = path.join(REPO_ROOT, OUT_DIR);
  const existing = fs.existsSync(outDir) ? fs.readdirSync(outDir).filter((f) => f.endsWith('.json')) : [];
  const stale = existing.map((f) => `${OUT_DIR}/${f}`).filter((rel) => !files.has(rel));
  const read = (rel: string) => {
    const abs = path.join(REPO_ROOT, rel);
    return fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : undefined;
  };
  const differing = [...files].filter(([rel, text]) => read(rel) !== text).map(([rel]) => rel);

  if (check) {
    if (differing.length === 0 && stale.length === 0) {
      console.log(`openapi: ${files.size} document(s) up to date.`);
      return;
    }
    console.error(
      'openapi: documents are out of date with the controllers — run `npm run openapi:generate` and commit:',
    );
    for (const rel of differing) {
      const current = read(rel);
      console.error(`  ${current === undefined ? 'missing' : 'changed'}  ${rel}`);
      if (current !== undefined)
        for (const line of describeDrift(current, files.get(rel) ?? '')) console.error(`      ${line}`);
    }
    for (const rel of stale) console.error(`  stale    ${rel}`);
    process.exit(1);
  }

  for (const rel of differing) {
    fs.mkdirSync(path.dirname(path.join(REPO_ROOT, rel)), { recursive: true });
    fs.writeFileSync(path.join(REPO_ROOT, rel), files.get(rel) ?? '');
    console.log(`  wrote    ${rel}`);
  }
  for (const rel of stale) {
    fs.rmSync(path.join(REPO_ROOT, rel));
    console.log(`  removed  ${rel}`);
  }
  console.log(
    `openapi: ${differing.length + stale.length === 0 ? 'nothing changed' : `${differing.length + stale.length} file(s) updated`}.`,
  );
}

/** Which operations (METHOD /path) and top-level sections differ between the committed and the generated text. */
function describeDrift(committedText: string, generatedText: string): string[] {
  let committed: Record<string, unknown>;
  try {
    committed = JSON.parse(committedText) as Record<string, unknown>;
  } catch {
    return ['(committed file is not valid JSON)'];
  }
  const generated = JSON.parse(generatedText) as Record<string, unknown>;
  const operations = (doc: Record<string, unknown>) => {
    const out = new Map<string, string>();
    for (const [p, item] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, unknown>>)) {
      for (const [method, op] of Object.entries(item))
        out.set(`${method.toUpperCase()} ${p}`, JSON.stringify(op));
    }
    return out;
  };
  const before = operations(committed);
  const after = operations(generated);
  const lines: string[] = [];
  for (const [op, text] of after) {
    if (!before.has(op)) lines.push(`added    ${op}`);
    else if (before.get(op) !== text) lines.push(`changed  ${op}`);
  }
  for (const op of before.keys()) if (!after.has(op)) lines.push(`removed  ${op}`);
  for (const key of new Set([...Object.keys(committed), ...Object.keys(generated)])) {
    if (key !== 'paths' && JSON.stringify(committed[key]) !== JSON.stringify(generated[key]))
      lines.push(`changed  ${key}`);
  }
  if (lines.length === 0) lines.push('formatting only');
  return lines;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(
    'openapi: generation failed:',
    error instanceof Error ? (error.stack ?? error.message) : error,
  );
  process.exit(1);
});
