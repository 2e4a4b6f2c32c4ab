import { PipeTransform } from '@nestjs/common';
import { z } from 'zod';

export class RequestValidationError extends Error {
  constructor(readonly errors: { field: string; message: string }[]) {
    super('request validation failed');
    this.name = 'RequestValidationError';
  }
}

/**
 * Validates a body, query or params object with a zod schema. Use `z.strictObject` so unknown fields are
 * rejected. Messages name the field and the rule, never the submitted value.
 */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    throw new RequestValidationError(
      result.error.issues.flatMap((issue) => {
        if (issue.code === 'unrecognized_keys') {
          return issue.keys.map((key) => ({
            field: [...issue.path, key].join('.'),
            message: 'unknown field',
          }));
        }
        return [{ field: issue.path.map(String).join('.') || '(body)', message: messageFor(issue) }];
      }),
    );
  }
}

function messageFor(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'required';
  return issue.message;
}
