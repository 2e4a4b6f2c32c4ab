/** Nest token of the agreement catalogue (ReadonlyMap<string, Agreement>): the shipped files, or a test's. */
export const AGREEMENTS = Symbol('AGREEMENTS');
