import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The billing ledger and everything built on it:
 * - usage_records: one row per MijnOverheid usage, primary key usage_id (exactly once, also across replay);
 *   usage_aggregates keeps per-day counts of erased ledger rows so billing survives erasure;
 * - organisations, organisation_routes, memberships, housing_stock, allocations: the registration facts
 *   (effective-dated) that decide payer, members and allocation keys;
 * - tariffs (admin overrides of the shipped data file), allocation_keys;
 * - invoices and invoice_lines (credit invoices reference the invoice they correct);
 * - billing_periods, reconciliations (every version kept, never updated), settlements, closed_period_orgs;
 * - access_log (append-only).
 */
export class CreateBillingSchema1764000000000 implements MigrationInterface {
  name = 'CreateBillingSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE usage_records (
        usage_id uuid NOT NULL,
        unit varchar(20) NOT NULL,
        organisation_id uuid NOT NULL,
        letting_corporation_id uuid,
        allocation_id uuid,
        purpose varchar(40) NOT NULL,
        occurred_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        late boolean NOT NULL DEFAULT false,
        CONSTRAINT pk_usage_records PRIMARY KEY (usage_id)
      )`);
    await q.query(`CREATE INDEX ix_usage_records_org_time ON usage_records (organisation_id, occurred_at)`);
    await q.query(`CREATE INDEX ix_usage_records_received ON usage_records (received_at)`);
    await q.query(`
      CREATE TABLE usage_aggregates (
        organisation_id uuid NOT NULL,
        usage_date date NOT NULL,
        unit varchar(20) NOT NULL,
        letting_corporation_id uuid,
        late boolean NOT NULL,
        usage_count bigint NOT NULL
      )`);
    await q.query(
      `CREATE INDEX ix_usage_aggregates_org_date ON usage_aggregates (organisation_id, usage_date)`,
    );

    await q.query(`
      CREATE TABLE organisations (
        organisation_id uuid NOT NULL,
        name varchar(300) NOT NULL,
        kind varchar(30) NOT NULL,
        CONSTRAINT pk_organisations PRIMARY KEY (organisation_id)
      )`);
    await q.query(`
      CREATE TABLE organisation_routes (
        organisation_id uuid NOT NULL,
        valid_from date NOT NULL,
        route char(1) NOT NULL,
        coordinator_organisation_id uuid,
        CONSTRAINT pk_organisation_routes PRIMARY KEY (organisation_id, valid_from)
      )`);
    await q.query(
      `CREATE INDEX ix_organisation_routes_coordinator ON organisation_routes (coordinator_organisation_id)`,
    );
    await q.query(`
      CREATE TABLE memberships (
        membership_id uuid NOT NULL,
        organisation_id uuid NOT NULL,
        member_organisation_id uuid NOT NULL,
        valid_from date NOT NULL,
        valid_to date,
        CONSTRAINT pk_memberships PRIMARY KEY (membership_id)
      )`);
    await q.query(`CREATE INDEX ix_memberships_org ON memberships (organisation_id)`);
    await q.query(`
      CREATE TABLE housing_stock (
        organisation_id uuid NOT NULL,
        member_organisation_id uuid NOT NULL,
        effective_from date NOT NULL,
        dwellings integer NOT NULL CHECK (dwellings >= 0),
        CONSTRAINT pk_housing_stock PRIMARY KEY (organisation_id, member_organisation_id, effective_from)
      )`);
    await q.query(`
      CREATE TABLE allocations (
        allocation_id uuid NOT NULL,
        organisation_id uuid NOT NULL,
        letting_corporation_id uuid NOT NULL,
        occurred_at timestamptz NOT NULL,
        CONSTRAINT pk_allocations PRIMARY KEY (allocation_id)
      )`);
    await q.query(`CREATE INDEX ix_allocations_org_time ON allocations (organisation_id, occurred_at)`);

    await q.query(`
      CREATE TABLE tariffs (
        issuer varchar(50) NOT NULL,
        unit varchar(20) NOT NULL,
        valid_from date NOT NULL,
        unit_price_millicents bigint NOT NULL CHECK (unit_price_millicents >= 0),
        set_by varchar(200) NOT NULL,
        set_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_tariffs PRIMARY KEY (issuer, unit, valid_from)
      )`);
    await q.query(`
      CREATE TABLE allocation_keys (
        payer_organisation_id uuid NOT NULL,
        effective_from date NOT NULL,
        basis varchar(30) NOT NULL,
        fixed_basis_points jsonb,
        set_by varchar(200) NOT NULL,
        set_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_allocation_keys PRIMARY KEY (payer_organisation_id, effective_from)
      )`);

    await q.query(`
      CREATE TABLE invoices (
        invoice_id uuid NOT NULL,
        issuer varchar(50) NOT NULL,
        invoice_number varchar(64) NOT NULL,
        payer_organisation_id uuid NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL,
        currency char(3) NOT NULL,
        total_cents bigint NOT NULL CHECK (total_cents >= 0),
        credits_invoice_id uuid REFERENCES invoices (invoice_id),
        content_hash char(64) NOT NULL,
        imported_at timestamptz NOT NULL DEFAULT now(),
        imported_by varchar(200) NOT NULL,
        CONSTRAINT pk_invoices PRIMARY KEY (invoice_id),
        CONSTRAINT uq_invoices_issuer_number UNIQUE (issuer, invoice_number)
      )`);
    await q.query(
      `CREATE INDEX ix_invoices_payer_period ON invoices (payer_organisation_id, period_start, period_end)`,
    );
    await q.query(`
      CREATE TABLE invoice_lines (
        invoice_id uuid NOT NULL REFERENCES invoices (invoice_id) ON DELETE CASCADE,
        unit varchar(20) NOT NULL,
        usage_count bigint NOT NULL CHECK (usage_count >= 0),
        amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
        CONSTRAINT pk_invoice_lines PRIMARY KEY (invoice_id, unit)
      )`);

    await q.query(`
      CREATE TABLE billing_periods (
        payer_organisation_id uuid NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL,
        state varchar(10) NOT NULL,
        current_version integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_billing_periods PRIMARY KEY (payer_organisation_id, period_start, period_end)
      )`);
    await q.query(`
      CREATE TABLE reconciliations (
        reconciliation_id uuid NOT NULL,
        payer_organisation_id uuid NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL,
        version integer NOT NULL,
        route char(1) NOT NULL,
        tolerance_cents integer NOT NULL,
        status varchar(20) NOT NULL,
        result jsonb NOT NULL,
        closed_at timestamptz NOT NULL DEFAULT now(),
        closed_by varchar(200) NOT NULL,
        reopened_at timestamptz,
        reopen_reason varchar(500),
        CONSTRAINT pk_reconciliations PRIMARY KEY (reconciliation_id),
        CONSTRAINT uq_reconciliations_version UNIQUE (payer_organisation_id, period_start, period_end, version)
      )`);
    await q.query(`
      CREATE TABLE settlements (
        settlement_id uuid NOT NULL,
        reconciliation_id uuid NOT NULL REFERENCES reconciliations (reconciliation_id) ON DELETE CASCADE,
        member_organisation_id uuid NOT NULL,
        amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
        attributable_cents bigint NOT NULL CHECK (attributable_cents >= 0),
        shared_cents bigint NOT NULL CHECK (shared_cents >= 0),
        attributable_usage_count bigint NOT NULL,
        allocation_key varchar(30) NOT NULL,
        key_share_numerator bigint NOT NULL,
        key_share_denominator bigint NOT NULL,
        CONSTRAINT pk_settlements PRIMARY KEY (settlement_id),
        CONSTRAINT uq_settlements_member UNIQUE (reconciliation_id, member_organisation_id)
      )`);
    await q.query(`
      CREATE TABLE closed_period_orgs (
        organisation_id uuid NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL,
        payer_organisation_id uuid NOT NULL,
        CONSTRAINT pk_closed_period_orgs PRIMARY KEY (organisation_id, period_start, period_end)
      )`);

    await q.query(`
      CREATE TABLE access_log (
        id BIGSERIAL NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        subject varchar(200) NOT NULL,
        subject_organisation_id varchar(64) NOT NULL,
        roles varchar(200) NOT NULL,
        action varchar(50) NOT NULL,
        resource_id varchar(200),
        CONSTRAINT pk_access_log PRIMARY KEY (id)
      )`);
    await q.query(`
      CREATE FUNCTION billing_access_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'access_log is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER tr_access_log_append_only BEFORE UPDATE ON access_log
      FOR EACH ROW EXECUTE FUNCTION billing_access_log_is_append_only()`);
    await q.query(`
      CREATE FUNCTION billing_reconciliations_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.result IS DISTINCT FROM OLD.result OR NEW.version IS DISTINCT FROM OLD.version THEN
          RAISE EXCEPTION 'a reconciliation version is never changed; re-open creates a new version';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER tr_reconciliations_immutable BEFORE UPDATE ON reconciliations
      FOR EACH ROW EXECUTE FUNCTION billing_reconciliations_are_immutable()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'access_log',
      'closed_period_orgs',
      'settlements',
      'reconciliations',
      'billing_periods',
      'invoice_lines',
      'invoices',
      'allocation_keys',
      'tariffs',
      'allocations',
      'housing_stock',
      'memberships',
      'organisation_routes',
      'organisations',
      'usage_aggregates',
      'usage_records',
    ])
      await q.query(`DROP TABLE ${table}`);
    await q.query(`DROP FUNCTION billing_access_log_is_append_only()`);
    await q.query(`DROP FUNCTION billing_reconciliations_are_immutable()`);
  }
}
