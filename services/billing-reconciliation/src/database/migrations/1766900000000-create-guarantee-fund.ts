import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The guarantee fund (issue 17, ADR 0029): funds with their configured amounts, parties with their membership
 * dates, contribution calls with each party's line, the immutable ledger (contributions, payouts, refunds: a
 * trigger refuses UPDATE and DELETE), claims on the one fixed form and every step of a claim (append-only).
 * Amounts are integer euro cents.
 */
export class CreateGuaranteeFund1766900000000 implements MigrationInterface {
  name = 'CreateGuaranteeFund1766900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE guarantee_funds (
        fund_id uuid PRIMARY KEY,
        owner_organisation_id uuid NOT NULL,
        name text NOT NULL,
        starts_on date NOT NULL,
        municipalities_total_cents bigint NOT NULL CHECK (municipalities_total_cents >= 0),
        corporations_total_cents bigint NOT NULL CHECK (corporations_total_cents >= 0),
        care_provider_cents bigint NOT NULL CHECK (care_provider_cents >= 0),
        threshold_cents bigint NOT NULL CHECK (threshold_cents >= 0),
        terminated_on date,
        termination_reason text,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_guarantee_funds_owner ON guarantee_funds (owner_organisation_id)`);
    await q.query(`
      CREATE TABLE guarantee_fund_parties (
        party_id uuid PRIMARY KEY,
        fund_id uuid NOT NULL REFERENCES guarantee_funds (fund_id),
        kind text NOT NULL CHECK (kind IN ('MUNICIPALITY', 'CORPORATION', 'CARE_PROVIDER')),
        name text NOT NULL,
        organisation_id uuid,
        regional_key integer CHECK (regional_key >= 0),
        joined_on date NOT NULL,
        left_on date,
        CHECK (left_on IS NULL OR left_on > joined_on),
        CHECK (kind <> 'MUNICIPALITY' OR regional_key IS NOT NULL),
        CHECK (kind <> 'CORPORATION' OR organisation_id IS NOT NULL)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX ux_guarantee_fund_parties_org ON guarantee_fund_parties (fund_id, organisation_id)
       WHERE organisation_id IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE guarantee_fund_calls (
        call_id uuid PRIMARY KEY,
        fund_id uuid NOT NULL REFERENCES guarantee_funds (fund_id),
        seq bigserial NOT NULL,
        kind text NOT NULL CHECK (kind IN ('INITIAL', 'TOP_UP')),
        called_on date NOT NULL,
        balance_cents bigint NOT NULL,
        triggered_by_claim_id uuid,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE guarantee_fund_call_lines (
        call_id uuid NOT NULL REFERENCES guarantee_fund_calls (call_id),
        party_id uuid NOT NULL REFERENCES guarantee_fund_parties (party_id),
        amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
        key_numerator bigint NOT NULL,
        key_denominator bigint NOT NULL,
        PRIMARY KEY (call_id, party_id)
      )`);
    await q.query(`
      CREATE TABLE guarantee_fund_entries (
        entry_id uuid PRIMARY KEY,
        fund_id uuid NOT NULL REFERENCES guarantee_funds (fund_id),
        seq bigserial NOT NULL,
        kind text NOT NULL CHECK (kind IN ('CONTRIBUTION', 'PAYOUT', 'REFUND')),
        booked_on date NOT NULL,
        amount_cents bigint NOT NULL CHECK (amount_cents > 0),
        party_id uuid REFERENCES guarantee_fund_parties (party_id),
        call_id uuid REFERENCES guarantee_fund_calls (call_id),
        claim_id uuid,
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX ix_guarantee_fund_entries_fund ON guarantee_fund_entries (fund_id, booked_on, seq)`,
    );
    // A call line is received at most once.
    await q.query(
      `CREATE UNIQUE INDEX ux_guarantee_fund_entries_receipt ON guarantee_fund_entries (call_id, party_id)
       WHERE kind = 'CONTRIBUTION'`,
    );
    await q.query(
      `CREATE UNIQUE INDEX ux_guarantee_fund_entries_payout ON guarantee_fund_entries (claim_id) WHERE kind = 'PAYOUT'`,
    );
    await q.query(`
      CREATE TABLE guarantee_fund_claims (
        claim_id uuid PRIMARY KEY,
        fund_id uuid NOT NULL REFERENCES guarantee_funds (fund_id),
        party_id uuid NOT NULL REFERENCES guarantee_fund_parties (party_id),
        case_reference text NOT NULL,
        tenancy_end text NOT NULL,
        tenancy_ended_on date NOT NULL,
        amount_cents bigint NOT NULL CHECK (amount_cents > 0),
        deposit_cents bigint NOT NULL CHECK (deposit_cents >= 0),
        categories jsonb NOT NULL,
        documents text[] NOT NULL,
        evaluation text,
        condition_failures text[] NOT NULL,
        status text NOT NULL CHECK (status IN ('SUBMITTED', 'APPROVED', 'REFUSED', 'PAID')),
        submitted_by text NOT NULL,
        submitted_at timestamptz NOT NULL DEFAULT now(),
        decided_by text,
        decided_at timestamptz,
        decision_reason text,
        deviation_justification text,
        paid_entry_id uuid,
        paid_by text,
        paid_on date
      )`);
    await q.query(
      `CREATE INDEX ix_guarantee_fund_claims_fund ON guarantee_fund_claims (fund_id, submitted_at)`,
    );
    await q.query(`
      CREATE TABLE guarantee_fund_claim_steps (
        step_id bigserial PRIMARY KEY,
        claim_id uuid NOT NULL REFERENCES guarantee_fund_claims (claim_id),
        step text NOT NULL CHECK (step IN ('SUBMITTED', 'APPROVED', 'REFUSED', 'PAID')),
        actor text NOT NULL,
        actor_organisation_id text NOT NULL,
        actor_roles text[] NOT NULL,
        detail jsonb NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE FUNCTION guarantee_fund_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: entries and claim steps are never changed or deleted', TG_TABLE_NAME;
      END $$`);
    for (const table of ['guarantee_fund_entries', 'guarantee_fund_claim_steps', 'guarantee_fund_call_lines'])
      await q.query(`
        CREATE TRIGGER tr_${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION guarantee_fund_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'guarantee_fund_claim_steps',
      'guarantee_fund_claims',
      'guarantee_fund_entries',
      'guarantee_fund_call_lines',
      'guarantee_fund_calls',
      'guarantee_fund_parties',
      'guarantee_funds',
    ])
      await q.query(`DROP TABLE ${table}`);
    await q.query(`DROP FUNCTION guarantee_fund_append_only()`);
  }
}
