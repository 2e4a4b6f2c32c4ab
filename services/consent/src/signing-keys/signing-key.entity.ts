import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** How a private key is kept: AES-256-GCM under the configured key-encryption key, or under the public dev key. */
export type KeyProtection = 'AES256GCM_KEK' | 'AES256GCM_DEV_KEY_INSECURE';

/**
 * Ed25519 receipt signing keys. The public key is kept for ever (old receipts stay verifiable); the private key is
 * encrypted, and erased (set to NULL) when the key is retired.
 */
@Entity({ name: 'signing_keys' })
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  kid!: string;

  /** Raw 32-byte public key, base64url (JWK "x"). */
  @Column({ type: 'varchar', length: 100 })
  publicKey!: string;

  @Column({ type: 'text', nullable: true })
  encryptedPrivateKey!: string | null;

  @Column({ type: 'varchar', length: 40 })
  protection!: KeyProtection;

  @Column({ type: 'timestamptz' })
  activeFrom!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  retiredAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
