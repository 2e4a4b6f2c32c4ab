import { createHmac, generateKeyPairSync, KeyObject, randomBytes, sign } from 'node:crypto';
import { ReceiptSigningKeyPublishedEvent } from '@divit/contracts';
import type { TopicKey } from '@divit/contracts';
import { configureLogging } from '@divit/observability';
import { ServiceTestApp, eventually } from '@divit/testing';
import { AppModule } from '../../src/app.module';
import {
  IdentityValidationConfig,
  loadIdentityValidationConfig,
} from '../../src/config/identity-validation.config';
import { identityValidationDataSourceOptions } from '../../src/database/data-source';

export { fieldsOf, eventually } from '@divit/testing';
export type { HttpResult, ReceivedEvent } from '@divit/testing';

/** Old key k0 (still configured) and the active key k1: hashes made under k0 must still match. */
export const OLD_KEY = Buffer.alloc(32, 7);
export const ACTIVE_KEY = Buffer.alloc(32, 9);
export const hmacUnder = (key: Buffer, digits: string) =>
  createHmac('sha256', key).update(digits).digest('hex');

/** Every log line the service writes while the tests run (the logging sink of @divit/observability). */
export const capturedLogs: string[] = [];
configureLogging({ sink: { write: (line) => void capturedLogs.push(line) } });

/** SIMULATOR_TOKEN of the test app; sent as x-simulator-token by {@link IdentityValidationTestApp.simulator}. */
export const SIMULATOR_TOKEN = randomBytes(32).toString('base64url');

/** The identity-validation service on the real stack, with both simulators (see ServiceTestApp). */
export class IdentityValidationTestApp extends ServiceTestApp<IdentityValidationConfig> {
  readonly receiptKey = generateKeyPairSync('ed25519');
  readonly receiptKeyId = `rk-${Math.random().toString(36).slice(2, 8)}`;

  constructor(extraEnv: Record<string, string> = {}, observe: TopicKey[] = []) {
    super({
      service: 'identity-validation',
      observe,
      loadConfig: (env) => loadIdentityValidationConfig(env),
      dataSourceOptions: identityValidationDataSourceOptions,
      appModule: (config) => AppModule.forRoot(config),
      env: {
        BSN_HASH_KEYS: JSON.stringify([
          { id: 'k0', secret: OLD_KEY.toString('base64') },
          { id: 'k1', secret: ACTIVE_KEY.toString('base64') },
        ]),
        BSN_HASH_ACTIVE_KEY_ID: 'k1',
        DVMG_MODE: 'simulator',
        BVBSN_MODE: 'simulator',
        SIMULATOR_ENDPOINTS_ENABLED: 'true',
        SIMULATOR_TOKEN,
        SWEEP_INTERVAL_MS: '200',
        SESSION_TIMEOUT_SECONDS: '600',
        ...extraEnv,
      },
    });
  }

  /** A JSON request to a /simulators/* endpoint with the simulator token (or `token`, or none with null). */
  async simulator(method: string, path: string, body?: unknown, token: string | null = SIMULATOR_TOKEN) {
    const res = await this.raw(method, path, {
      headers: {
        'content-type': 'application/json',
        ...(token === null ? {} : { 'x-simulator-token': token }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = res.body.toString('utf8');
    return {
      status: res.status,
      type: res.type,
      text,
      json: (res.type.includes('json') && text ? JSON.parse(text) : {}) as Record<string, unknown>,
    };
  }

  /** Plays the consent service: publishes the receipt signing key and waits until it is stored. */
  async publishReceiptKey(): Promise<void> {
    await this.publish(ReceiptSigningKeyPublishedEvent, [
      {
        key: this.receiptKeyId,
        value: {
          keyId: this.receiptKeyId,
          publicKey: this.receiptKey.publicKey.export({ format: 'jwk' }).x!,
          activeFrom: Date.now() - 1000,
          retiredAt: null,
          publishedAt: Date.now(),
        },
      },
    ]);
    await this.until(`SELECT 1 FROM receipt_signing_keys WHERE key_id = $1`, [this.receiptKeyId]);
  }

  /** A consent receipt as the consent service signs it (compact JWS, EdDSA). */
  receipt(claims: ReceiptClaims, options: { kid?: string; key?: KeyObject } = {}): string {
    const header = { alg: 'EdDSA', kid: options.kid ?? this.receiptKeyId, typ: 'divit-consent-receipt+jws' };
    const payload = {
      iss: 'divit-consent',
      jti: claims.receiptId ?? `receipt-${claims.consentId}`,
      cid: claims.consentId,
      sub: claims.subjectId,
      role: claims.role,
      rid: claims.registrationId,
      aid: claims.allocationId ?? null,
      org: claims.organisationId,
      ctl: { route: 'A', controllers: [claims.organisationId] },
      pur: claims.purpose,
      txt: 'f'.repeat(64),
      iat: Math.floor(Date.now() / 1000),
    };
    const h = Buffer.from(JSON.stringify(header)).toString('base64url');
    const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const s = sign(null, Buffer.from(`${h}.${p}`), options.key ?? this.receiptKey.privateKey).toString(
      'base64url',
    );
    return `${h}.${p}.${s}`;
  }

  /** Polls until the query returns a row. */
  async until(sql: string, params: unknown[] = [], expectRows = true): Promise<void> {
    const rows = await eventually(() => this.query(sql, params), {
      description: 'this.query(sql, params) to satisfy (r) => (expectRows ? r.length > 0 : r.length === 0)',
      until: (r) => (expectRows ? r.length > 0 : r.length === 0),
      timeoutMs: 30_000,
    });
    if (expectRows ? rows.length === 0 : rows.length > 0) throw new Error(`condition not reached: ${sql}`);
  }
}

export interface ReceiptClaims {
  consentId: string;
  subjectId: string;
  role: 'HOME_SEEKER' | 'CO_RESIDENT';
  registrationId: string;
  allocationId?: string | null;
  organisationId: string;
  purpose: 'BSN_AT_REGISTRATION' | 'BSN_FOR_EXISTING_REGISTRATION' | 'BSN_AND_INCOME_AT_ALLOCATION';
  receiptId?: string;
}
