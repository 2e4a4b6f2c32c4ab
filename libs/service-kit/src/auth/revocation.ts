import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { AccessSuspensionChanged, AccessSuspensionChangedEvent } from '@divit/contracts';
import type { AvroSerde, EventDescriptorLike, TopicNames } from '@divit/messaging';
import { createLogger } from '@divit/observability';

/**
 * Revocation of tokens before they expire (docs/adr/0030). registration publishes the access state of a named user
 * (`USER:<sub>`), a calling system (`CLIENT:<azp>`) or a whole organisation (`ORGANISATION:<org>`) on the compacted
 * topic `registrationAccessSuspensions`; every service process reads that topic from its beginning into a
 * {@link RevocationList} and the global guard refuses (401, reason `REVOKED`) every token the list names.
 */
export type AccessScope = AccessSuspensionChanged['scope'];

/** The claims the list looks at, from a token whose signature has been verified. */
export interface RevocableClaims {
  sub?: unknown;
  azp?: unknown;
  org?: unknown;
  /** Seconds since the epoch. */
  iat?: unknown;
}

export interface AccessState {
  scope: AccessScope;
  scopeId: string;
  organisationId: string;
  suspendedFrom: number | null;
  tokensIssuedBefore: number | null;
  reason: string;
  changedAt: number;
}

export interface RevocationVerdict {
  scope: AccessScope;
  scopeId: string;
  reason: string;
}

/** What the guard asks: null when the token may pass, else which suspension refuses it. */
export interface RevocationCheck {
  refusal(claims: RevocableClaims, now?: number): RevocationVerdict | null;
}

/** Provider token of the optional {@link RevocationCheck} the guard calls (PlatformModule provides it). */
export const REVOCATION_CHECK = Symbol('REVOCATION_CHECK');

export function accessStateKey(scope: AccessScope, scopeId: string): string {
  return `${scope}:${scope === 'ORGANISATION' ? scopeId.toLowerCase() : scopeId}`;
}

/** The latest access state per key, in memory; a state older than the one held is ignored (idempotent). */
export class RevocationList implements RevocationCheck {
  private readonly states = new Map<string, AccessState>();

  apply(state: AccessState): boolean {
    const key = accessStateKey(state.scope, state.scopeId);
    const held = this.states.get(key);
    if (held && held.changedAt > state.changedAt) return false;
    if (state.suspendedFrom === null && state.tokensIssuedBefore === null) this.states.delete(key);
    else this.states.set(key, { ...state });
    return true;
  }

  get size(): number {
    return this.states.size;
  }

  refusal(claims: RevocableClaims, now = Date.now()): RevocationVerdict | null {
    const iatMs = typeof claims.iat === 'number' ? claims.iat * 1000 : null;
    const candidates: [AccessScope, unknown][] = [
      ['USER', claims.sub],
      ['CLIENT', claims.azp],
      ['ORGANISATION', claims.org],
    ];
    for (const [scope, id] of candidates) {
      if (typeof id !== 'string' || id.length === 0) continue;
      const state = this.states.get(accessStateKey(scope, id));
      if (!state) continue;
      if (state.suspendedFrom !== null && now >= state.suspendedFrom)
        return { scope, scopeId: id, reason: state.reason };
      // A token without iat cannot show it was issued after the limit.
      if (state.tokensIssuedBefore !== null && (iatMs === null || iatMs < state.tokensIssuedBefore))
        return { scope, scopeId: id, reason: state.reason };
    }
    return null;
  }
}

export interface RevocationListenerOptions {
  kafka: Kafka;
  serde: AvroSerde;
  topics: TopicNames;
  /** The service name and the topic prefix make the (per-process) consumer group id. */
  service: string;
  topicPrefix: string;
}

/**
 * Keeps a {@link RevocationList} current: a consumer in a group of its own per process (every replica needs every
 * state), reading the compacted topic from its beginning and never committing offsets (so the group leaves nothing
 * behind). A record it cannot read is logged and skipped: it names no token, and failing the process would open
 * nothing either.
 */
export class RevocationListener {
  readonly list = new RevocationList();
  private consumer: Consumer | undefined;
  private readonly logger = createLogger('RevocationListener');
  private readonly readers = new Map<string, EventDescriptorLike>([
    [AccessSuspensionChangedEvent.type, AccessSuspensionChangedEvent],
  ]);
  private caughtUp = false;
  private joined = false;
  private markReady!: () => void;
  private readonly readyPromise = new Promise<void>((resolve) => {
    this.markReady = resolve;
  });
  private starting: Promise<void> | undefined;

  constructor(private readonly options: RevocationListenerOptions) {}

  /** Whether the consumer has joined and read the states published before this process started (readiness). */
  get ready(): boolean {
    return this.joined && this.caughtUp;
  }

  /** Resolves once {@link ready} (tests start once it is). */
  whenReady(): Promise<void> {
    return this.readyPromise;
  }

  private checkReady(): void {
    if (this.ready) this.markReady();
  }

  start(): Promise<void> {
    this.starting ??= this.run();
    return this.starting;
  }

  private async run(): Promise<void> {
    const { kafka, topics, service, topicPrefix } = this.options;
    const topic = topics.name(AccessSuspensionChangedEvent.topic);
    const admin = kafka.admin();
    let highWater = new Map<number, string>();
    try {
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(topic);
      highWater = new Map(offsets.map((o) => [o.partition, o.high]));
    } catch (error) {
      this.logger.warn(
        'the access suspensions topic could not be read; tokens are not checked against it yet',
        {
          reason: error instanceof Error ? error.message : String(error),
        },
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    const pending = new Set([...highWater].filter(([, high]) => high !== '0').map(([p]) => p));
    if (pending.size === 0) this.caughtUp = true;
    this.checkReady();
    this.consumer = kafka.consumer({
      groupId: `${topicPrefix}${service}-access-suspensions-${randomUUID()}`,
      sessionTimeout: 30_000,
      maxWaitTimeInMs: 500,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.joined = true;
      this.checkReady();
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        try {
          const decoded = await this.options.serde.decode(message.value, this.readers);
          if (decoded.value !== undefined) this.list.apply(decoded.value as AccessState);
        } catch (error) {
          this.logger.error('an access suspension could not be read; skipped', error, {
            partition,
            offset: message.offset,
          });
        }
        const high = highWater.get(partition);
        if (high !== undefined && BigInt(message.offset) + 1n >= BigInt(high)) {
          pending.delete(partition);
          if (pending.size === 0 && !this.caughtUp) {
            this.caughtUp = true;
            this.checkReady();
            this.logger.info('access suspensions read', { states: this.list.size });
          }
        }
      },
    });
  }

  /** Starts again after a failed start (same list: states already read stay). */
  async restart(): Promise<void> {
    await this.stop();
    this.starting = undefined;
    return this.start();
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.consumer?.disconnect().catch(() => undefined);
    this.consumer = undefined;
  }
}
