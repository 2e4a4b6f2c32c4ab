import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { SigningKeyEntity } from './signing-key.entity';

/** Serialises key creation and rotation across replicas (transaction-scoped advisory lock). */
const KEY_LOCK = 0x64697663; // "divc"

/** The receipt signing keys (ADR 0025: the only place that queries signing_keys). */
@Injectable()
export class SigningKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Takes the key lock for the rest of the transaction. */
  async lock(em: EntityManager): Promise<void> {
    await em.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
  }

  byKid(em: EntityManager, kid: string): Promise<SigningKeyEntity | null> {
    return em.findOne(SigningKeyEntity, { where: { kid } });
  }

  byKidOrFail(em: EntityManager, kid: string): Promise<SigningKeyEntity> {
    return em.findOneOrFail(SigningKeyEntity, { where: { kid } });
  }

  /** Some key not retired (null: none). */
  anyActive(em: EntityManager): Promise<SigningKeyEntity | null> {
    return em.findOne(SigningKeyEntity, { where: { retiredAt: IsNull() } });
  }

  /** The newest key not retired (the one new receipts are signed with). */
  newestActive(em: EntityManager): Promise<SigningKeyEntity | null> {
    return em.findOne(SigningKeyEntity, {
      where: { retiredAt: IsNull() },
      order: { activeFrom: 'DESC' },
    });
  }

  allActive(em: EntityManager): Promise<SigningKeyEntity[]> {
    return em.find(SigningKeyEntity, { where: { retiredAt: IsNull() } });
  }

  /** Every key ever used, oldest first. */
  all(em: EntityManager = this.dataSource.manager): Promise<SigningKeyEntity[]> {
    return em.find(SigningKeyEntity, { order: { activeFrom: 'ASC' } });
  }

  /** Retires the key and erases its private half. */
  async retire(em: EntityManager, kid: string, at: Date): Promise<void> {
    await em.update(SigningKeyEntity, { kid }, { retiredAt: at, encryptedPrivateKey: null });
  }

  async insert(em: EntityManager, row: SigningKeyEntity): Promise<void> {
    await em.insert(SigningKeyEntity, row);
  }
}
