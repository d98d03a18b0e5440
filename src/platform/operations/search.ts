import { z } from 'zod'
import { defineOperation } from '../registry-client.js'
import { ERROR_ARMS, InvalidInputArm, OperationErrorArm } from '../union-arms.js'

// Characters with a meaning in Elasticsearch query_string syntax. `&&`/`||` are covered by escaping
// `&` and `|` one at a time. `<` and `>` cannot be escaped at all (Elasticsearch docs), so they are
// replaced by spaces, which split terms just as the analyzer would.
const RESERVED = /[+\-=&|!(){}[\]^"~*?:\\/]/g
const UNESCAPABLE = /[<>]/g
// Upper-case AND, OR and NOT are operators; lower case makes them ordinary words again.
const OPERATOR_WORDS = /(?<=^|\s)(AND|OR|NOT)(?=\s|$)/g

/** Makes free text search literally: every reserved character escaped, operators neutralised. */
export function escapeQueryString (text: string): string {
  return text
    .replace(UNESCAPABLE, ' ')
    .replace(RESERVED, (char) => `\\${char}`)
    .replace(OPERATOR_WORDS, (word) => word.toLowerCase())
    .trim()
}

/**
 * The registry's `searchString` for a tool query: null (no text constraint, everything the caller may
 * see) for a blank query or a bare `*`, which is how models ask for "all"; otherwise escaped text.
 */
export function toSearchString (query: string): string | null {
  const trimmed = query.trim()
  if (trimmed === '' || trimmed === '*') return null
  const escaped = escapeQueryString(trimmed)
  return escaped === '' ? null : escaped
}

const EmptyArm = z.object({ __typename: z.literal('EmptySearchResultSet') })

type SearchVariables = { buckets: string[] | null, searchString: string | null, size: number }

export const searchPackagesQuery = defineOperation<SearchVariables & { latestOnly: boolean }>()({
  name: 'SearchPackages',
  kind: 'query',
  document: `query SearchPackages($buckets: [String!], $searchString: String, $latestOnly: Boolean!, $size: Int!) {
  searchPackages(buckets: $buckets, searchString: $searchString, latestOnly: $latestOnly) {
    __typename
    ... on PackagesSearchResultSet {
      total
      firstPage(size: $size) {
        __typename
        ... on PackagesSearchResultSetPage { hits { bucket name hash modified size totalEntriesCount comment score } }
        ${ERROR_ARMS}
      }
    }
    ${ERROR_ARMS}
  }
}`,
  result: z.object({
    searchPackages: z.discriminatedUnion('__typename', [
      z.object({
        __typename: z.literal('PackagesSearchResultSet'),
        total: z.number(),
        firstPage: z.discriminatedUnion('__typename', [
          z.object({
            __typename: z.literal('PackagesSearchResultSetPage'),
            hits: z.array(z.object({
              bucket: z.string(),
              name: z.string(),
              hash: z.string(),
              modified: z.string(),
              size: z.number(),
              totalEntriesCount: z.number(),
              comment: z.string().nullable(),
              score: z.number()
            }))
          }),
          InvalidInputArm,
          OperationErrorArm
        ])
      }),
      EmptyArm,
      InvalidInputArm,
      OperationErrorArm
    ])
  })
})

export const searchObjectsQuery = defineOperation<SearchVariables>()({
  name: 'SearchObjects',
  kind: 'query',
  document: `query SearchObjects($buckets: [String!], $searchString: String, $size: Int!) {
  searchObjects(buckets: $buckets, searchString: $searchString) {
    __typename
    ... on ObjectsSearchResultSet {
      total
      firstPage(size: $size) { hits { bucket key version size modified deleted score } }
    }
    ${ERROR_ARMS}
  }
}`,
  result: z.object({
    searchObjects: z.discriminatedUnion('__typename', [
      z.object({
        __typename: z.literal('ObjectsSearchResultSet'),
        total: z.number(),
        firstPage: z.object({
          hits: z.array(z.object({
            bucket: z.string(),
            key: z.string(),
            version: z.string(),
            size: z.number(),
            modified: z.string(),
            deleted: z.boolean(),
            score: z.number()
          }))
        })
      }),
      EmptyArm,
      InvalidInputArm,
      OperationErrorArm
    ])
  })
})
