/** Resolves catalogue topic keys to broker topic names, with an optional environment/test prefix. */
export interface TopicCatalogueLike {
  readonly [key: string]: { readonly name: string };
}

export class TopicNames {
  constructor(
    private readonly catalogue: TopicCatalogueLike,
    readonly prefix = '',
  ) {}

  name(topicKey: string): string {
    const entry = this.catalogue[topicKey];
    if (!entry) throw new Error(`unknown topic key '${topicKey}' (not in the topic catalogue)`);
    return `${this.prefix}${entry.name}`;
  }
}

/** TopicRecordNameStrategy subjects (`<topic>-<record full name>`), the rule the deploy tools use too. */
export { subjectFor } from '@divit/contracts';
