import type { EntryData } from './data.js'

// graphql-js's default field resolver reads a property, or calls it with (args) when it is a function,
// and resolves union members by `__typename`; so the "resolvers" are plain views over the tenant data.

/** An argument or input field that may be null, or absent (graphql-js leaves omitted ones undefined). */
export type Maybe<T> = T | null | undefined

export interface InputErrorData { path: string, message: string, name: string }

export const operationError = (name: string, message: string) => ({ __typename: 'OperationError', name, message, context: null })

export const invalidInput = (errors: InputErrorData[]) =>
  ({ __typename: 'InvalidInput', errors: errors.map((error) => ({ ...error, context: null })) })

/** A 1-based page; `null` arguments (explicitly passed) fall back to the schema defaults. */
export function page<T> (items: T[], number: Maybe<number>, perPage: Maybe<number>, defaultPerPage: number): T[] {
  const n = number ?? 1
  const size = perPage ?? defaultPerPage
  return n < 1 || size < 1 ? [] : items.slice((n - 1) * size, n * size)
}

export const sumSizes = (entries: EntryData[]) => entries.reduce((total, e) => total + e.size, 0)

export type Comparable = string | number

export function sortBy<T> (items: T[], key: (item: T) => Comparable, direction: 'asc' | 'desc' = 'asc'): T[] {
  const sign = direction === 'asc' ? 1 : -1
  return [...items].sort((a, b) => {
    const x = key(a)
    const y = key(b)
    return x < y ? -sign : x > y ? sign : 0
  })
}

/** How the sample registry behaves beyond its data: the schema era it serves and secure search. */
export interface RegistryBehaviour {
  era: string
  /** Secure search: totals are -1 and the first page comes back empty, the hits behind its cursor. */
  secureSearch: boolean
}
