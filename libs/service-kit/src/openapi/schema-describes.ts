import type { z } from 'zod';

/**
 * Compile-time proof that a response schema describes the view type the code returns, so the OpenAPI
 * document (generated from the schema) and the code cannot drift apart unnoticed:
 * - the same fields at every depth (a field added to or removed from either side fails), and
 * - every value the schema allows is a value of the view type (a field whose type changed fails).
 * The schema may be narrower than the view where the code types a field more loosely than it fills it
 * (an enum kept in a `string` column); the integration specs parse real responses with the schema.
 *
 *   type _Check = Assert<Describes<typeof tariffResponseSchema, TariffView>>;   (billing-reconciliation, identity-validation)
 */
export type Describes<S extends z.ZodType, View> =
  SameFields<z.output<S>, View> extends true ? ([z.output<S>] extends [View] ? true : false) : false;

/** Fails to compile unless `T` is `true`. */
export type Assert<T extends true> = T;

type Defined<T> = Exclude<T, null | undefined>;
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;

/** Both sides have the same object fields at every depth (array elements and nullable fields included). */
export type SameFields<A, B> =
  Defined<A> extends readonly (infer EA)[]
    ? Defined<B> extends readonly (infer EB)[]
      ? SameFields<EA, EB>
      : false
    : Defined<A> extends object
      ? Defined<B> extends object
        ? SameKeys<Defined<A>, Defined<B>> extends true
          ? {
              [K in keyof Defined<A>]: K extends keyof Defined<B>
                ? SameFields<Defined<A>[K], Defined<B>[K]>
                : false;
            }[keyof Defined<A>] extends true
            ? true
            : false
          : false
        : false
      : true;
