import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The consent service's tables: projections of organisations (route, memberships) and registrations, consent
 * texts (published versions immutable: trigger), showings, answers (only `withdrawn_at` may change, once:
 * trigger), receipt signing keys and the append-only access log.
 */
export class CreateConsent1764000000000 implements MigrationInterface {
  name = 'CreateConsent1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "organisations" (
        "id" uuid NOT NULL,
        "name" character varying(300) NOT NULL,
        "kind" character varying(30) NOT NULL,
        CONSTRAINT "pk_organisations" PRIMARY KEY ("id")
      )`);
    await q.query(`
      CREATE TABLE "organisation_routes" (
        "id" BIGSERIAL NOT NULL,
        "organisation_id" uuid NOT NULL,
        "route" character varying(1) NOT NULL,
        "coordinator_organisation_id" uuid,
        "effective_from" date NOT NULL,
        "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "pk_organisation_routes" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE INDEX "ix_organisation_routes_organisation_id" ON "organisation_routes" ("organisation_id")`,
    );
    await q.query(`
      CREATE TABLE "organisation_memberships" (
        "id" uuid NOT NULL,
        "organisation_id" uuid NOT NULL,
        "member_organisation_id" uuid NOT NULL,
        "valid_from" date NOT NULL,
        "valid_to" date,
        CONSTRAINT "pk_organisation_memberships" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE INDEX "ix_organisation_memberships_organisation_id" ON "organisation_memberships" ("organisation_id")`,
    );
    await q.query(`
      CREATE TABLE "registrations" (
        "id" uuid NOT NULL,
        "organisation_id" uuid NOT NULL,
        "deregistered_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "pk_registrations" PRIMARY KEY ("id")
      )`);

    await q.query(`
      CREATE TABLE "consent_texts" (
        "id" uuid NOT NULL,
        "organisation_id" uuid NOT NULL,
        "audience" character varying(20) NOT NULL,
        "purpose" character varying(40) NOT NULL,
        "language" character varying(2) NOT NULL,
        "status" character varying(20) NOT NULL,
        "version" integer,
        "elements" jsonb NOT NULL,
        "version_hash" character varying(64),
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "created_by" character varying(200) NOT NULL,
        "published_at" TIMESTAMP WITH TIME ZONE,
        "superseded_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "pk_consent_texts" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "ux_consent_texts_series_version" ON "consent_texts" ("organisation_id", "audience", "purpose", "language", "version")`,
    );
    await q.query(`CREATE UNIQUE INDEX "ux_consent_texts_version_hash" ON "consent_texts" ("version_hash")`);
    await q.query(`
      CREATE FUNCTION consent_texts_published_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          IF OLD.status = 'PUBLISHED' THEN RAISE EXCEPTION 'a published consent text cannot be deleted'; END IF;
          RETURN OLD;
        END IF;
        IF OLD.status = 'PUBLISHED' AND (
             NEW.status, NEW.version, NEW.elements, NEW.version_hash, NEW.organisation_id, NEW.audience,
             NEW.purpose, NEW.language, NEW.published_at, NEW.created_at, NEW.created_by
           ) IS DISTINCT FROM (
             OLD.status, OLD.version, OLD.elements, OLD.version_hash, OLD.organisation_id, OLD.audience,
             OLD.purpose, OLD.language, OLD.published_at, OLD.created_at, OLD.created_by
           ) THEN
          RAISE EXCEPTION 'a published consent text is immutable';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER "tr_consent_texts_immutable" BEFORE UPDATE OR DELETE ON "consent_texts"
      FOR EACH ROW EXECUTE FUNCTION consent_texts_published_are_immutable()`);

    await q.query(`
      CREATE TABLE "consent_showings" (
        "id" uuid NOT NULL,
        "text_id" uuid NOT NULL,
        "text_version_hash" character varying(64) NOT NULL,
        "organisation_id" uuid NOT NULL,
        "registration_id" uuid NOT NULL,
        "subject_id" uuid NOT NULL,
        "subject_role" character varying(20) NOT NULL,
        "allocation_id" uuid,
        "purpose" character varying(40) NOT NULL,
        "channel" character varying(20) NOT NULL,
        "shown_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "controller_route" character varying(1) NOT NULL,
        "controllers" jsonb NOT NULL,
        "recorded_by" character varying(200) NOT NULL,
        CONSTRAINT "pk_consent_showings" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE INDEX "ix_consent_showings_registration_id" ON "consent_showings" ("registration_id")`,
    );

    await q.query(`
      CREATE TABLE "consents" (
        "id" uuid NOT NULL,
        "showing_id" uuid NOT NULL,
        "text_id" uuid NOT NULL,
        "text_version_hash" character varying(64) NOT NULL,
        "organisation_id" uuid NOT NULL,
        "registration_id" uuid NOT NULL,
        "subject_id" uuid NOT NULL,
        "subject_role" character varying(20) NOT NULL,
        "allocation_id" uuid,
        "purpose" character varying(40) NOT NULL,
        "answer" character varying(10) NOT NULL,
        "answered_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "controller_route" character varying(1) NOT NULL,
        "controllers" jsonb NOT NULL,
        "receipt_id" uuid,
        "receipt" text,
        "receipt_kid" character varying(100),
        "withdrawn_at" TIMESTAMP WITH TIME ZONE,
        "recorded_by" character varying(200) NOT NULL,
        CONSTRAINT "pk_consents" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE UNIQUE INDEX "ux_consents_showing_id" ON "consents" ("showing_id")`);
    await q.query(`CREATE INDEX "ix_consents_registration_id" ON "consents" ("registration_id")`);
    await q.query(`CREATE INDEX "ix_consents_allocation_id" ON "consents" ("allocation_id")`);
    await q.query(`
      CREATE FUNCTION consents_only_withdrawal_changes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.withdrawn_at IS NOT NULL
           OR (to_jsonb(NEW) - 'withdrawn_at') IS DISTINCT FROM (to_jsonb(OLD) - 'withdrawn_at') THEN
          RAISE EXCEPTION 'a consent answer is immutable; only a withdrawal can be recorded, once';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER "tr_consents_immutable" BEFORE UPDATE ON "consents"
      FOR EACH ROW EXECUTE FUNCTION consents_only_withdrawal_changes()`);

    await q.query(`
      CREATE TABLE "signing_keys" (
        "kid" character varying(100) NOT NULL,
        "public_key" character varying(100) NOT NULL,
        "encrypted_private_key" text,
        "protection" character varying(40) NOT NULL,
        "active_from" TIMESTAMP WITH TIME ZONE NOT NULL,
        "retired_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_signing_keys" PRIMARY KEY ("kid")
      )`);

    await q.query(`
      CREATE TABLE "access_log" (
        "id" BIGSERIAL NOT NULL,
        "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "subject" character varying(200) NOT NULL,
        "subject_organisation_id" character varying(64) NOT NULL,
        "roles" character varying(200) NOT NULL,
        "action" character varying(50) NOT NULL,
        "organisation_id" uuid,
        "registration_id" uuid,
        "allocation_id" uuid,
        "purpose" character varying(30) NOT NULL,
        CONSTRAINT "pk_access_log" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "ix_access_log_registration_id" ON "access_log" ("registration_id")`);
    await q.query(`
      CREATE FUNCTION access_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'access_log is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER "tr_access_log_append_only" BEFORE UPDATE ON "access_log"
      FOR EACH ROW EXECUTE FUNCTION access_log_is_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'access_log',
      'signing_keys',
      'consents',
      'consent_showings',
      'consent_texts',
      'registrations',
      'organisation_memberships',
      'organisation_routes',
      'organisations',
    ])
      await q.query(`DROP TABLE "${t}"`);
    await q.query(`DROP FUNCTION access_log_is_append_only()`);
    await q.query(`DROP FUNCTION consents_only_withdrawal_changes()`);
    await q.query(`DROP FUNCTION consent_texts_published_are_immutable()`);
  }
}
