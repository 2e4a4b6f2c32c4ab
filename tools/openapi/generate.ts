// OpenAPI 3.1 documents of the services' HTTP APIs, made by @nestjs/swagger from each service's module graph
// (tools/openapi/services.ts, docs/adr/0025).
//   npm run openapi:generate      write docs/openapi/<service>.json (removes documents of services no longer listed)
//   npm run openapi:check         exit 1 when a document differs from the committed one (listing the operations),
//                                 or when an operation lacks a success response schema (listing them; services
//                                 in MISSING_RESPONSE_SCHEMAS_ALLOWED_TEMPORARILY are reported only)
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { buildOpenApiDocument } from '@divit/service-kit';
import type { DynamicModule } from '@nestjs/common';
import { MISSING_RESPONSE_SCHEMAS_ALLOWED_TEMPORARILY, ServiceEntry, SERVICES } from './services';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const OUT_DIR = 'docs/openapi';

async function main(argv: string[]): Promise<void> {
  const check = argv.includes('--check');
  const unknown = argv.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    console.error(`usage: generate.ts [--check]   (unknown: ${unknown.join(' ')})`);
    process.exit(2);
  }

  const files = new Map<string, string>();
  const missingSchemas: string[] = [];
  for (const entry of SERVICES) {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, entry.root, 'package.json'), 'utf8')) as {
      version: string;
      description?: string;
    };
    const { module, port } = await applicationOf(entry);
    // Preview mode: the module graph is scanned, no provider is instantiated (no database, no broker).
    const app = await NestFactory.create(module, { preview: true, logger: false, abortOnError: false });
    let built;
    try {
      built = buildOpenApiDocument(app, {
        title: entry.title,
        version: pkg.version,
        description:
          `${pkg.description ?? ''}\n\n` +
          'Every route needs a bearer token unless its `security` is empty; `x-roles` lists the roles of which the caller ' +
          'needs one. Errors are RFC 9457 `application/problem+json` with a machine-readable `code`; each error response ' +
          'lists the codes that lead to it.\n\n' +
          'Generated from the controllers by `npm run openapi:generate`; do not edit.',
        servers: [{ url: `http://127.0.0.1:${port}`, description: 'local (default PORT)' }],
      });
    } finally {
      await app.close();
    }
    const withSchema = built.operations.filter((o) => o.hasResponseSchema).length;
    console.log(
      `openapi: ${entry.name}: ${built.operations.length} operations, ${withSchema} with a response schema.`,
    );
    const missing = built.operations.filter((o) => !o.hasResponseSchema);
    if (missing.length > 0) {
      const allowed = MISSING_RESPONSE_SCHEMAS_ALLOWED_TEMPORARILY.includes(entry.name);
      const log = allowed ? console.warn : console.error;
      log(
        `openapi: ${entry.name}: ${missing.length} operation(s) without a success response schema` +
          (allowed ? ' (allowed for now: MISSING_RESPONSE_SCHEMAS_ALLOWED_TEMPORARILY)' : '') +
          ':',
      );
      for (const o of missing) log(`  ${o.operation}  (${o.operationId})`);
      if (!allowed) missingSchemas.push(...missing.map((o) => `${entry.name}: ${o.operation}`));
    }
    files.set(`${OUT_DIR}/${entry.name}.json`, `${JSON.stringify(built.document, null, 2)}\n`);
  }
  for (const name of MISSING_RESPONSE_SCHEMAS_ALLOWED_TEMPORARILY)
    if (!SERVICES.some((s) => s.name === name))
      console.warn(
        `openapi: MISSING_RESPONSE_SCHEMAS_ALLOWED_TEMPORARILY names ${name}, which is not a service`,
      );

  const outDir = path.join(REPO_ROOT, OUT_DIR);
  const existing = fs.existsSync(outDir) ? fs.readdirSync(outDir).filter((f) => f.endsWith('.json')) : [];
  const stale = existing.map((f) => `${OUT_DIR}/${f}`).filter((rel) => !files.has(rel));
  const read = (rel: string) => {
    const abs = path.join(REPO_ROOT, rel);
    return fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : undefined;
  };
  const differing = [...files].filter(([rel, text]) => read(rel) !== text).map(([rel]) => rel);

  if (check) {
    let failed = false;
    if (differing.length > 0 || stale.length > 0) {
      failed = true;
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
    }
    if (missingSchemas.length > 0) {
      failed = true;
      console.error(
        `openapi: ${missingSchemas.length} operation(s) declare no success response schema ` +
          '(@ApiResult / @ApiFileResult / @ApiNoContentResult):',
      );
      for (const o of missingSchemas) console.error(`  ${o}`);
    }
    if (failed) process.exit(1);
    console.log(`openapi: ${files.size} document(s) up to date.`);
    return;
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
  if (missingSchemas.length > 0) process.exitCode = 1;
}

/** `AppModule.forRoot(config)` of the service, with its configuration's defaults (and the entry's env). */
async function applicationOf(entry: ServiceEntry): Promise<{ module: DynamicModule; port: number }> {
  const src = path.join(REPO_ROOT, entry.root, 'src');
  const configModule = (await import(path.join(src, entry.config.file))) as Record<string, unknown>;
  const load = configModule[entry.config.loader];
  if (typeof load !== 'function')
    throw new Error(`${entry.name}: ${entry.config.file} exports no ${entry.config.loader}`);
  const config = (load as (env: Record<string, string>) => { PORT: number })(entry.config.env ?? {});
  const { AppModule } = (await import(path.join(src, 'app.module'))) as {
    AppModule: { forRoot(config: unknown): DynamicModule };
  };
  return { module: AppModule.forRoot(config), port: config.PORT };
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
