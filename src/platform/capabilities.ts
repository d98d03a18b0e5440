import { LRUCache } from 'lru-cache'
import { z } from 'zod'
import { defineOperation, type RegistryCapabilities } from './operation.js'

const FieldNames = z.object({ name: z.string() })
const TypeFields = z.object({ fields: z.array(FieldNames.extend({ args: z.array(FieldNames).optional() })).nullable() }).nullable()

const has = (fields: Array<{ name: string }> | null | undefined, name: string) => (fields ?? []).some((field) => field.name === name)

/**
 * One small named introspection query that tells the eras apart: only the few types whose shape
 * changed, not the whole schema (a real registry's full introspection is hundreds of kilobytes).
 */
export const capabilitiesQuery = defineOperation()({
  name: 'GatewayCapabilities',
  kind: 'query',
  document: `query GatewayCapabilities {
  queryType: __type(name: "Query") { fields { name args { name } } }
  searchResult: __type(name: "PackagesSearchResult") { possibleTypes { name } }
  resultSet: __type(name: "PackagesSearchResultSet") { fields { name } }
  packageHit: __type(name: "SearchHitPackage") { fields { name } }
  firstPageResult: __type(name: "PackagesFirstPageResult") { name }
  mutationType: __type(name: "Mutation") { fields { name } }
  adminQueries: __type(name: "AdminQueries") { fields { name } }
}`,
  result: z.object({
    queryType: TypeFields,
    searchResult: z.object({ possibleTypes: z.array(FieldNames).nullable() }).nullable(),
    resultSet: TypeFields,
    packageHit: TypeFields,
    firstPageResult: FieldNames.nullable(),
    mutationType: TypeFields,
    adminQueries: TypeFields
  }).transform(({ queryType, searchResult, resultSet, packageHit, firstPageResult, mutationType, adminQueries }): RegistryCapabilities => {
    const searchPackages = queryType?.fields?.find((field) => field.name === 'searchPackages')
    return {
      latestOnlySearch: has(searchPackages?.args, 'latestOnly'),
      searchResultTotal: has(resultSet?.fields, 'total'),
      packageHitEntryCount: has(packageHit?.fields, 'totalEntriesCount'),
      searchOperationError: has(searchResult?.possibleTypes, 'OperationError'),
      roleScopedBuckets: has(queryType?.fields, 'buckets'),
      packagesFirstPageUnion: firstPageResult !== null,
      topLevelTabulatorMutations: has(mutationType?.fields, 'bucketSetTabulatorTable'),
      tabulatorOpenQuery: has(adminQueries?.fields, 'tabulatorOpenQuery')
    }
  })
})

/**
 * Assumed when a registry refuses introspection: today's registries, which is what a stack without
 * introspection most likely runs. A call that then fails validation re-learns (RegistryClient).
 */
export const NEWEST_CAPABILITIES: RegistryCapabilities = {
  latestOnlySearch: true,
  searchResultTotal: true,
  packageHitEntryCount: true,
  searchOperationError: true,
  roleScopedBuckets: true,
  packagesFirstPageUnion: true,
  topLevelTabulatorMutations: true,
  tabulatorOpenQuery: true
}

/**
 * Capabilities per registry URL (the schema is the same for every user of a registry): learnt once,
 * by one call however many tool calls ask at the same moment (the pending promise is what is cached),
 * kept for an hour (registries upgrade in place), bounded, and forgotten when learning fails or when
 * a call shaped by them fails validation.
 */
export class CapabilityCache {
  readonly #cache: LRUCache<string, Promise<RegistryCapabilities>>

  constructor (max = 500, ttlMs = 60 * 60 * 1000) {
    this.#cache = new LRUCache({ max, ttl: ttlMs })
  }

  get (registryUrl: string, learn: () => Promise<RegistryCapabilities>): Promise<RegistryCapabilities> {
    let pending = this.#cache.get(registryUrl)
    if (pending === undefined) {
      pending = learn()
      this.#cache.set(registryUrl, pending)
      // A failure (registry down, token rejected) is not an answer about the schema: ask again next time.
      pending.catch(() => {
        if (this.#cache.get(registryUrl) === pending) this.#cache.delete(registryUrl)
      })
    }
    return pending
  }

  forget (registryUrl: string): void {
    this.#cache.delete(registryUrl)
  }

  get size (): number {
    return this.#cache.size
  }
}

/** Shared by every registry client of the process unless one is given its own (tests). */
export const sharedCapabilities = new CapabilityCache()
