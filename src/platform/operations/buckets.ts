import { z } from 'zod'
import { defineEraOperation } from '../operation.js'

/**
 * The buckets the caller's active role can read: role-scoped `buckets` where the registry has it
 * (since 2026-04-22); before that `bucketConfigs`, which lists every bucket of the stack to an admin.
 * Both arrive under the alias `buckets`.
 */
export const bucketListQuery = defineEraOperation()({
  name: 'BucketList',
  kind: 'query',
  document: (c) => c.roleScopedBuckets
    ? `query BucketList {
  buckets { name title description tags relevanceScore browsable }
}`
    : `query BucketList {
  buckets: bucketConfigs { name title description tags relevanceScore lastIndexed browsable }
}`,
  result: z.object({
    buckets: z.array(z.object({
      name: z.string(),
      title: z.string(),
      description: z.string().nullable(),
      tags: z.array(z.string()).nullable(),
      relevanceScore: z.number(),
      // Only BucketConfig has it.
      lastIndexed: z.string().nullish().transform((value) => value ?? null),
      browsable: z.boolean()
    }))
  })
})
