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
 * Assumed when a registry refuses the probe document itself (introspection switched off is a
 * validation error): today's registries, which is what such a stack most likely runs. A call that
 * then fails validation re-learns (RegistryClient).
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

/** What learning answered: the registry's capabilities, or NEWEST_CAPABILITIES assumed for want of them. */
export interface Learnt {
  capabilities: RegistryCapabilities
  assumed: boolean
}

export interface CapabilityCacheOptions {
  max?: number
  /** How long learnt capabilities are kept (registries upgrade in place). */
  ttlMs?: number
  /** How long assumed ones are kept: short, so a registry that lets the probe through again is learnt soon. */
  assumedTtlMs?: number
  /** The clock, in milliseconds (tests). */
  now?: () => number
}

interface Entry {
  pending: Promise<RegistryCapabilities>
  expiresAt: number
}

/**
 * Capabilities per registry URL (the schema is the same for every user of a registry): learnt once,
 * by one call however many tool calls ask at the same moment (the pending promise is what is cached),
 * kept for an hour, or a minute when assumed, bounded, and forgotten when learning fails (the
 * registry down, 5xx, the token refused: nothing said about the schema) or when a call shaped by them
 * fails validation.
 */
export class CapabilityCache {
  readonly #cache: LRUCache<string, Entry>
  readonly #ttlMs: number
  readonly #assumedTtlMs: number
  readonly #now: () => number

  constructor (options: CapabilityCacheOptions = {}) {
    this.#cache = new LRUCache({ max: options.max ?? 500 })
    this.#ttlMs = options.ttlMs ?? 60 * 60 * 1000
    this.#assumedTtlMs = options.assumedTtlMs ?? 60 * 1000
    this.#now = options.now ?? Date.now
  }

  get (registryUrl: string, learn: () => Promise<Learnt>): Promise<RegistryCapabilities> {
    const cached = this.#cache.get(registryUrl)
    if (cached !== undefined && cached.expiresAt > this.#now()) return cached.pending
    const pending = learn().then((learnt) => {
      if (learnt.assumed) entry.expiresAt = this.#now() + this.#assumedTtlMs
      return learnt.capabilities
    }, (err: unknown) => {
      if (this.#cache.get(registryUrl) === entry) this.#cache.delete(registryUrl)
      throw err
    })
    const entry: Entry = { pending, expiresAt: this.#now() + this.#ttlMs }
    this.#cache.set(registryUrl, entry)
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
