// Naming rules shared by the deploy tools (tools/contracts) and the runtime serializer (@divit/messaging).

/**
 * Schema-registry subject of an event type on a topic: TopicRecordNameStrategy, `<topic>-<record full name>`.
 * One topic carries several event types, each with its own subject and compatibility history.
 * `topicName` is the real (possibly prefixed) topic name, e.g. `divit.registration.organisations.v1`.
 */
export function subjectFor(topicName: string, fullName: string): string {
  return `${topicName}-${fullName}`;
}

/**
 * The Kafka topic name for a catalogue topic name in an environment that isolates its topics with a
 * prefix (tests use e.g. `it-1234-`). The prefix is prepended unchanged; an empty prefix means none.
 */
export function prefixedTopicName(topicName: string, prefix = ''): string {
  return `${prefix}${topicName}`;
}
