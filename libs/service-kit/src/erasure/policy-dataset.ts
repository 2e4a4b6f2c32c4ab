/**
 * A retention policy may govern one named dataset within a data category (docs/adr/0031): its id is
 * `<default|organisationId>/<CATEGORY>/<DATASET>`, and the erasure command it issues carries that id as `policyId`
 * with the category's own `category` (the Avro enum `DataCategory` cannot gain symbols under FULL_TRANSITIVE
 * compatibility). The owner erases the dataset only; a policy id of two segments names the whole category.
 */
export const POLICY_DATASET_PATTERN = /^[A-Z][A-Z0-9_]{0,39}$/;

/**
 * The dataset a command's policy id names, or null for a category-wide policy (`default/<CATEGORY>`). Anything
 * after the second `/` is returned as it is, valid name or not: an owner must refuse a dataset it does not know
 * (never fall back to erasing the whole category).
 */
export function policyDataset(policyId: string): string | null {
  const parts = policyId.split('/');
  return parts.length <= 2 ? null : parts.slice(2).join('/');
}
