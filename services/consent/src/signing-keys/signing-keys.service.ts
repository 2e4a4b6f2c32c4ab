import { generateKeyPairSync, KeyObject, createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { ReceiptSigningKeyPublishedEvent } from '@divit/contracts';
import { createLogger } from '@divit/observability';
import {
  Ed25519Jwk,
  jwkOf,
  MessagingRuntime,
  privateKeyFromPem,
  publicKeyFromX,
  xOfPublicKey,
} from '@divit/service-kit';
import type { ConsentConfig } from '../config/consent.config';
import { CONSENT_CONFIG } from '../config/consent-config.token';
import { ConsentError } from '../common/consent.errors';
import { decryptPrivateKey, encryptPrivateKey, INSECURE_DEV_KEK } from './key-protection';
import { KeyProtection, SigningKeyEntity } from './signing-key.entity';
import { SigningKeyView } from './dto/signing-keys.dto';

export type { SigningKeyView };

export interface ActiveSigningKey {
  kid: string;
  privateKey: KeyObject;
}

/** Serialises key creation and rotation across replicas (transaction-scoped advisory lock). */
const KEY_LOCK = 0x64697663; // "divc"

/**
 * Ed25519 receipt signing keys: created at first start (or imported from CONSENT_SIGNING_KEYS_FILE), rotated by
 * an admin, private halves encrypted at rest and erased on retirement, public halves kept for ever and published
 * (JWKS endpoint and the compacted receipt-keys topic, through the outbox). Private keys are never logged.
 */
@Injectable()
export class SigningKeysService implements OnApplicationBootstrap {
  private readonly logger = createLogger('SigningKeys');
  private readonly kek: Buffer;
  private readonly protection: KeyProtection;
  private readonly decrypted = new Map<string, KeyObject>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
    @Inject(CONSENT_CONFIG) private readonly config: ConsentConfig,
  ) {
    if (config.CONSENT_KEY_ENCRYPTION_KEY) {
      this.kek = Buffer.from(config.CONSENT_KEY_ENCRYPTION_KEY, 'base64');
      this.protection = 'AES256GCM_KEK';
    } else {
      this.kek = INSECURE_DEV_KEK;
      this.protection = 'AES256GCM_DEV_KEY_INSECURE';
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.protection === 'AES256GCM_DEV_KEY_INSECURE')
      this.logger.warn(
        'CONSENT_KEY_ENCRYPTION_KEY is not set: receipt signing keys are stored under the public development key (development only)',
      );
    const imported = this.config.CONSENT_SIGNING_KEYS_FILE
      ? this.readKeysFile(this.config.CONSENT_SIGNING_KEYS_FILE)
      : [];
    await this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
      for (const key of imported) {
        if (await em.findOne(SigningKeyEntity, { where: { kid: key.kid } })) continue;
        await this.activate(em, key.kid, key.privateKey, false);
        this.logger.info('receipt signing key imported from the keys file', { kid: key.kid });
      }
      if (!(await em.findOne(SigningKeyEntity, { where: { retiredAt: IsNull() } }))) {
        const kid = await this.activate(em, newKid(), generateKeyPairSync('ed25519').privateKey, false);
        this.logger.info('receipt signing key generated', { kid });
      }
      // Every start republishes the state of every key (compacted topic keyed by kid: consumers keep the latest), so
      // the topic is complete even if it was recreated or the service's database was created against another one.
      const now = new Date();
      for (const key of await em.find(SigningKeyEntity, { order: { activeFrom: 'ASC' } }))
        await this.publish(em, key, now);
    });
  }

  /** A new key signs from now; the previous one is retired (private key erased, public key kept). */
  async rotate(): Promise<{ active: SigningKeyView; retired: SigningKeyView[] }> {
    return this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
      const previous = await em.find(SigningKeyEntity, { where: { retiredAt: IsNull() } });
      const kid = await this.activate(em, newKid(), generateKeyPairSync('ed25519').privateKey);
      const active = await em.findOneOrFail(SigningKeyEntity, { where: { kid } });
      const retired = await this.reload(em, previous);
      this.logger.info('receipt signing key rotated', { kid, retired: previous.map((p) => p.kid) });
      return { active: view(active), retired: retired.map(view) };
    });
  }

  /** The key new receipts are signed with (read per use, so a rotation by another replica takes effect). */
  async activeKey(em: EntityManager): Promise<ActiveSigningKey> {
    const row = await em.findOne(SigningKeyEntity, {
      where: { retiredAt: IsNull() },
      order: { activeFrom: 'DESC' },
    });
    if (!row?.encryptedPrivateKey) throw new ConsentError('NO_SIGNING_KEY', 'no active receipt signing key');
    let key = this.decrypted.get(row.kid);
    if (!key) {
      const kek = row.protection === 'AES256GCM_KEK' ? this.kek : INSECURE_DEV_KEK;
      key = createPrivateKey({
        key: decryptPrivateKey(row.encryptedPrivateKey, kek, row.kid),
        format: 'der',
        type: 'pkcs8',
      });
      this.decrypted.set(row.kid, key);
    }
    return { kid: row.kid, privateKey: key };
  }

  /** Every key ever used (active and retired), so every receipt stays verifiable. */
  async all(): Promise<SigningKeyView[]> {
    const rows = await this.dataSource.manager.find(SigningKeyEntity, { order: { activeFrom: 'ASC' } });
    return rows.map(view);
  }

  async publicKeys(): Promise<Map<string, KeyObject>> {
    return new Map((await this.all()).map((k) => [k.kid, publicKeyFromX(k.publicKey)]));
  }

  async jwks(): Promise<{ keys: Ed25519Jwk[] }> {
    return { keys: (await this.all()).map((k) => jwkOf(k.kid, k.publicKey)) };
  }

  private async activate(
    em: EntityManager,
    kid: string,
    privateKey: KeyObject,
    publish = true,
  ): Promise<string> {
    const now = new Date();
    const retiring = await em.find(SigningKeyEntity, { where: { retiredAt: IsNull() } });
    for (const old of retiring) {
      await em.update(SigningKeyEntity, { kid: old.kid }, { retiredAt: now, encryptedPrivateKey: null });
      if (publish) await this.publish(em, { ...old, retiredAt: now }, now);
    }
    this.decrypted.clear();
    const publicKey = xOfPublicKey(createPublicKey(privateKey));
    const row: SigningKeyEntity = {
      kid,
      publicKey,
      encryptedPrivateKey: encryptPrivateKey(
        privateKey.export({ format: 'der', type: 'pkcs8' }),
        this.kek,
        kid,
      ),
      protection: this.protection,
      activeFrom: now,
      retiredAt: null,
      createdAt: now,
    };
    await em.insert(SigningKeyEntity, row);
    if (publish) await this.publish(em, row, now);
    return kid;
  }

  private async publish(em: EntityManager, key: SigningKeyEntity, at: Date): Promise<void> {
    await this.messaging.outbox.add(em, ReceiptSigningKeyPublishedEvent, {
      key: key.kid,
      value: {
        keyId: key.kid,
        publicKey: key.publicKey,
        activeFrom: key.activeFrom.getTime(),
        retiredAt: key.retiredAt ? key.retiredAt.getTime() : null,
        publishedAt: at.getTime(),
      },
    });
  }

  private async reload(em: EntityManager, rows: SigningKeyEntity[]): Promise<SigningKeyEntity[]> {
    return Promise.all(rows.map((r) => em.findOneOrFail(SigningKeyEntity, { where: { kid: r.kid } })));
  }

  private readKeysFile(file: string): { kid: string; privateKey: KeyObject }[] {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as {
      keys?: { kid?: unknown; privateKeyPkcs8Pem?: unknown }[];
    };
    return (parsed.keys ?? []).map((k, i) => {
      if (typeof k.kid !== 'string' || typeof k.privateKeyPkcs8Pem !== 'string')
        throw new Error(`CONSENT_SIGNING_KEYS_FILE: keys[${i}] needs kid and privateKeyPkcs8Pem`);
      return { kid: k.kid, privateKey: privateKeyFromPem(k.privateKeyPkcs8Pem) };
    });
  }
}

function newKid(): string {
  return `consent-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
}

function view(row: SigningKeyEntity): SigningKeyView {
  return {
    kid: row.kid,
    publicKey: row.publicKey,
    activeFrom: row.activeFrom.toISOString(),
    retiredAt: row.retiredAt ? row.retiredAt.toISOString() : null,
    protection: row.protection,
  };
}
