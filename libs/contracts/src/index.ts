// @divit/contracts: event types, descriptors and the topic catalogue generated from schemas/, plus the
// small hand-written rules they rely on. Data and types only: no Nest, no kafkajs, no avsc at runtime.
export * from './event-descriptor';
export * from './headers';
export * from './naming';
export * from './generated';
