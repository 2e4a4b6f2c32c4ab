// Compares generated content with the files on disk (codegen --check and the drift contract test).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GENERATED_DIR, REPO_ROOT } from './source';

export interface Drift {
  readonly changed: string[];
  readonly missing: string[];
  readonly stale: string[];
}

/** Compare generated content with the files on disk; `stale` are files in the generated folder nobody generates. */
export function driftOf(files: ReadonlyMap<string, string>, root: string = REPO_ROOT): Drift {
  const changed: string[] = [];
  const missing: string[] = [];
  for (const [rel, content] of files) {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) missing.push(rel);
    else if (fs.readFileSync(abs, 'utf8') !== content) changed.push(rel);
  }
  const stale = listGenerated(root).filter((rel) => !files.has(rel));
  return { changed, missing, stale };
}

function listGenerated(root: string): string[] {
  const dir = path.join(root, GENERATED_DIR);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `${GENERATED_DIR}/${f}`)
    .sort();
}
