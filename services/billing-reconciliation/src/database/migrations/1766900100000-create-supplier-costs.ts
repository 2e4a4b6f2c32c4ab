import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Costs a software or service supplier passes on (issue 16 item 8), each imported once and split over the payer's
 * members by its allocation key; the row (with its parts) is never changed afterwards (a trigger refuses it).
 */
export class CreateSupplierCosts1766900100000 implements MigrationInterface {
  name = 'CreateSupplierCosts1766900100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE supplier_costs (
        supplier_cost_id uuid PRIMARY KEY,
        supplier text NOT NULL,
        invoice_number text NOT NULL,
        payer_organisation_id uuid NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL,
        description text NOT NULL,
        amount_cents bigint NOT NULL CHECK (amount_cents > 0),
        basis text NOT NULL,
        key_effective_from date,
        parts jsonb NOT NULL,
        imported_by text NOT NULL,
        imported_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (supplier, invoice_number)
      )`);
    await q.query(
      `CREATE INDEX ix_supplier_costs_payer ON supplier_costs (payer_organisation_id, period_start, period_end)`,
    );
    await q.query(`
      CREATE FUNCTION supplier_costs_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'a supplier cost is never changed; import a new one';
      END $$`);
    await q.query(`
      CREATE TRIGGER tr_supplier_costs_immutable BEFORE UPDATE ON supplier_costs
      FOR EACH ROW EXECUTE FUNCTION supplier_costs_are_immutable()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE supplier_costs`);
    await q.query(`DROP FUNCTION supplier_costs_are_immutable()`);
  }
}
