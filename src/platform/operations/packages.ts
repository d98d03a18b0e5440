import { z } from 'zod'
import { defineOperation } from '../operation.js'

/** The registry's `JsonRecord` scalar. */
export const JsonRecord = z.record(z.string(), z.unknown())

export type PackageListOrder = 'NAME' | 'MODIFIED'

export const packagesListQuery = defineOperation<{ bucket: string, filter: string | null, number: number, perPage: number, order: PackageListOrder }>()({
  name: 'PackagesList',
  kind: 'query',
  document: `query PackagesList($bucket: String!, $filter: String, $number: Int!, $perPage: Int!, $order: PackageListOrder!) {
  packages(bucket: $bucket, filter: $filter) {
    total
    page(number: $number, perPage: $perPage, order: $order) { name modified }
  }
}`,
  result: z.object({
    packages: z.object({
      total: z.number(),
      page: z.array(z.object({ name: z.string(), modified: z.string() }))
    }).nullable()
  })
})

/** How many revisions package_info shows; older ones are counted, not listed. */
const RECENT_REVISIONS = 5

const RevisionSummary = z.object({ hash: z.string(), modified: z.string(), message: z.string().nullable() })

export const packageInfoQuery = defineOperation<{ bucket: string, name: string, hashOrTag: string }>()({
  name: 'PackageInfo',
  kind: 'query',
  document: `query PackageInfo($bucket: String!, $name: String!, $hashOrTag: String!) {
  package(bucket: $bucket, name: $name) {
    modified
    revisions { total page(number: 1, perPage: ${RECENT_REVISIONS}) { hash modified message } }
    revision(hashOrTag: $hashOrTag) {
      hash modified message userMeta totalEntries totalBytes
      workflow { id config }
    }
  }
}`,
  result: z.object({
    package: z.object({
      modified: z.string(),
      revisions: z.object({ total: z.number(), page: z.array(RevisionSummary) }),
      revision: RevisionSummary.extend({
        userMeta: JsonRecord.nullable(),
        totalEntries: z.number().nullable(),
        totalBytes: z.number().nullable(),
        workflow: z.object({ id: z.string().nullable(), config: z.string() }).nullable()
      }).nullable()
    }).nullable()
  })
})

export const packageRevisionsQuery = defineOperation<{ bucket: string, name: string, number: number, perPage: number }>()({
  name: 'PackageRevisions',
  kind: 'query',
  document: `query PackageRevisions($bucket: String!, $name: String!, $number: Int!, $perPage: Int!) {
  package(bucket: $bucket, name: $name) {
    revisions { total page(number: $number, perPage: $perPage) { hash } }
  }
}`,
  result: z.object({
    package: z.object({
      revisions: z.object({ total: z.number(), page: z.array(z.object({ hash: z.string() })) })
    }).nullable()
  })
})

/** One entry of the registry's `PackageContentsFlatMap` scalar, keyed by logical key. */
const FlatMapEntrySchema = z.object({
  physicalKey: z.string(),
  size: z.number(),
  hash: z.object({ type: z.string(), value: z.string() }).nullish(),
  meta: JsonRecord.nullish()
})

export type FlatMapEntry = z.infer<typeof FlatMapEntrySchema>

export const packageContentsQuery = defineOperation<{ bucket: string, name: string, hashOrTag: string, max: number }>()({
  name: 'PackageContents',
  kind: 'query',
  document: `query PackageContents($bucket: String!, $name: String!, $hashOrTag: String!, $max: Int!) {
  package(bucket: $bucket, name: $name) {
    revision(hashOrTag: $hashOrTag) { hash modified message userMeta workflow { id } contentsFlatMap(max: $max) }
  }
}`,
  result: z.object({
    package: z.object({
      revision: z.object({
        hash: z.string(),
        modified: z.string(),
        message: z.string().nullable(),
        userMeta: JsonRecord.nullable(),
        workflow: z.object({ id: z.string().nullable() }).nullable(),
        // null when the revision has more than `max` entries
        contentsFlatMap: z.record(z.string(), FlatMapEntrySchema).nullable()
      }).nullable()
    }).nullable()
  })
})
