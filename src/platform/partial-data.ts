import type { Operation, Variables } from './operation.js'

export interface GraphqlErrorLike {
  message: string
  path?: ReadonlyArray<string | number>
}

// A field error nulls that field (or, when it is non-null, its parent). An error at depth one or two
// (`package`, `package.revision`) nulls what a tool reads as "there is no such package / revision",
// which would turn a registry failure into a false "not found"; deeper ones only blank a detail.
const MIN_TOLERATED_DEPTH = 3

/**
 * The usable part of an answer that carries both data and errors, or undefined when what the
 * operation needs is missing: an error without a path, one that nulled a top-level field or its
 * direct child, or data that no longer satisfies the operation's result schema.
 */
export function partialAnswer<T> (op: Operation<Variables, T>, data: unknown, errors: readonly GraphqlErrorLike[]): T | undefined {
  if (data === null || data === undefined) return undefined
  if (errors.some((error) => (error.path?.length ?? 0) < MIN_TOLERATED_DEPTH)) return undefined
  const parsed = op.result.safeParse(data)
  return parsed.success ? parsed.data : undefined
}
