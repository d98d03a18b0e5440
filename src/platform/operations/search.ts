import { z } from 'zod'
import { defineEraOperation, type RegistryCapabilities } from '../operation.js'
import { ERROR_ARMS, errorArmsWhere, InvalidInputArm, OperationErrorArm } from '../union-arms.js'

// Search changed shape more than anything else across registry eras (README "Registry versions"):
// `latestOnly` appeared on 2025-02-13, `total`, `totalEntriesCount` and the `OperationError` arms on 2025-08-22,
// and the packages `firstPage` became a union on 2026-08-21. Each document below is built from the
// registry's capabilities; every shape parses into one result type.

const EmptyArm = z.object({ __typename: z.literal('EmptySearchResultSet') })

const PackageHit = z.object({
  bucket: z.string(),
  name: z.string(),
  hash: z.string(),
  modified: z.string(),
  size: z.number(),
  // Absent before 2025-08-22.
  totalEntriesCount: z.number().nullish().transform((count) => count ?? null),
  comment: z.string().nullable(),
  score: z.number()
})

const ObjectHit = z.object({
  bucket: z.string(),
  key: z.string(),
  version: z.string(),
  size: z.number(),
  modified: z.string(),
  deleted: z.boolean(),
  score: z.number()
})

/** A page of hits; `cursor` (when not null) fetches the next one through searchMore*. */
const PackagesPage = z.object({ __typename: z.literal('PackagesSearchResultSetPage'), cursor: z.string().nullable(), hits: z.array(PackageHit) })
const ObjectsPage = z.object({ __typename: z.literal('ObjectsSearchResultSetPage'), cursor: z.string().nullable(), hits: z.array(ObjectHit) })

/** The match count: `total`, or `stats { total }` before 2025-08-22 (both read into `total`). */
const totalField = (c: RegistryCapabilities) => c.searchResultTotal ? 'total' : 'stats { total }'

const Total = { total: z.number().optional(), stats: z.object({ total: z.number() }).optional() }
const countOf = ({ total, stats }: { total?: number | undefined, stats?: { total: number } | undefined }) => total ?? stats?.total ?? 0

const packageHitFields = (c: RegistryCapabilities) =>
  `cursor hits { bucket name hash modified size ${c.packageHitEntryCount ? 'totalEntriesCount ' : ''}comment score }`
const OBJECT_HIT_FIELDS = 'cursor hits { bucket key version size modified deleted score }'

type SearchVariables = { buckets: string[], searchString: string | null, size: number }

export const searchPackagesQuery = defineEraOperation<SearchVariables & { latestOnly: boolean }>()({
  name: 'SearchPackages',
  kind: 'query',
  // `... on PackagesSearchResultSetPage` is valid both where firstPage is that type and where it is a union.
  document: (c) => `query SearchPackages($buckets: [String!], $searchString: String${c.latestOnlySearch ? ', $latestOnly: Boolean!' : ''}, $size: Int!) {
  searchPackages(buckets: $buckets, searchString: $searchString${c.latestOnlySearch ? ', latestOnly: $latestOnly' : ''}) {
    __typename
    ... on PackagesSearchResultSet {
      ${totalField(c)}
      firstPage(size: $size) {
        __typename
        ... on PackagesSearchResultSetPage { ${packageHitFields(c)} }
        ${c.packagesFirstPageUnion ? ERROR_ARMS : ''}
      }
    }
    ${errorArmsWhere(c.searchOperationError)}
  }
}`,
  result: z.object({
    searchPackages: z.discriminatedUnion('__typename', [
      // total is -1 under secure search: hits are checked against the user's permissions after the count.
      z.object({
        __typename: z.literal('PackagesSearchResultSet'),
        ...Total,
        firstPage: z.discriminatedUnion('__typename', [PackagesPage, InvalidInputArm, OperationErrorArm])
      }).transform(({ stats, ...set }) => ({ ...set, total: countOf({ ...set, stats }) })),
      EmptyArm,
      InvalidInputArm,
      OperationErrorArm
    ])
  })
})

export const searchMorePackagesQuery = defineEraOperation<{ after: string, size: number }>()({
  name: 'SearchMorePackages',
  kind: 'query',
  document: (c) => `query SearchMorePackages($after: String!, $size: Int!) {
  searchMorePackages(after: $after, size: $size) {
    __typename
    ... on PackagesSearchResultSetPage { ${packageHitFields(c)} }
    ${errorArmsWhere(c.searchOperationError)}
  }
}`,
  result: z.object({ searchMorePackages: z.discriminatedUnion('__typename', [PackagesPage, InvalidInputArm, OperationErrorArm]) })
})

export const searchObjectsQuery = defineEraOperation<SearchVariables>()({
  name: 'SearchObjects',
  kind: 'query',
  document: (c) => `query SearchObjects($buckets: [String!], $searchString: String, $size: Int!) {
  searchObjects(buckets: $buckets, searchString: $searchString) {
    __typename
    ... on ObjectsSearchResultSet {
      ${totalField(c)}
      firstPage(size: $size) { __typename ${OBJECT_HIT_FIELDS} }
    }
    ${errorArmsWhere(c.searchOperationError)}
  }
}`,
  result: z.object({
    searchObjects: z.discriminatedUnion('__typename', [
      z.object({ __typename: z.literal('ObjectsSearchResultSet'), ...Total, firstPage: ObjectsPage })
        .transform(({ stats, ...set }) => ({ ...set, total: countOf({ ...set, stats }) })),
      EmptyArm,
      InvalidInputArm,
      OperationErrorArm
    ])
  })
})

export const searchMoreObjectsQuery = defineEraOperation<{ after: string, size: number }>()({
  name: 'SearchMoreObjects',
  kind: 'query',
  document: (c) => `query SearchMoreObjects($after: String!, $size: Int!) {
  searchMoreObjects(after: $after, size: $size) {
    __typename
    ... on ObjectsSearchResultSetPage { ${OBJECT_HIT_FIELDS} }
    ${errorArmsWhere(c.searchOperationError)}
  }
}`,
  result: z.object({ searchMoreObjects: z.discriminatedUnion('__typename', [ObjectsPage, InvalidInputArm, OperationErrorArm]) })
})
