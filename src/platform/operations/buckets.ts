import { z } from 'zod'
import { defineOperation } from '../registry-client.js'

export const bucketListQuery = defineOperation()({
  name: 'BucketList',
  kind: 'query',
  document: `query BucketList {
  bucketConfigs { name title description tags relevanceScore lastIndexed browsable }
}`,
  result: z.object({
    bucketConfigs: z.array(z.object({
      name: z.string(),
      title: z.string(),
      description: z.string().nullable(),
      tags: z.array(z.string()).nullable(),
      relevanceScore: z.number(),
      lastIndexed: z.string().nullable(),
      browsable: z.boolean()
    }))
  })
})
