import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15 items 2, 3 and 6 (docs/adr/0030): named users per organisation (provisioned in the identity provider),
 * caps on them as policy data, the access state of organisations and calling systems, and access reviews.
 */
export class NamedUsersAndAccess1767000000000 implements MigrationInterface {
  name = 'NamedUsersAndAccess1767000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE named_user_caps (
        id varchar(60) NOT NULL,
        organisation_kind varchar(30),
        organisation_id uuid,
        max_users integer NOT NULL CHECK (max_users >= 0),
        source varchar(200) NOT NULL,
        CONSTRAINT pk_named_user_caps PRIMARY KEY (id),
        CONSTRAINT ck_named_user_caps_target CHECK ((organisation_kind IS NULL) <> (organisation_id IS NULL)),
        CONSTRAINT ux_named_user_caps_kind UNIQUE (organisation_kind),
        CONSTRAINT ux_named_user_caps_organisation UNIQUE (organisation_id)
      )`);
    // The Heemstede covenant (seed 003): access only for named contact persons, at most two per corporation.
    await q.query(
      `INSERT INTO named_user_caps (id, organisation_kind, max_users, source)
       VALUES ('corporation-contact-persons', 'CORPORATION', 2, 'Heemstede covenant (003): at most two named contact persons per corporation')`,
    );
    await q.query(`
      CREATE TABLE named_users (
        id uuid NOT NULL,
        organisation_id uuid NOT NULL,
        idp_user_id varchar(64) NOT NULL,
        username varchar(100) NOT NULL,
        email varchar(254),
        roles text[] NOT NULL,
        status varchar(12) NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'REMOVED')),
        invited_at timestamptz NOT NULL,
        invited_by varchar(200) NOT NULL,
        changed_at timestamptz NOT NULL,
        suspended_at timestamptz,
        removed_at timestamptz,
        last_login_at timestamptz,
        CONSTRAINT pk_named_users PRIMARY KEY (id),
        CONSTRAINT fk_named_users_organisation FOREIGN KEY (organisation_id) REFERENCES organisations (id),
        CONSTRAINT ux_named_users_idp_user UNIQUE (idp_user_id)
      )`);
    await q.query(`CREATE INDEX ix_named_users_organisation ON named_users (organisation_id)`);
    await q.query(
      `CREATE UNIQUE INDEX ux_named_users_username ON named_users (lower(username)) WHERE status <> 'REMOVED'`,
    );
    await q.query(`
      CREATE TABLE access_states (
        scope varchar(12) NOT NULL CHECK (scope IN ('USER', 'CLIENT', 'ORGANISATION')),
        scope_id varchar(100) NOT NULL,
        organisation_id uuid NOT NULL,
        suspended_from timestamptz,
        tokens_issued_before timestamptz,
        agreement_ends_at timestamptz,
        reason varchar(40) NOT NULL,
        changed_at timestamptz NOT NULL,
        changed_by varchar(200) NOT NULL,
        CONSTRAINT pk_access_states PRIMARY KEY (scope, scope_id)
      )`);
    await q.query(`
      CREATE TABLE access_reviews (
        id uuid NOT NULL,
        organisation_id uuid NOT NULL,
        reviewed_at timestamptz NOT NULL,
        reviewed_by varchar(200) NOT NULL,
        reviewer_organisation_id varchar(40) NOT NULL,
        users_reviewed integer NOT NULL,
        note varchar(500),
        CONSTRAINT pk_access_reviews PRIMARY KEY (id),
        CONSTRAINT fk_access_reviews_organisation FOREIGN KEY (organisation_id) REFERENCES organisations (id)
      )`);
    await q.query(
      `CREATE INDEX ix_access_reviews_organisation ON access_reviews (organisation_id, reviewed_at DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE access_reviews`);
    await q.query(`DROP TABLE access_states`);
    await q.query(`DROP TABLE named_users`);
    await q.query(`DROP TABLE named_user_caps`);
  }
}
