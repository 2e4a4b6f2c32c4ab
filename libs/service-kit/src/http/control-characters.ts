/**
 * Text policy for request input: no C0 control characters (U+0000–U+001F) and no DEL (U+007F) anywhere in
 * a JSON or form body or a query parameter. Body strings may hold TAB, LF and CR, because free-text
 * fields (notes, reasons, addresses pasted from a letter) legitimately span lines; query parameters are
 * identifiers, dates and filters, so they get no exception. Object keys are checked like values.
 */
// eslint-disable-next-line no-control-regex
const BODY_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
// eslint-disable-next-line no-control-regex
const QUERY_FORBIDDEN = /[\u0000-\u001F\u007F]/;

export type TextPolicy = 'body' | 'query';

export interface TextProblem {
  field: string;
  message: string;
}

export const CONTROL_CHARACTER_MESSAGE = 'must not contain control characters';
const MAX_DEPTH = 64;

/**
 * Every string (value or key) in `value` that holds a forbidden control character, named by its path
 * (`a.b.0.c`, like the validation pipe's field names; `(body)` for a top-level string, `prefix` first when
 * given). Nesting deeper than 64 levels is a problem of its own. At most 50 problems are listed.
 */
export function controlCharacterProblems(value: unknown, policy: TextPolicy, prefix = ''): TextProblem[] {
  const forbidden = policy === 'body' ? BODY_FORBIDDEN : QUERY_FORBIDDEN;
  const found: TextProblem[] = [];
  const visit = (node: unknown, path: string, depth: number): void => {
    if (found.length >= 50) return;
    if (typeof node === 'string') {
      if (forbidden.test(node)) found.push({ field: path || '(body)', message: CONTROL_CHARACTER_MESSAGE });
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (depth >= MAX_DEPTH) {
      found.push({ field: path || '(body)', message: `must not be nested deeper than ${MAX_DEPTH} levels` });
      return;
    }
    const entries = Array.isArray(node)
      ? node.map((item, i): [string, unknown] => [String(i), item])
      : Object.entries(node as Record<string, unknown>);
    for (const [key, item] of entries) {
      if (forbidden.test(key)) {
        // The key itself is the bad text: name it with its control characters made visible.
        found.push({
          field: join(path, JSON.stringify(key).slice(1, -1)),
          message: CONTROL_CHARACTER_MESSAGE,
        });
        continue;
      }
      visit(item, join(path, key), depth + 1);
    }
  };
  visit(value, prefix, 0);
  return found;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
