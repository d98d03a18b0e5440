import type { z } from 'zod'

export type Variables = Record<string, unknown>

/** A named GraphQL operation and the zod schema its `data` must satisfy. */
export interface Operation<V extends Variables, T> {
  name: string
  kind: 'query' | 'mutation'
  document: string
  result: z.ZodType<T>
  /** Only for typing call sites; never read. */
  readonly variables?: V
}

/**
 * What a registry's schema offers where the supported eras differ (README "Registry versions").
 * Learnt from the registry itself by introspection (capabilities.ts), never guessed from a version.
 */
export interface RegistryCapabilities {
  /** `searchPackages(latestOnly:)`: since 2025-02-13; before, search finds every revision. */
  latestOnlySearch: boolean
  /** Search result sets have `total`: since 2025-08-22; before, only `stats { total }`. */
  searchResultTotal: boolean
  /** `SearchHitPackage.totalEntriesCount`: since 2025-08-22. */
  packageHitEntryCount: boolean
  /** `OperationError` is a member of the search result unions: since 2025-08-22. */
  searchOperationError: boolean
  /** Role-scoped `Query.buckets` (no admin bypass, unlike `bucketConfigs`): since 2026-04-22. */
  roleScopedBuckets: boolean
  /** `PackagesSearchResultSet.firstPage` is the `PackagesFirstPageResult` union, with `ordering`: since 2026-08-21. */
  packagesFirstPageUnion: boolean
  /** `Mutation.bucketSetTabulatorTable` / `bucketRenameTabulatorTable` for non-admins: since 2026-04-22; before, only under `admin`. */
  topLevelTabulatorMutations: boolean
  /** `admin.tabulatorOpenQuery` and `setTabulatorOpenQuery`: since 2025-02-13. */
  tabulatorOpenQuery: boolean
}

/** An operation whose document depends on the registry's era; its result has one shape for all. */
export interface EraOperation<V extends Variables, T> {
  name: string
  kind: 'query' | 'mutation'
  result: z.ZodType<T>
  /** The document, in the shape a registry with these capabilities accepts. */
  shape (capabilities: RegistryCapabilities): Operation<V, T>
  /** Whether a registry with these capabilities has the operation at all; absent: every era has it. */
  available? (capabilities: RegistryCapabilities): boolean
  readonly variables?: V
}

export function isEraOperation<V extends Variables, T> (op: Operation<V, T> | EraOperation<V, T>): op is EraOperation<V, T> {
  return 'shape' in op
}

function checkName (name: string, kind: string, document: string): void {
  // Every operation is named (the registry logs by name); a mismatch is a bug caught at import time.
  if (!new RegExp(`^\\s*${kind}\\s+${name}\\b`).test(document)) {
    throw new Error(`GraphQL document for ${name} must start with "${kind} ${name}"`)
  }
}

/**
 * Declares an operation; curried so the variables type is written once and the result type is inferred
 * from the zod schema: `defineOperation<{ bucket: string }>()({ name, kind, document, result })`.
 */
export function defineOperation<V extends Variables = Record<string, never>> () {
  return <S extends z.ZodType>(op: { name: string, kind: 'query' | 'mutation', document: string, result: S }): Operation<V, z.output<S>> => {
    checkName(op.name, op.kind, op.document)
    return op as Operation<V, z.output<S>>
  }
}

/**
 * Declares an operation whose document varies by registry era: `document` builds it from the
 * capabilities. Each distinct document is built and checked once, then reused.
 */
export function defineEraOperation<V extends Variables = Record<string, never>> () {
  return <S extends z.ZodType>(op: {
    name: string
    kind: 'query' | 'mutation'
    document: (capabilities: RegistryCapabilities) => string
    result: S
    available?: (capabilities: RegistryCapabilities) => boolean
  }): EraOperation<V, z.output<S>> => {
    const result = op.result as z.ZodType<z.output<S>>
    const shapes = new Map<string, Operation<V, z.output<S>>>()
    return {
      name: op.name,
      kind: op.kind,
      result,
      ...(op.available === undefined ? {} : { available: op.available }),
      shape (capabilities) {
        const key = JSON.stringify(capabilities)
        let shaped = shapes.get(key)
        if (shaped === undefined) {
          const document = op.document(capabilities)
          checkName(op.name, op.kind, document)
          shaped = { name: op.name, kind: op.kind, document, result }
          shapes.set(key, shaped)
        }
        return shaped
      }
    }
  }
}
