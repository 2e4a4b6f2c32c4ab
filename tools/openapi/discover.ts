// Finds what openApiFromControllers needs in a service's source tree, without booting the application:
// every src/**/*.controller.ts is required and its exported @Controller classes collected; the error codes
// are those of the `registerErrorStatuses` tables exported by the service's *.errors.ts files, narrowed per
// handler to the codes reachable from it (TypeScript call graph within the service's src: string literals
// naming a code in the handler and in every function, method, constructor or constant it references);
// descriptions are the doc comments of the classes and handlers; the port is the default of PORT in the
// service's config schema.
import * as fs from 'node:fs';
import * as path from 'node:path';
import 'reflect-metadata';
import { PATH_METADATA } from '@nestjs/common/constants';
import * as ts from 'typescript';
import type { ControllerSource } from '@divit/service-kit';
import type { ServiceEntry } from './services';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface DiscoveredService {
  controllers: ControllerSource[];
  /** Repository-relative paths of the controller files, for the log. */
  controllerFiles: string[];
  version: string;
  description: string;
  port: number | undefined;
  warnings: string[];
}

type ControllerClass = ControllerSource['controller'];

/** Controllers every service gets from the platform (PlatformHttpModule of @divit/service-kit). */
const PLATFORM_CONTROLLER_FILES = [
  'libs/service-kit/src/health/health.controller.ts',
  'libs/service-kit/src/health/metrics.controller.ts',
];

/** The shared access log's `GET /access-log` (libs/access-log, ADR 0020), served by every service importing its module. */
const ACCESS_LOG_CONTROLLER_FILE = 'libs/access-log/src/access-log.controller.ts';

function usesAccessLog(root: string): boolean {
  const appModule = path.join(root, 'src', 'app.module.ts');
  return fs.existsSync(appModule) && fs.readFileSync(appModule, 'utf8').includes('AccessLogModule.forRoot(');
}

export async function discoverService(entry: ServiceEntry): Promise<DiscoveredService> {
  const root = path.join(REPO_ROOT, entry.root);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    version: string;
    description?: string;
  };
  const controllerFiles = [
    ...listFiles(path.join(root, 'src')).filter(
      (f) => f.endsWith('.controller.ts') && !f.endsWith('.spec.ts'),
    ),
    ...PLATFORM_CONTROLLER_FILES.map((f) => path.join(REPO_ROOT, f)),
    ...(usesAccessLog(root) ? [path.join(REPO_ROOT, ACCESS_LOG_CONTROLLER_FILE)] : []),
  ];
  const srcFiles = listFiles(path.join(root, 'src'));
  const errorStatuses = await errorTables(srcFiles.filter((f) => f.endsWith('.errors.ts')));
  const analysis = new CodeAnalysis(
    controllerFiles,
    path.join(root, 'src'),
    new Set(Object.keys(errorStatuses)),
  );
  const controllers: ControllerSource[] = [];
  const seen = new Set<string>();
  for (const file of controllerFiles) {
    const docs = analysis.classesIn(file);
    for (const controller of await controllerClassesIn(file)) {
      if (seen.has(controller.name)) throw new Error(`two controller classes are named ${controller.name}`);
      seen.add(controller.name);
      const classDocs = docs.get(controller.name);
      if (!classDocs) throw new Error(`${file}: class ${controller.name} not found in the source`);
      controllers.push({
        controller,
        errorStatuses,
        errorCodes: classDocs.errorCodes,
        ...(classDocs.description ? { description: classDocs.description } : {}),
        operationDescriptions: classDocs.methods,
        streamingHandlers: classDocs.streaming,
        overrides: entry.overrides?.[controller.name] ?? {},
      });
    }
  }
  // A controller may be absent while its module is being written: warn (a handler that is gone fails).
  const warnings = Object.keys(entry.overrides ?? {})
    .filter((name) => !seen.has(name))
    .map((name) => `tools/openapi/services.ts: overrides for ${name}, which no controller file exports`);
  return {
    warnings,
    controllers,
    controllerFiles: controllerFiles.map((f) => path.relative(REPO_ROOT, f)),
    version: pkg.version,
    description: pkg.description ?? '',
    port: await defaultPort(path.join(root, 'src', 'config')),
  };
}

async function controllerClassesIn(file: string): Promise<ControllerClass[]> {
  const exports = (await import(file)) as Record<string, unknown>;
  return Object.keys(exports)
    .sort()
    .map((name) => exports[name])
    .filter(
      (value): value is ControllerClass =>
        typeof value === 'function' && Reflect.getMetadata(PATH_METADATA, value) !== undefined,
    );
}

/** The service's `registerErrorStatuses` tables: exported objects mapping UPPER_SNAKE codes to 4xx/5xx. */
async function errorTables(files: string[]): Promise<Record<string, number>> {
  const table: Record<string, number> = {};
  for (const file of files) {
    const exports = (await import(file)) as Record<string, unknown>;
    for (const value of Object.values(exports)) {
      if (!isStatusTable(value)) continue;
      for (const [code, status] of Object.entries(value)) {
        if (table[code] !== undefined && table[code] !== status)
          throw new Error(`${file}: ${code} has two statuses`);
        table[code] = status;
      }
    }
  }
  return table;
}

function isStatusTable(value: unknown): value is Record<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length > 0 &&
    entries.every(
      ([code, status]) =>
        /^[A-Z][A-Z0-9_]*$/.test(code) &&
        Number.isInteger(status) &&
        Number(status) >= 400 &&
        Number(status) < 600,
    )
  );
}

interface ClassDocs {
  description?: string;
  methods: Record<string, string>;
  /** Handlers declared to return a StreamableFile (a file download). */
  streaming: string[];
  /** Handler → error codes reachable from it. */
  errorCodes: Record<string, string[]>;
}

/** Doc comments, return types and reachable error codes, read from the source with the TypeScript compiler. */
class CodeAnalysis {
  private readonly program: ts.Program;
  private readonly checker: ts.TypeChecker;

  constructor(
    rootFiles: string[],
    private readonly srcRoot: string,
    private readonly codes: Set<string>,
  ) {
    const configPath = path.join(REPO_ROOT, 'tsconfig.json');
    const config = ts.readConfigFile(configPath, (f) => ts.sys.readFile(f));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, REPO_ROOT);
    this.program = ts.createProgram({ rootNames: rootFiles, options: { ...parsed.options, noEmit: true } });
    this.checker = this.program.getTypeChecker();
  }

  classesIn(file: string): Map<string, ClassDocs> {
    const source = this.program.getSourceFile(file);
    if (!source) throw new Error(`${file}: not in the TypeScript program`);
    const result = new Map<string, ClassDocs>();
    for (const statement of source.statements) {
      if (!ts.isClassDeclaration(statement) || !statement.name) continue;
      const docs: ClassDocs = { methods: {}, streaming: [], errorCodes: {} };
      const description = commentOf(statement);
      if (description) docs.description = description;
      for (const member of statement.members) {
        if (!ts.isMethodDeclaration(member) || !ts.isIdentifier(member.name)) continue;
        const name = member.name.text;
        const comment = commentOf(member);
        if (comment) docs.methods[name] = comment;
        if (member.type && /\bStreamableFile\b/.test(member.type.getText(source))) docs.streaming.push(name);
        docs.errorCodes[name] = member.body ? this.codesReachableFrom(member.body) : [];
      }
      result.set(statement.name.text, docs);
    }
    return result;
  }

  /** Error codes named by string literals in `start` and in the service code it references, transitively. */
  private codesReachableFrom(start: ts.Node): string[] {
    const found = new Set<string>();
    const visited = new Set<ts.Node>();
    const queue: ts.Node[] = [start];
    const visit = (node: ts.Node): void => {
      if (ts.isTypeNode(node)) return;
      if (
        (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) &&
        this.codes.has(node.text)
      ) {
        found.add(node.text);
      }
      if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) {
        let symbol = this.checker.getSymbolAtLocation(node);
        if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
        for (const declaration of symbol?.declarations ?? []) {
          if (!declaration.getSourceFile().fileName.startsWith(this.srcRoot + path.sep)) continue;
          const next = executableOf(declaration);
          if (next && !visited.has(next)) queue.push(next);
        }
      }
      ts.forEachChild(node, visit);
    };
    for (let node = queue.pop(); node; node = queue.pop()) {
      if (visited.has(node)) continue;
      visited.add(node);
      visit(node);
    }
    return [...found].sort();
  }
}

/** The code that runs when a declaration is used: a function's body, a constant's initialiser, a constructor. */
function executableOf(declaration: ts.Declaration): ts.Node | undefined {
  if (ts.isFunctionLike(declaration)) return 'body' in declaration ? declaration.body : undefined;
  if (ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration))
    return declaration.initializer;
  if (ts.isClassDeclaration(declaration)) return declaration.members.find(ts.isConstructorDeclaration)?.body;
  return undefined;
}

/** The doc comment's text, raw (a JSDoc parse would cut the text at the first `@`, e.g. in `@divit/service-kit`). */
function commentOf(node: ts.Node): string | undefined {
  const text = ts
    .getJSDocCommentsAndTags(node)
    .filter(ts.isJSDoc)
    .map((doc) =>
      doc
        .getText()
        .replace(/^\/\*\*/, '')
        .replace(/\*\/$/, '')
        .split('\n')
        .map((line) => line.replace(/^\s*\* ?/, '').trimEnd())
        .join('\n')
        .trim(),
    )
    .join('\n\n')
    .trim();
  return text.length > 0 ? text : undefined;
}

/** The default of PORT in the service's config schema (a zod object exported from src/config/*.ts). */
async function defaultPort(configDir: string): Promise<number | undefined> {
  if (!fs.existsSync(configDir)) return undefined;
  for (const file of fs
    .readdirSync(configDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
    .sort()) {
    const exports = (await import(path.join(configDir, file))) as Record<string, unknown>;
    for (const value of Object.values(exports)) {
      const port = (
        value as { shape?: { PORT?: { safeParse?: (v: unknown) => { success: boolean; data?: unknown } } } }
      )?.shape?.PORT;
      const parsed = port?.safeParse?.(undefined);
      if (parsed?.success && typeof parsed.data === 'number') return parsed.data;
    }
  }
  return undefined;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(abs));
    else if (entry.isFile()) out.push(abs);
  }
  return out.sort();
}
