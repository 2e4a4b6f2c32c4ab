// Where contract sources are read from: the working tree, or a git ref (for compatibility checks in CI).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Repository root (tools/contracts/lib → ../../..). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export const CATALOGUE_PATH = 'schemas/catalogue.yaml';
export const AVRO_DIR = 'schemas/avro';
export const FIXTURES_DIR = 'schemas/fixtures';
export const GENERATED_DIR = 'libs/contracts/src/generated';
export const ASYNCAPI_PATH = 'docs/asyncapi.yaml';

/** Read-only view of the repository's files, paths relative to the repository root with `/` separators. */
export interface SourceReader {
  readonly label: string;
  /** The file's text, or undefined when it does not exist. */
  readText(relativePath: string): string | undefined;
  /** All files below a directory (recursive), sorted. */
  listFiles(relativeDir: string): string[];
}

export function workingTreeSource(root: string = REPO_ROOT): SourceReader {
  return {
    label: 'working tree',
    readText(relativePath) {
      const file = path.join(root, relativePath);
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    },
    listFiles(relativeDir) {
      const out: string[] = [];
      const walk = (dir: string): void => {
        const abs = path.join(root, dir);
        if (!fs.existsSync(abs)) return;
        for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
          const rel = `${dir}/${entry.name}`;
          if (entry.isDirectory()) walk(rel);
          else if (entry.isFile()) out.push(rel);
        }
      };
      walk(relativeDir);
      return out.sort();
    },
  };
}

function git(root: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
  });
}

/** The commit a ref points at, or undefined when it does not resolve (e.g. a shallow clone without main). */
export function resolveGitRef(ref: string, root: string = REPO_ROOT): string | undefined {
  try {
    return git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).trim() || undefined;
  } catch {
    return undefined;
  }
}

export function gitSource(ref: string, root: string = REPO_ROOT): SourceReader {
  const commit = resolveGitRef(ref, root);
  if (!commit)
    throw new Error(
      `git ref '${ref}' does not resolve to a commit (fetch it, e.g. git fetch origin ${ref}:${ref})`,
    );
  const files = git(root, ['ls-tree', '-r', '--name-only', commit]).split('\n').filter(Boolean).sort();
  const fileSet = new Set(files);
  return {
    label: `git ${ref} (${commit.slice(0, 12)})`,
    readText(relativePath) {
      return fileSet.has(relativePath) ? git(root, ['show', `${commit}:${relativePath}`]) : undefined;
    },
    listFiles(relativeDir) {
      return files.filter((f) => f.startsWith(`${relativeDir}/`));
    },
  };
}
