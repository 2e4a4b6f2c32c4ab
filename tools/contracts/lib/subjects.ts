// The subjects the catalogue implies in an environment: one per (topic, event type), TopicRecordNameStrategy.
import type { CompatibilityLevel } from '@divit/contracts/src/event-descriptor';
import { subjectFor } from '@divit/contracts/src/naming';
import type { Contracts, EventSchema } from './catalogue';
import { topicNameIn, type ToolsConfig } from './env';

export { subjectFor };

export interface SubjectPlan {
  readonly subject: string;
  readonly topicName: string;
  readonly event: EventSchema;
  readonly compatibility: CompatibilityLevel;
  /** The schema text sent to the registry: the .avsc JSON, compact (the registry compares canonical forms). */
  readonly schemaText: string;
}

export function subjectPlans(contracts: Contracts, config: ToolsConfig): SubjectPlan[] {
  const plans: SubjectPlan[] = [];
  for (const topic of contracts.topics) {
    if (topic.kind !== 'event') continue;
    const topicName = topicNameIn(config, topic.name);
    for (const fullName of topic.eventTypes) {
      const event = contracts.events.get(fullName);
      if (!event) continue; // loadContracts guarantees it exists
      plans.push({
        subject: subjectFor(topicName, fullName),
        topicName,
        event,
        compatibility: topic.compatibility ?? 'FULL_TRANSITIVE',
        schemaText: JSON.stringify(event.schema),
      });
    }
  }
  return plans.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
}
