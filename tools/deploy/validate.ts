// Checks docker-compose.yml, deploy/k8s/*.yaml and deploy/docker/Dockerfile.service against the code:
// every service's environment against its zod config schema, ports, probes, images, dependencies
// and secrets. Docker and Kubernetes cannot run on the dev/CI machines, so this is what keeps the
// deploy files honest.
//   npm run deploy:validate        one line per check; exit 1 on any failure
//
// Naming conventions the checks rely on (so adding a service is adding entries, not code):
//   compose: service <name> (long-running) and <name>-migrate (one-shot), contracts-init (one-shot)
//   k8s:     Deployment + Service <name>, Job <name>-migrate, Job contracts-init, ConfigMaps for envFrom
//   images:  divit/<name> built with --build-arg SERVICE=<name>; divit/contracts-tools (--target tools)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments, parseDocument } from 'yaml';
import type { z } from 'zod';
import { productionProblems } from '@divit/config/src/production-mode';
import { billingConfigSchema } from '@divit/billing-reconciliation-service/src/config/billing.config';
import { consentConfigSchema } from '@divit/consent-service/src/config/consent.config';
import { identityValidationConfigSchema } from '@divit/identity-validation-service/src/config/identity-validation.config';
import { incomeRetrievalConfigSchema } from '@divit/income-retrieval-service/src/config/income-retrieval.config';
import { retentionCleanupConfigSchema } from '@divit/retention-cleanup-service/src/config/retention-cleanup.config';
import { registrationConfigSchema } from '@divit/registration-service/src/config/registration.config';

/** THE table: every deployable service (folder under services/) and its config schema. Add new services here. */
const SERVICES = {
  registration: registrationConfigSchema,
  consent: consentConfigSchema,
  'identity-validation': identityValidationConfigSchema,
  'income-retrieval': incomeRetrievalConfigSchema,
  'billing-reconciliation': billingConfigSchema,
  'retention-cleanup': retentionCleanupConfigSchema,
} satisfies Record<string, z.ZodObject>;

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const COMPOSE_FILE = 'docker-compose.yml';
const K8S_DIR = 'deploy/k8s';
const DOCKERFILE = 'deploy/docker/Dockerfile.service';
const TOOLS_ENV_SOURCE = 'tools/contracts/lib/env.ts';
const TOOLS_JOB = 'contracts-init';
const TOOLS_IMAGE = 'divit/contracts-tools';
const TOOLS_TARGET = 'tools';
const IMAGE_PREFIX = 'divit/';
/** Keys whose values must come from a secret store, never a literal in a committed file. */
const SECRET_KEY = /(^|_)(PASSWORD|SECRET|KEY|TOKEN)(_|$)/i;
/** `*_FILE` settings hold the path of a mounted secret, not the secret: under this folder. */
const SECRET_FILE_DIR = '/run/secrets/';
const isSecretValueKey = (name: string): boolean => SECRET_KEY.test(name) && !name.endsWith('_FILE');
const isSecretFileKey = (name: string): boolean => SECRET_KEY.test(name) && name.endsWith('_FILE');
/** The uid of the images' `node` user. */
const NON_ROOT_UID = 1000;

// ------------------------------------------------------------------------------------------ output
let failures = 0;
let checks = 0;
function check(ok: boolean, label: string, problems: readonly string[] = []): void {
  checks += 1;
  if (ok && problems.length === 0) {
    console.log(`ok    ${label}`);
    return;
  }
  failures += 1;
  console.log(`FAIL  ${label}`);
  for (const p of problems.length > 0 ? problems : ['failed']) console.log(`        - ${p}`);
}
/** Runs one check from a list of problems (empty = pass). */
function expectNone(label: string, problems: readonly string[]): void {
  check(problems.length === 0, label, problems);
}

// ------------------------------------------------------------------------------------------ helpers
type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const dict = (v: unknown): Dict => (isDict(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const scalarText = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
const readRepoFile = (rel: string): string | undefined => {
  const file = path.join(REPO_ROOT, rel);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
};
const repoPathExists = (rel: string): boolean => fs.existsSync(path.join(REPO_ROOT, rel));
/** `divit/registration:0.1.0` → `divit/registration` (a registry host prefix is kept). */
const imageRepository = (image: string): string =>
  image.replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^/:]+$/, '');

function parseYamlDocuments(rel: string, text: string): unknown[] {
  const docs = parseAllDocuments(text, { merge: true });
  const values: unknown[] = [];
  const errors: string[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    for (const e of doc.errors) errors.push(e.message);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) values.push(value);
  }
  expectNone(`${rel}: parses as YAML`, errors);
  return values;
}

// ------------------------------------------------------------------------------------------ schemas
type FieldKind = { kind: 'required' } | { kind: 'optional' } | { kind: 'default'; value: unknown };

/** zod v4: isOptional() is true for optional and defaulted fields; safeParse(undefined) yields the default. */
function fieldKind(field: z.ZodType): FieldKind {
  if (!field.isOptional()) return { kind: 'required' };
  const result = field.safeParse(undefined);
  return result.success && result.data !== undefined
    ? { kind: 'default', value: result.data }
    : { kind: 'optional' };
}

interface SchemaInfo {
  readonly shape: Record<string, z.ZodType>;
  readonly required: string[];
  readonly defaultPort: number | undefined;
}
function schemaInfo(schema: z.ZodObject): SchemaInfo {
  const shape = schema.shape as Record<string, z.ZodType>;
  const required = Object.keys(shape).filter((k) => fieldKind(shape[k]!).kind === 'required');
  const port = shape.PORT ? fieldKind(shape.PORT) : undefined;
  return {
    shape,
    required,
    defaultPort: port?.kind === 'default' && typeof port.value === 'number' ? port.value : undefined,
  };
}

/** An environment variable as a deploy file sets it. */
interface EnvEntry {
  readonly name: string;
  /** The value when known at validation time (a literal, or an interpolation's default). */
  readonly value: string | undefined;
  /** Where the value comes from: literal text, compose interpolation, k8s secret/configmap/field reference. */
  readonly source: 'literal' | 'interpolated' | 'secret' | 'configmap' | 'field' | 'other';
}

/** The environment checks every app container (compose or k8s) gets. */
function checkServiceEnv(
  where: string,
  schemaName: string,
  info: SchemaInfo,
  env: readonly EnvEntry[],
): void {
  const names = env.map((e) => e.name);
  const dupes = names.filter((n, i) => names.indexOf(n) !== i);
  expectNone(
    `${where}: no variable set twice`,
    [...new Set(dupes)].map((n) => `${n} is set more than once`),
  );
  expectNone(
    `${where}: every variable is a key of ${schemaName} (${env.length} set)`,
    env
      .filter((e) => !(e.name in info.shape))
      .map((e) => `${e.name} is not a key of ${schemaName}${suggest(e.name, Object.keys(info.shape))}`),
  );
  expectNone(
    `${where}: every required key of ${schemaName} is provided (${info.required.length} required)`,
    info.required
      .filter((k) => !names.includes(k))
      .map((k) => `${k} is required (no default, not optional) but not set`),
  );
  const badValues: string[] = [];
  for (const e of env) {
    const field = info.shape[e.name];
    if (!field || e.value === undefined) continue;
    const result = field.safeParse(e.value);
    // Issue messages only, never the value (it may be a secret).
    if (!result.success) badValues.push(`${e.name}: ${result.error.issues.map((i) => i.message).join('; ')}`);
  }
  expectNone(`${where}: known values parse with ${schemaName}`, badValues);
  expectNone(
    `${where}: secret-like keys come from secrets, not literals`,
    env
      .filter((e) => isSecretValueKey(e.name) && e.source !== 'secret' && e.source !== 'interpolated')
      .map(
        (e) =>
          `${e.name} is a ${e.source} value; use ${where.startsWith('k8s') ? 'valueFrom.secretKeyRef' : 'a ${VAR} placeholder without default'}`,
      ),
  );
}

/** Secret-like `*_FILE` settings point at a mounted secret under /run/secrets/ (the mount is checked per format). */
function secretFiles(where: string, env: readonly EnvEntry[]): EnvEntry[] {
  const files = env.filter((e) => isSecretFileKey(e.name));
  expectNone(
    `${where}: secret files are read from ${SECRET_FILE_DIR} (${files.length} set)`,
    files
      .filter((e) => !(e.value ?? '').startsWith(SECRET_FILE_DIR))
      .map(
        (e) => `${e.name} is ${e.value ?? 'not a literal path'}, expected a path under ${SECRET_FILE_DIR}`,
      ),
  );
  return files;
}

/**
 * What the process would run with: known values parsed by the schema, defaults for what is not set.
 * Checked with the same rules the services apply at start (libs/config/src/production-mode.ts), so the
 * deploy files are production-shaped: DIVIT_ENVIRONMENT=production and no simulator or development switch.
 */
function checkProductionShaped(where: string, info: SchemaInfo, env: readonly EnvEntry[]): void {
  const values: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(info.shape)) {
    const entry = env.find((e) => e.name === key);
    if (entry?.value !== undefined) {
      const parsed = field.safeParse(entry.value);
      values[key] = parsed.success ? parsed.data : entry.value;
    } else if (!entry) {
      const kind = fieldKind(field);
      if (kind.kind === 'default') values[key] = kind.value;
    }
  }
  expectNone(
    `${where}: DIVIT_ENVIRONMENT=production`,
    values.DIVIT_ENVIRONMENT === 'production'
      ? []
      : [`DIVIT_ENVIRONMENT is ${scalarText(values.DIVIT_ENVIRONMENT) ?? 'not known'}`],
  );
  expectNone(
    `${where}: no simulator or development switch (production mode refuses them at start)`,
    productionProblems({ ...values, DIVIT_ENVIRONMENT: 'production' }, new Set(env.map((e) => e.name))).map(
      (p) => `${p.key}: ${p.reason}`,
    ),
  );
}

/**
 * In a container the HTTP server must listen on every interface (the platform's default is loopback).
 * Checked once the config schema has the bind-address key HTTP_HOST.
 */
function checkBindHost(where: string, info: SchemaInfo, env: readonly EnvEntry[]): void {
  if (!('HTTP_HOST' in info.shape)) {
    check(true, `${where}: bind address (the schema has no HTTP_HOST key; nothing to set)`);
    return;
  }
  const host = env.find((e) => e.name === 'HTTP_HOST')?.value;
  expectNone(
    `${where}: HTTP_HOST=0.0.0.0 (reachable from outside the container)`,
    host === '0.0.0.0' ? [] : [`HTTP_HOST is ${host ?? 'not set (the default is loopback)'}`],
  );
}

/** DB_NAME and DB_USER are the database and role deploy/postgres/10-service-databases.sh creates. */
function checkDatabaseNames(where: string, service: string, env: readonly EnvEntry[]): void {
  const expected = `divit_${service.replace(/-/g, '_')}`;
  expectNone(
    `${where}: DB_NAME and DB_USER are ${expected} (the database and role the init script creates)`,
    env
      .filter(
        (e) =>
          (e.name === 'DB_NAME' || e.name === 'DB_USER') && e.value !== undefined && e.value !== expected,
      )
      .map((e) => `${e.name} is ${e.value ?? '?'}, expected ${expected}`),
  );
}

function suggest(name: string, keys: readonly string[]): string {
  const distance = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i]![j] = Math.min(
          d[i - 1]![j]! + 1,
          d[i]![j - 1]! + 1,
          d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
    return d[a.length]![b.length]!;
  };
  const best = keys.map((k) => ({ k, d: distance(name, k) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= 3 ? ` (did you mean ${best.k}?)` : '';
}

/** The port a service listens on: its PORT setting, else the schema default. */
function effectivePort(where: string, info: SchemaInfo, env: readonly EnvEntry[]): number | undefined {
  const set = env.find((e) => e.name === 'PORT');
  const port = set?.value !== undefined ? Number(set.value) : info.defaultPort;
  check(
    port !== undefined && Number.isInteger(port),
    `${where}: listening port known (${port ?? '?'})`,
    port === undefined ? ['PORT is neither set nor defaulted in the schema'] : [],
  );
  return port;
}

/** The keys the contract tools read (env.X in tools/contracts/lib/env.ts). */
function toolsEnvKeys(): Set<string> {
  const text = readRepoFile(TOOLS_ENV_SOURCE) ?? '';
  const keys = new Set([...text.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));
  check(
    keys.size > 0,
    `${TOOLS_ENV_SOURCE}: environment keys of the contract tools found (${[...keys].join(', ')})`,
  );
  return keys;
}

function checkToolsEnv(where: string, keys: Set<string>, env: readonly EnvEntry[]): void {
  expectNone(
    `${where}: every variable is read by the contract tools`,
    env
      .filter((e) => !keys.has(e.name))
      .map((e) => `${e.name} is not read by ${TOOLS_ENV_SOURCE}${suggest(e.name, [...keys])}`),
  );
  expectNone(
    `${where}: KAFKA_BROKERS and SCHEMA_REGISTRY_URL are set`,
    ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL']
      .filter((k) => !env.some((e) => e.name === k))
      .map((k) => `${k} is not set (the default points at 127.0.0.1)`),
  );
}

// ------------------------------------------------------------------------------------------ Dockerfile
interface DockerfileInfo {
  readonly stages: string[];
}
function checkDockerfile(): DockerfileInfo {
  const text = readRepoFile(DOCKERFILE);
  check(text !== undefined, `${DOCKERFILE}: exists`);
  if (text === undefined) return { stages: [] };
  const lines = text.split('\n').map((l) => l.trim());
  const froms = lines.filter((l) => /^FROM\s/i.test(l));
  const stages = froms.map((l) => /\sAS\s+(\S+)/i.exec(l)?.[1] ?? '').filter(Boolean);
  const bases = froms.map((l) => l.split(/\s+/)[1] ?? '').filter((b) => !stages.includes(b));
  expectNone(
    `${DOCKERFILE}: external base images are node:20-bookworm-slim`,
    bases.filter((b) => b !== 'node:20-bookworm-slim').map((b) => `base image ${b}`),
  );
  expectNone(`${DOCKERFILE}: has ARG SERVICE and the stages runtime (last) and ${TOOLS_TARGET}`, [
    ...(lines.some((l) => /^ARG\s+SERVICE\b/.test(l)) ? [] : ['no ARG SERVICE']),
    ...(stages.at(-1) === 'runtime'
      ? []
      : [`last stage is ${stages.at(-1) ?? '(none)'}, not runtime (the default target)`]),
    ...(stages.includes(TOOLS_TARGET) ? [] : [`no stage ${TOOLS_TARGET}`]),
  ]);
  // Split into stages to check USER and CMD where they matter.
  const stageBody = (name: string): string[] => {
    const start = lines.findIndex((l) => /^FROM\s/i.test(l) && new RegExp(`\\sAS\\s+${name}$`, 'i').test(l));
    if (start < 0) return [];
    const end = lines.findIndex((l, i) => i > start && /^FROM\s/i.test(l));
    return lines.slice(start, end < 0 ? undefined : end);
  };
  for (const stage of ['runtime', TOOLS_TARGET]) {
    const users = stageBody(stage).filter((l) => /^USER\s/i.test(l));
    const user = users.at(-1)?.split(/\s+/)[1];
    check(
      user !== undefined && user !== 'root' && user !== '0',
      `${DOCKERFILE}: stage ${stage} runs as a non-root user (${user ?? 'none'})`,
    );
  }
  const runtimeText = stageBody('runtime').join('\n');
  check(
    /\bDIVIT_ENVIRONMENT=production\b/.test(runtimeText),
    `${DOCKERFILE}: stage runtime sets DIVIT_ENVIRONMENT=production (containers refuse simulators by default)`,
  );
  const cmd = stageBody('runtime').find((l) => /^CMD\s/i.test(l)) ?? '';
  expectNone(
    `${DOCKERFILE}: runtime CMD starts services/\${SERVICE}/dist/main.js`,
    cmd.includes('services/${SERVICE}/dist/main.js') ? [] : [cmd ? `CMD is ${cmd}` : 'no CMD'],
  );
  return { stages };
}

// ------------------------------------------------------------------------------------------ compose
/** Compose interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}, $VAR; $$ escapes. */
function composeValue(raw: unknown): {
  value: string | undefined;
  interpolated: boolean;
  literalDefault: boolean;
} {
  const text = scalarText(raw);
  if (text === undefined) return { value: undefined, interpolated: false, literalDefault: false };
  let interpolated = false;
  let literalDefault = false;
  let unknown = false;
  const value = text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (m, _n, op: string | undefined, arg: string | undefined) => {
      if (m === '$$') return '$';
      interpolated = true;
      if (op === ':-' || op === '-') {
        literalDefault = true;
        return arg ?? '';
      }
      unknown = true;
      return '';
    },
  );
  return { value: unknown ? undefined : value, interpolated, literalDefault };
}

/** The image name with compose interpolations resolved (defaults used, others left as `x`). */
function composeImage(service: Dict): string {
  const raw = str(service.image) ?? '';
  return composeValue(raw).value ?? raw.replace(/\$\{[^}]*\}/g, 'x');
}

function composeEnv(service: Dict): EnvEntry[] {
  const environment = service.environment;
  const pairs: [string, unknown][] = Array.isArray(environment)
    ? list(environment).map((item) => {
        const s = scalarText(item) ?? '';
        const i = s.indexOf('=');
        return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
      })
    : Object.entries(dict(environment));
  return pairs.map(([name, raw]) => {
    const v = composeValue(raw);
    // A secret with a default is still a literal in the file.
    const source = v.interpolated && !v.literalDefault ? 'interpolated' : 'literal';
    return { name, value: v.value, source };
  });
}

/** Container ports a compose service publishes or exposes. */
function composeContainerPorts(service: Dict): number[] {
  const out: number[] = [];
  for (const p of [...list(service.ports), ...list(service.expose)]) {
    if (isDict(p)) {
      const target = Number(p.target);
      if (Number.isInteger(target)) out.push(target);
      continue;
    }
    const text = (scalarText(p) ?? '').replace(/\/(tcp|udp)$/, '');
    const container = Number(text.split(':').at(-1));
    if (Number.isInteger(container)) out.push(container);
  }
  return out;
}

function healthcheckText(service: Dict): string {
  const test = dict(service.healthcheck).test;
  return Array.isArray(test)
    ? list(test)
        .map((t) => scalarText(t) ?? '')
        .join(' ')
    : (scalarText(test) ?? '');
}

function dependsOn(service: Dict): Map<string, string> {
  const deps = service.depends_on;
  if (Array.isArray(deps)) return new Map(list(deps).map((d) => [scalarText(d) ?? '', 'service_started']));
  return new Map(
    Object.entries(dict(deps)).map(([name, spec]) => [name, str(dict(spec).condition) ?? 'service_started']),
  );
}

function commandText(command: unknown): string {
  return Array.isArray(command)
    ? list(command)
        .map((c) => scalarText(c) ?? '')
        .join(' ')
    : (scalarText(command) ?? '');
}

/** Our containers run as the image's non-root user, also when the image is swapped: `user:` says so. */
function checkComposeUser(where: string, service: Dict): void {
  const user = scalarText(service.user);
  const uid = user?.split(':')[0];
  expectNone(
    `${where}: runs as a non-root user (user: ${user ?? 'not set'})`,
    uid !== undefined && uid !== '0' && uid !== 'root' ? [] : [`set user: '${NON_ROOT_UID}:${NON_ROOT_UID}'`],
  );
}

/** The files a compose service's secrets appear as (/run/secrets/<target or name>) → the secret's name. */
function composeSecretTargets(service: Dict): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of list(service.secrets)) {
    const name = isDict(item) ? str(item.source) : scalarText(item);
    if (!name) continue;
    const target = isDict(item) ? (str(item.target) ?? name) : name;
    out.set(target.startsWith('/') ? target : `${SECRET_FILE_DIR}${target}`, name);
  }
  return out;
}

function checkCompose(dockerfile: DockerfileInfo, toolsKeys: Set<string>): void {
  const text = readRepoFile(COMPOSE_FILE);
  check(text !== undefined, `${COMPOSE_FILE}: exists`);
  if (text === undefined) return;
  const doc = parseDocument(text, { merge: true });
  expectNone(
    `${COMPOSE_FILE}: parses as YAML`,
    doc.errors.map((e) => e.message),
  );
  const services = dict(dict(doc.toJS()).services);
  const topSecrets = dict(dict(doc.toJS()).secrets);
  const names = Object.keys(services);
  check(names.length > 0, `${COMPOSE_FILE}: defines services (${names.join(', ')})`);

  // Every compose service.
  for (const [name, raw] of Object.entries(services)) {
    const svc = dict(raw);
    const build = isDict(svc.build) ? svc.build : undefined;
    const problems: string[] = [];
    if (!str(svc.image) && !svc.build) problems.push('neither image nor build');
    if (svc.build !== undefined && !build)
      problems.push('build must be a mapping with context and dockerfile');
    if (build) {
      if (str(build.dockerfile) !== DOCKERFILE)
        problems.push(`build.dockerfile is ${String(build.dockerfile)}, expected ${DOCKERFILE}`);
      if (str(build.context) !== '.')
        problems.push(`build.context is ${String(build.context)}, expected . (the repository root)`);
      const target = str(build.target);
      if (target && !dockerfile.stages.includes(target))
        problems.push(`build.target ${target} is not a stage of ${DOCKERFILE}`);
    }
    expectNone(`compose ${name}: image/build reference ${build ? DOCKERFILE : str(svc.image)}`, problems);

    const deps = dependsOn(svc);
    const depProblems: string[] = [];
    for (const [dep, condition] of deps) {
      const target = services[dep];
      if (!isDict(target)) depProblems.push(`depends on ${dep}, which is not a service`);
      else if (condition === 'service_healthy' && !isDict(target.healthcheck))
        depProblems.push(`waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
      else if (condition === 'service_completed_successfully' && str(target.restart) !== 'no')
        depProblems.push(`waits for ${dep} to complete, but ${dep} is not restart: "no"`);
      else if (!['service_started', 'service_healthy', 'service_completed_successfully'].includes(condition))
        depProblems.push(`unknown condition ${condition} for ${dep}`);
    }
    if (deps.size > 0)
      expectNone(
        `compose ${name}: depends_on ${[...deps].map(([d, c]) => `${d} (${c})`).join(', ')}`,
        depProblems,
      );

    const secretLiterals = composeEnv(svc).filter(
      (e) => isSecretValueKey(e.name) && e.source !== 'interpolated',
    );
    expectNone(
      `compose ${name}: secret-like variables are \${VAR} placeholders`,
      secretLiterals.map(
        (e) => `${e.name} is a literal (or has a literal default); use \${${e.name}:?...} and set it in .env`,
      ),
    );

    // App images must belong to a service in the table (or be the tools image).
    const image = composeImage(svc);
    if (image.startsWith(IMAGE_PREFIX)) {
      const repo = imageRepository(image);
      const known = repo === TOOLS_IMAGE || Object.keys(SERVICES).some((s) => repo === `${IMAGE_PREFIX}${s}`);
      check(
        known,
        `compose ${name}: image ${repo} belongs to a service in the table of tools/deploy/validate.ts`,
        known ? [] : [`add ${repo.slice(IMAGE_PREFIX.length)} to SERVICES`],
      );
    }
  }

  // The tools job.
  const tools = services[TOOLS_JOB];
  check(isDict(tools), `compose ${TOOLS_JOB}: present`);
  if (isDict(tools)) {
    const build = dict(tools.build);
    expectNone(`compose ${TOOLS_JOB}: ${TOOLS_IMAGE} built from target ${TOOLS_TARGET}, restart "no"`, [
      ...(imageRepository(composeImage(tools)) === TOOLS_IMAGE
        ? []
        : [`image is ${String(tools.image)}, expected ${TOOLS_IMAGE}:<tag>`]),
      ...(str(build.target) === TOOLS_TARGET
        ? []
        : [`build.target is ${String(build.target)}, expected ${TOOLS_TARGET}`]),
      ...(str(tools.restart) === 'no' ? [] : ['restart must be "no" (one-shot job)']),
    ]);
    checkToolsEnv(`compose ${TOOLS_JOB}`, toolsKeys, composeEnv(tools));
    checkComposeUser(`compose ${TOOLS_JOB}`, tools);
  }

  // Every service of the table.
  for (const [service, schema] of Object.entries(SERVICES)) {
    const info = schemaInfo(schema);
    const schemaName = `${service} config schema`;
    const app = services[service];
    const migrate = services[`${service}-migrate`];
    check(isDict(app), `compose ${service}: present`);
    check(isDict(migrate), `compose ${service}-migrate: present`);
    for (const [name, raw] of [
      [service, app],
      [`${service}-migrate`, migrate],
    ] as const) {
      if (!isDict(raw)) continue;
      const where = `compose ${name}`;
      const build = dict(raw.build);
      expectNone(`${where}: image ${IMAGE_PREFIX}${service} built with SERVICE=${service}`, [
        ...(imageRepository(composeImage(raw)) === `${IMAGE_PREFIX}${service}`
          ? []
          : [`image is ${String(raw.image)}, expected ${IMAGE_PREFIX}${service}:<tag>`]),
        ...(scalarText(dict(build.args).SERVICE) === service
          ? []
          : [`build.args.SERVICE is ${String(dict(build.args).SERVICE)}, expected ${service}`]),
        ...(build.target === undefined || build.target === 'runtime'
          ? []
          : [`build.target is ${scalarText(build.target) ?? '?'}, expected runtime (default)`]),
        ...(repoPathExists(`services/${service}/src/main.ts`)
          ? []
          : [`services/${service}/src/main.ts does not exist`]),
      ]);
      const env = composeEnv(raw);
      checkServiceEnv(where, schemaName, info, env);
      checkDatabaseNames(where, service, env);
      checkPlatformHosts(where, env, services);
      checkProductionShaped(where, info, env);
      checkComposeUser(where, raw);
      const mounted = composeSecretTargets(raw);
      expectNone(
        `${where}: secret files are compose secrets of the service, defined at the top level`,
        secretFiles(where, env)
          .filter((e) => e.value?.startsWith(SECRET_FILE_DIR))
          .flatMap((e) => {
            const name = mounted.get(e.value!);
            if (name === undefined) return [`${e.name}: ${e.value!} is not one of the service's secrets`];
            return isDict(topSecrets[name])
              ? []
              : [`${e.name}: secret ${name} is not defined under secrets:`];
          }),
      );
    }
    if (isDict(migrate)) {
      const cmd = commandText(migrate.command);
      const expected = `node services/${service}/dist/database/migrate.js run`;
      expectNone(`compose ${service}-migrate: one-shot '${expected}'`, [
        ...(cmd === expected ? [] : [`command is '${cmd}'`]),
        ...(str(migrate.restart) === 'no' ? [] : ['restart must be "no"']),
        ...(repoPathExists(`services/${service}/src/database/migrate.ts`)
          ? []
          : [`services/${service}/src/database/migrate.ts does not exist`]),
      ]);
    }
    if (isDict(app)) {
      const env = composeEnv(app);
      checkBindHost(`compose ${service}`, info, env);
      const capDrop = list(app.cap_drop).map((c) => scalarText(c));
      const securityOpt = list(app.security_opt).map((c) => scalarText(c));
      expectNone(`compose ${service}: read-only root filesystem, no capabilities, no privilege escalation`, [
        ...(app.read_only === true ? [] : ['read_only: true missing']),
        ...(capDrop.includes('ALL') ? [] : ['cap_drop: [ALL] missing']),
        ...(securityOpt.includes('no-new-privileges:true')
          ? []
          : ['security_opt: [no-new-privileges:true] missing']),
      ]);
      const port = effectivePort(`compose ${service}`, info, env);
      const ports = composeContainerPorts(app);
      expectNone(
        `compose ${service}: container ports [${ports.join(', ')}] equal the service port ${port ?? '?'}`,
        [
          ...(ports.length > 0 ? [] : ['no ports/expose']),
          ...ports
            .filter((p) => p !== port)
            .map((p) => `container port ${p} is not the service port ${port ?? '?'}`),
        ],
      );
      const hc = healthcheckText(app);
      expectNone(`compose ${service}: healthcheck calls /health/* on port ${port ?? '?'}`, [
        ...(hc ? [] : ['no healthcheck']),
        ...(hc && !new RegExp(`:${port ?? 'x'}/health/(live|ready)\\b`).test(hc)
          ? [`healthcheck '${hc}' does not call :${port ?? '?'}/health/live or /health/ready`]
          : []),
      ]);
      const deps = dependsOn(app);
      expectNone(`compose ${service}: starts after ${service}-migrate and ${TOOLS_JOB} completed`, [
        ...(deps.get(`${service}-migrate`) === 'service_completed_successfully'
          ? []
          : [`depends_on ${service}-migrate: condition service_completed_successfully missing`]),
        ...(deps.get(TOOLS_JOB) === 'service_completed_successfully'
          ? []
          : [`depends_on ${TOOLS_JOB}: condition service_completed_successfully missing`]),
      ]);
      check(
        app.command === undefined,
        `compose ${service}: runs the image's CMD`,
        app.command === undefined ? [] : [`command is '${commandText(app.command)}'`],
      );
    }
  }
}

/** KAFKA_BROKERS, SCHEMA_REGISTRY_URL and PGHOST name services of the same compose file. */
function checkPlatformHosts(where: string, env: readonly EnvEntry[], services: Dict): void {
  const hosts: [string, string][] = [];
  for (const e of env) {
    if (e.value === undefined) continue;
    if (e.name === 'KAFKA_BROKERS')
      for (const b of e.value.split(',')) hosts.push([e.name, b.trim().split(':')[0] ?? '']);
    if (e.name === 'SCHEMA_REGISTRY_URL' || e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT')
      hosts.push([e.name, URL.canParse(e.value) ? new URL(e.value).hostname : e.value]);
    if (e.name === 'PGHOST') hosts.push([e.name, e.value]);
  }
  expectNone(
    `${where}: platform hosts are compose services (${hosts.map(([k, h]) => `${k}→${h}`).join(', ') || 'none set'})`,
    hosts
      .filter(([, h]) => !isDict(services[h]))
      .map(([k, h]) => `${k} points at ${h}, which is not a service of ${COMPOSE_FILE}`),
  );
}

// ------------------------------------------------------------------------------------------ k8s
interface Manifest {
  readonly file: string;
  readonly kind: string;
  readonly name: string;
  readonly body: Dict;
}

function loadManifests(): Manifest[] {
  const dir = path.join(REPO_ROOT, K8S_DIR);
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
    : [];
  check(files.length > 0, `${K8S_DIR}: has manifests (${files.join(', ')})`);
  const out: Manifest[] = [];
  for (const file of files) {
    const rel = `${K8S_DIR}/${file}`;
    const docs = parseYamlDocuments(rel, fs.readFileSync(path.join(dir, file), 'utf8'));
    const problems: string[] = [];
    for (const [i, doc] of docs.entries()) {
      const body = dict(doc);
      const kind = str(body.kind);
      const name = str(dict(body.metadata).name);
      if (!str(body.apiVersion) || !kind || !name)
        problems.push(`document ${i + 1} lacks apiVersion, kind or metadata.name`);
      else out.push({ file: rel, kind, name, body });
    }
    expectNone(`${rel}: ${docs.length} document(s) with apiVersion, kind and name`, problems);
  }
  const keys = out.map((m) => `${m.kind}/${m.name}`);
  expectNone(
    `${K8S_DIR}: no kind/name defined twice`,
    [...new Set(keys.filter((k, i) => keys.indexOf(k) !== i))].map((k) => `${k} is defined more than once`),
  );
  return out;
}

const find = (manifests: readonly Manifest[], kind: string, name: string): Manifest | undefined =>
  manifests.find((m) => m.kind === kind && m.name === name);
const podSpec = (m: Manifest): Dict => dict(dict(dict(m.body.spec).template).spec);
const containers = (m: Manifest): Dict[] => list(podSpec(m).containers).map(dict);

/** Resolves a container's env + envFrom into entries; problems for dangling ConfigMap references. */
function k8sEnv(container: Dict, manifests: readonly Manifest[], problems: string[]): EnvEntry[] {
  const out: EnvEntry[] = [];
  for (const from of list(container.envFrom).map(dict)) {
    const cmName = str(dict(from.configMapRef).name);
    if (cmName) {
      const cm = find(manifests, 'ConfigMap', cmName);
      if (!cm) problems.push(`envFrom ConfigMap ${cmName} is not defined in ${K8S_DIR}`);
      for (const [k, v] of Object.entries(dict(cm?.body.data)))
        out.push({ name: k, value: scalarText(v), source: 'configmap' });
    } else if (from.secretRef) {
      problems.push('envFrom secretRef hides which keys are set; use env[].valueFrom.secretKeyRef per key');
    }
  }
  for (const e of list(container.env).map(dict)) {
    const name = str(e.name) ?? '';
    const from = dict(e.valueFrom);
    if (e.value !== undefined) {
      if (typeof e.value !== 'string') problems.push(`env ${name}: value must be a string (quote it)`);
      out.push({ name, value: scalarText(e.value), source: 'literal' });
    } else if (from.secretKeyRef) {
      out.push({ name, value: undefined, source: 'secret' });
    } else if (from.configMapKeyRef) {
      const ref = dict(from.configMapKeyRef);
      const cm = find(manifests, 'ConfigMap', str(ref.name) ?? '');
      const data = dict(cm?.body.data);
      const key = str(ref.key) ?? '';
      if (!cm) problems.push(`env ${name}: ConfigMap ${String(ref.name)} is not defined in ${K8S_DIR}`);
      else if (!(key in data)) problems.push(`env ${name}: ConfigMap ${String(ref.name)} has no key ${key}`);
      out.push({ name, value: scalarText(data[key]), source: 'configmap' });
    } else if (from.fieldRef) {
      out.push({ name, value: undefined, source: 'field' });
    } else {
      out.push({ name, value: undefined, source: 'other' });
    }
  }
  return out;
}

/** A probe/targetPort (number or name) → the container port number. */
function resolvePort(port: unknown, container: Dict): number | undefined {
  const ports = list(container.ports).map(dict);
  if (typeof port === 'number') return port;
  const named = ports.find((p) => p.name === port);
  return named && typeof named.containerPort === 'number' ? named.containerPort : undefined;
}

function checkResources(where: string, container: Dict): void {
  const r = dict(container.resources);
  expectNone(`${where}: resources requests (cpu, memory) and memory limit`, [
    ...(dict(r.requests).cpu === undefined ? ['no resources.requests.cpu'] : []),
    ...(dict(r.requests).memory === undefined ? ['no resources.requests.memory'] : []),
    ...(dict(r.limits).memory === undefined ? ['no resources.limits.memory'] : []),
  ]);
}

/** Pod and container security: non-root uid, no privilege escalation, no capabilities, read-only root. */
function checkK8sSecurity(where: string, m: Manifest, c: Dict): void {
  const pod = dict(podSpec(m).securityContext);
  const container = dict(c.securityContext);
  const uid = container.runAsUser ?? pod.runAsUser;
  const drop = list(dict(container.capabilities).drop).map((d) => scalarText(d));
  expectNone(`${where}: non-root, no privilege escalation, capabilities dropped, read-only root filesystem`, [
    ...(pod.runAsNonRoot === true || container.runAsNonRoot === true ? [] : ['runAsNonRoot: true missing']),
    ...(uid === undefined || (typeof uid === 'number' && uid > 0)
      ? []
      : [`runAsUser ${scalarText(uid) ?? '?'} is root`]),
    ...(container.allowPrivilegeEscalation === false ? [] : ['allowPrivilegeEscalation: false missing']),
    ...(drop.includes('ALL') ? [] : ['capabilities.drop: [ALL] missing']),
    ...(container.readOnlyRootFilesystem === true ? [] : ['readOnlyRootFilesystem: true missing']),
  ]);
}

/** Mount paths of the container's volumes that are Secrets. */
function k8sSecretMounts(m: Manifest, c: Dict): string[] {
  const secretVolumes = new Set(
    list(podSpec(m).volumes)
      .map(dict)
      .filter((v) => isDict(v.secret))
      .map((v) => str(v.name) ?? ''),
  );
  return list(c.volumeMounts)
    .map(dict)
    .filter((vm) => secretVolumes.has(str(vm.name) ?? ''))
    .map((vm) => str(vm.mountPath) ?? '');
}

/** A PodDisruptionBudget selects the Deployment's pods and keeps at least one (and lets one go). */
function checkDisruptionBudget(
  where: string,
  manifests: readonly Manifest[],
  m: Manifest,
  replicas: number,
): void {
  const labels = dict(dict(dict(dict(m.body.spec).template).metadata).labels);
  const budgets = manifests.filter((x) => {
    if (x.kind !== 'PodDisruptionBudget') return false;
    const selector = Object.entries(dict(dict(dict(x.body.spec).selector).matchLabels));
    return selector.length > 0 && selector.every(([k, v]) => labels[k] === v);
  });
  const spec = dict(budgets[0]?.body.spec);
  const min = spec.minAvailable;
  const maxUnavailable = spec.maxUnavailable;
  expectNone(
    `${where}: a PodDisruptionBudget keeps at least one replica (${budgets.map((b) => b.name).join(', ') || 'none'})`,
    [
      ...(budgets.length === 1 ? [] : [`${budgets.length} PodDisruptionBudgets select its pods, expected 1`]),
      ...(budgets.length === 0
        ? []
        : typeof min === 'number'
          ? min >= 1 && min < replicas
            ? []
            : [`minAvailable ${min} must be ≥ 1 and < replicas (${replicas}), or drains block`]
          : typeof maxUnavailable === 'number' && maxUnavailable >= 1 && maxUnavailable < replicas
            ? []
            : ['needs a numeric minAvailable (≥ 1) or maxUnavailable (< replicas)']),
    ],
  );
}

function checkK8s(toolsKeys: Set<string>): void {
  const manifests = loadManifests();

  for (const cm of manifests.filter((m) => m.kind === 'ConfigMap')) {
    const data = dict(cm.body.data);
    expectNone(`k8s ConfigMap/${cm.name}: string values, no secret-like keys`, [
      ...Object.entries(data)
        .filter(([, v]) => typeof v !== 'string')
        .map(([k]) => `${k}: value must be a string (quote it)`),
      ...Object.keys(data)
        .filter((k) => SECRET_KEY.test(k))
        .map((k) => `${k} looks secret; put it in a Secret`),
    ]);
  }
  for (const m of manifests.filter((x) => x.kind === 'Deployment' || x.kind === 'Job')) {
    for (const c of containers(m)) {
      const image = str(c.image) ?? '';
      if (!image.startsWith(IMAGE_PREFIX)) continue;
      const repo = imageRepository(image);
      const known = repo === TOOLS_IMAGE || Object.keys(SERVICES).some((s) => repo === `${IMAGE_PREFIX}${s}`);
      check(
        known,
        `k8s ${m.kind}/${m.name}: image ${repo} belongs to a service in the table of tools/deploy/validate.ts`,
        known ? [] : [`add ${repo.slice(IMAGE_PREFIX.length)} to SERVICES`],
      );
    }
  }

  // The tools job.
  const toolsJob = find(manifests, 'Job', TOOLS_JOB);
  check(toolsJob !== undefined, `k8s Job/${TOOLS_JOB}: present`);
  if (toolsJob) {
    const c = containers(toolsJob)[0] ?? {};
    const problems: string[] = [];
    const env = k8sEnv(c, manifests, problems);
    expectNone(
      `k8s Job/${TOOLS_JOB}: image ${TOOLS_IMAGE}, restartPolicy Never/OnFailure, references resolve`,
      [
        ...problems,
        ...(imageRepository(str(c.image) ?? '') === TOOLS_IMAGE
          ? []
          : [`image is ${String(c.image)}, expected ${TOOLS_IMAGE}:<tag>`]),
        ...(['Never', 'OnFailure'].includes(str(podSpec(toolsJob).restartPolicy) ?? '')
          ? []
          : ['restartPolicy must be Never or OnFailure']),
      ],
    );
    checkToolsEnv(`k8s Job/${TOOLS_JOB}`, toolsKeys, env);
    const value = (name: string) => Number(env.find((e) => e.name === name)?.value ?? NaN);
    expectNone(
      `k8s Job/${TOOLS_JOB}: topics on the production cluster have replication factor ≥ 3 and min.insync.replicas ≥ 2`,
      [
        ...(value('KAFKA_REPLICATION_FACTOR') >= 3 ? [] : ['KAFKA_REPLICATION_FACTOR must be at least 3']),
        ...(value('KAFKA_MIN_INSYNC_REPLICAS') >= 2 ? [] : ['KAFKA_MIN_INSYNC_REPLICAS must be at least 2']),
      ],
    );
  }

  for (const [service, schema] of Object.entries(SERVICES)) {
    const info = schemaInfo(schema);
    const schemaName = `${service} config schema`;
    const deployment = find(manifests, 'Deployment', service);
    const svc = find(manifests, 'Service', service);
    const job = find(manifests, 'Job', `${service}-migrate`);
    check(deployment !== undefined, `k8s Deployment/${service}: present`);
    check(svc !== undefined, `k8s Service/${service}: present`);
    check(job !== undefined, `k8s Job/${service}-migrate: present`);
    const images = new Set<string>();

    for (const m of [deployment, job]) {
      if (!m) continue;
      const where = `k8s ${m.kind}/${m.name}`;
      const cs = containers(m);
      const c = cs[0] ?? {};
      const problems: string[] = [];
      const env = k8sEnv(c, manifests, problems);
      images.add(str(c.image) ?? '');
      expectNone(`${where}: one container, image ${IMAGE_PREFIX}${service}, references resolve`, [
        ...problems,
        ...(cs.length === 1 ? [] : [`${cs.length} containers`]),
        ...(imageRepository(str(c.image) ?? '') === `${IMAGE_PREFIX}${service}`
          ? []
          : [`image is ${String(c.image)}, expected ${IMAGE_PREFIX}${service}:<tag>`]),
      ]);
      checkServiceEnv(where, schemaName, info, env);
      checkDatabaseNames(where, service, env);
      checkProductionShaped(where, info, env);
      checkResources(where, c);
      checkK8sSecurity(where, m, c);
      const secretMounts = k8sSecretMounts(m, c);
      expectNone(
        `${where}: secret files are under a mounted Secret volume`,
        secretFiles(where, env)
          .filter((e) => e.value?.startsWith(SECRET_FILE_DIR))
          .filter((e) => !secretMounts.some((dir) => e.value!.startsWith(`${dir.replace(/\/$/, '')}/`)))
          .map((e) => `${e.name}: ${e.value!} is not inside a volumeMount of a secret volume`),
      );

      if (m === job) {
        const cmd = commandText(c.command);
        const expected = `node services/${service}/dist/database/migrate.js run`;
        expectNone(`${where}: runs '${expected}' once`, [
          ...(cmd === expected ? [] : [`command is '${cmd}'`]),
          ...(['Never', 'OnFailure'].includes(str(podSpec(m).restartPolicy) ?? '')
            ? []
            : ['restartPolicy must be Never or OnFailure']),
        ]);
        continue;
      }

      // Deployment: replicas, disruption budget, bind address, ports and probes.
      const replicas = dict(m.body.spec).replicas;
      check(
        typeof replicas === 'number' && replicas >= 2,
        `${where}: at least two replicas (${scalarText(replicas) ?? 'not set'})`,
      );
      checkDisruptionBudget(where, manifests, m, typeof replicas === 'number' ? replicas : 1);
      checkBindHost(where, info, env);
      const port = effectivePort(where, info, env);
      const containerPorts = list(c.ports).map((p) => dict(p).containerPort);
      expectNone(
        `${where}: containerPort [${containerPorts.join(', ')}] equals the service port ${port ?? '?'}`,
        [
          ...(containerPorts.length > 0 ? [] : ['no containerPort']),
          ...containerPorts
            .filter((p) => p !== port)
            .map((p) => `containerPort ${String(p)} is not the service port ${port ?? '?'}`),
        ],
      );
      for (const [probe, pathExpected] of [
        ['livenessProbe', '/health/live'],
        ['readinessProbe', '/health/ready'],
      ] as const) {
        const http = dict(dict(c[probe]).httpGet);
        const resolved = resolvePort(http.port, c);
        expectNone(`${where}: ${probe} GET ${pathExpected} on port ${port ?? '?'}`, [
          ...(http.path === pathExpected
            ? []
            : [`${probe}.httpGet.path is ${String(http.path)}, expected ${pathExpected}`]),
          ...(resolved === port
            ? []
            : [
                `${probe}.httpGet.port ${String(http.port)} resolves to ${resolved ?? 'nothing'}, not ${port ?? '?'}`,
              ]),
        ]);
      }
      const labels = dict(dict(dict(dict(m.body.spec).template).metadata).labels);
      const selector = dict(dict(dict(m.body.spec).selector).matchLabels);
      expectNone(
        `${where}: selector matches the pod labels`,
        Object.entries(selector)
          .filter(([k, v]) => labels[k] !== v)
          .map(([k]) => `matchLabels ${k} not on the pod template`),
      );

      if (svc) {
        const svcSpec = dict(svc.body.spec);
        const svcSelector = dict(svcSpec.selector);
        const svcPorts = list(svcSpec.ports).map(dict);
        expectNone(`k8s Service/${service}: selects the Deployment's pods; targetPorts are container ports`, [
          ...(Object.keys(svcSelector).length > 0 ? [] : ['no selector']),
          ...Object.entries(svcSelector)
            .filter(([k, v]) => labels[k] !== v)
            .map(([k]) => `selector ${k} does not match the pod labels`),
          ...(svcPorts.length > 0 ? [] : ['no ports']),
          ...svcPorts
            .map((p) => ({ p, resolved: resolvePort(p.targetPort ?? p.port, c) }))
            .filter(({ resolved }) => resolved === undefined || !containerPorts.includes(resolved))
            .map(
              ({ p }) =>
                `port ${String(p.port)} → targetPort ${String(p.targetPort ?? p.port)} is not a container port of Deployment/${service}`,
            ),
        ]);
      }
    }
    if (deployment && job)
      check(
        images.size === 1,
        `k8s ${service}: Deployment and migration Job use the same image (${[...images].join(', ')})`,
      );
  }
}

// ------------------------------------------------------------------------------------------ main
function main(): number {
  console.log(`deploy:validate - services in the table: ${Object.keys(SERVICES).join(', ')}`);
  const dockerfile = checkDockerfile();
  const toolsKeys = toolsEnvKeys();
  checkCompose(dockerfile, toolsKeys);
  checkK8s(toolsKeys);
  console.log(`deploy:validate: ${checks} checks, ${failures} failed`);
  return failures === 0 ? 0 : 1;
}

process.exit(main());
