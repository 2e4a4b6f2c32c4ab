// Schema evolution checks without a registry: the working tree against a git ref (CI: against main).
import { execFileSync } from 'node:child_process';
import { parse as parseYaml } from 'yaml';
import { errorMessage, fullCompatibilityProblems, isObject } from './avro';
import type { Contracts } from './catalogue';
import { CATALOGUE_PATH, REPO_ROOT, type SourceReader } from './source';

export interface EvolutionFinding {
  /** Event type full name or topic key. */
  readonly subject: string;
  readonly message: string;
}

export interface EvolutionReport {
  readonly checked: number;
  readonly problems: EvolutionFinding[];
  readonly notes: EvolutionFinding[];
}

interface OldTopic {
  readonly key: string;
  readonly name?: unknown;
  readonly partitions?: unknown;
  readonly eventTypes?: unknown;
}

function oldTopics(source: SourceReader): OldTopic[] {
  const text = source.readText(CATALOGUE_PATH);
  if (text === undefined) return [];
  const doc: unknown = parseYaml(text);
  if (!isObject(doc) || !Array.isArray(doc.topics)) return [];
  return (doc.topics as unknown[])
    .filter(isObject)
    .flatMap((t) => (typeof t.key === 'string' ? [t as unknown as OldTopic] : []));
}

/**
 * Compares the current contracts with an older state:
 * - every event schema must be FULL compatible (both directions) with the same file at the old state,
 *   or, with `history`, with every version of that file in the old state's git history (transitive);
 * - topics and event types are never removed or renamed and partition counts never change
 *   (old messages stay on the topic; keys must keep mapping to the same partition).
 */
export function evolutionFrom(
  current: Contracts,
  old: SourceReader,
  history?: { ref: string; root?: string },
): EvolutionReport {
  const problems: EvolutionFinding[] = [];
  const notes: EvolutionFinding[] = [];
  let checked = 0;

  for (const event of current.events.values()) {
    const versions = history
      ? fileHistory(history.ref, event.file, history.root)
      : [{ label: old.label, text: old.readText(event.file) }];
    const existing = versions.filter((v): v is { label: string; text: string } => v.text !== undefined);
    if (existing.length === 0) {
      notes.push({ subject: event.fullName, message: `new event type (not in ${old.label})` });
      continue;
    }
    for (const version of existing) {
      checked++;
      let oldSchema: unknown;
      try {
        oldSchema = JSON.parse(version.text);
      } catch (err) {
        notes.push({
          subject: event.fullName,
          message: `${version.label}: old file is not JSON (${errorMessage(err)}), skipped`,
        });
        continue;
      }
      for (const p of fullCompatibilityProblems(event.schema, oldSchema as never)) {
        problems.push({
          subject: event.fullName,
          message:
            `${p.direction === 'backward' ? 'new schema cannot read data written with' : 'old readers cannot read data written with the new schema, vs'} ` +
            `${event.file} at ${version.label}: ${p.message}`,
        });
      }
    }
  }

  const currentByKey = new Map(current.topics.map((t) => [t.key, t]));
  for (const before of oldTopics(old)) {
    const now = currentByKey.get(before.key);
    if (!now) {
      problems.push({
        subject: before.key,
        message: `topic removed or its key renamed (was in ${old.label}); retire topics by deprecation, not deletion`,
      });
      continue;
    }
    if (typeof before.name === 'string' && before.name !== now.name) {
      problems.push({
        subject: before.key,
        message: `topic name changed from ${before.name} to ${now.name}; a new topic version needs a new key`,
      });
    }
    if (typeof before.partitions === 'number' && before.partitions !== now.partitions) {
      problems.push({
        subject: before.key,
        message: `partitions changed from ${before.partitions} to ${now.partitions}; that remaps keys to partitions and breaks per-key order`,
      });
    }
    if (Array.isArray(before.eventTypes)) {
      for (const type of before.eventTypes) {
        if (typeof type === 'string' && !now.eventTypes.includes(type)) {
          problems.push({
            subject: before.key,
            message: `event type ${type} removed; old messages of that type stay on the topic and must stay decodable`,
          });
        }
      }
    }
  }
  return { checked, problems, notes };
}

/** Every committed version of a file reachable from a ref, newest first. */
function fileHistory(
  ref: string,
  file: string,
  root: string = REPO_ROOT,
): { label: string; text: string | undefined }[] {
  const commits = execFileSync('git', ['rev-list', ref, '--', file], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  return commits.map((commit) => {
    let text: string | undefined;
    try {
      text = execFileSync('git', ['show', `${commit}:${file}`], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      text = undefined; // deleted in that commit
    }
    return { label: `${ref} history ${commit.slice(0, 12)}`, text };
  });
}
