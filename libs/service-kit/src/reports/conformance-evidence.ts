import { applyDecorators, Get } from '@nestjs/common';
import { z } from 'zod';
import type { EntityManager } from 'typeorm';
import { Roles } from '../auth/auth.decorators';
import { ApiProblems, ApiResult } from '../openapi/api-decorators';

/**
 * The shared parts of the per-service conformance evidence (issue 16 item 9): the period query, its bounds and a
 * structural scan of a service's own tables for values shaped like a BSN. Each service answers
 * `GET /conformance-evidence` with its own figures; `npm run report:conformance` assembles them per organisation
 * and period into one document against the DIV-it standard's ten conformance points (docs/adr/0033).
 */
export const conformanceEvidenceQuery = z
  .strictObject({
    organisationId: z.uuid(),
    /** First day of the period (inclusive, UTC). */
    from: z.iso.date(),
    /** Day after the period (exclusive, UTC). */
    to: z.iso.date(),
  })
  .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['to'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 2 * 86_400_000, {
    message: 'a period of at most two years',
    path: ['to'],
  });
export type ConformanceEvidenceQuery = z.infer<typeof conformanceEvidenceQuery>;

/** The period as timestamps: [from 00:00 UTC, to 00:00 UTC). */
export function periodBounds(q: Pick<ConformanceEvidenceQuery, 'from' | 'to'>): { from: Date; to: Date } {
  return { from: new Date(`${q.from}T00:00:00.000Z`), to: new Date(`${q.to}T00:00:00.000Z`) };
}

export const bsnLikeScanView = z.object({
  /** Text, varchar and jsonb columns of the service's own tables that were read. */
  columnsScanned: z.number().int(),
  /** Values that are nine digits passing the eleven-test (elfproef), the form of a BSN. */
  bsnLikeValues: z.number().int(),
  /** `table.column` where such a value was found (none expected). */
  columns: z.array(z.string()),
});
export type BsnLikeScan = z.infer<typeof bsnLikeScanView>;

/** The eleven-test (elfproef) of a nine-digit BSN. */
export function passesElevenTest(digits: string): boolean {
  if (!/^[0-9]{9}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(digits[i]) * (9 - i);
  sum -= Number(digits[8]);
  return sum % 11 === 0 && digits !== '000000000';
}

// A run of nine digits standing alone: not part of a longer number, nor of a token, a base64url string (receipts,
// signatures: letters, digits, '-' and '_') or an identifier.
const NINE_DIGITS = /(?<![0-9A-Za-z_-])[0-9]{9}(?![0-9A-Za-z_-])/g;

/**
 * Reads every text, varchar and jsonb column of the tables in `schema` (up to `maxRowsPerColumn` rows holding a
 * free-standing nine-digit run each) and counts the runs that pass the eleven-test. Uuids, tokens and base64url
 * strings cannot match (their digit runs are bounded by letters, '-' or '_'). No value is returned or logged, only
 * where such values were found.
 */
export async function scanForBsnLikeValues(
  em: EntityManager,
  options: { schema?: string; maxRowsPerColumn?: number; excludeTables?: readonly string[] } = {},
): Promise<BsnLikeScan> {
  const schema = options.schema ?? 'public';
  const limit = options.maxRowsPerColumn ?? 10_000;
  const exclude = new Set(options.excludeTables ?? []);
  const columns = await em.query<{ table_name: string; column_name: string }[]>(
    `SELECT c.table_name, c.column_name
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = $1 AND t.table_type = 'BASE TABLE'
        AND c.data_type IN ('text', 'character varying', 'jsonb', 'json')
      ORDER BY 1, 2`,
    [schema],
  );
  const found = new Set<string>();
  let bsnLike = 0;
  let scanned = 0;
  for (const { table_name: table, column_name: column } of columns) {
    if (exclude.has(table)) continue;
    scanned++;
    const rows = await em.query<{ v: string }[]>(
      `SELECT "${column.replace(/"/g, '""')}"::text AS v FROM "${schema}"."${table.replace(/"/g, '""')}"
        WHERE "${column.replace(/"/g, '""')}"::text ~ '(^|[^0-9A-Za-z_-])[0-9]{9}([^0-9A-Za-z_-]|$)' LIMIT ${limit}`,
    );
    for (const { v } of rows)
      for (const match of v.matchAll(NINE_DIGITS))
        if (passesElevenTest(match[0])) {
          bsnLike++;
          found.add(`${table}.${column}`);
        }
  }
  return { columnsScanned: scanned, bsnLikeValues: bsnLike, columns: [...found].sort() };
}

/**
 * The route of a service's conformance evidence, declared once: GET /conformance-evidence (use on a method of a
 * `@Controller('conformance-evidence')`), for auditors, admins and the platform operator, answering `schema`;
 * another organisation's caller gets 403 OUTSIDE_ORGANISATION (the handler calls `assertActsFor`).
 */
export function ConformanceEvidenceRoute(schema: z.ZodType, description: string): MethodDecorator {
  return applyDecorators(
    Get(),
    Roles('auditor', 'admin', 'platform-operator'),
    ApiResult(schema, { description }),
    ApiProblems('OUTSIDE_ORGANISATION'),
  );
}
