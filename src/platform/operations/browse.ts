import { z } from 'zod'
import { defineOperation } from '../operation.js'
import { JsonRecord } from './packages.js'

type BrowseVariables = { bucket: string, name: string, hashOrTag: string, path: string }

// `dir` and `file` are separate operations on purpose: asking for both in one query made the
// registry fail the whole request whenever one of them failed (the browse outage in the field).

/** `package.revision(hashOrTag)` with its hash and one more field selection. */
function revisionQuery<K extends string, S extends z.ZodType> (name: string, selection: string, field: K, schema: S) {
  return defineOperation<BrowseVariables>()({
    name,
    kind: 'query',
    document: `query ${name}($bucket: String!, $name: String!, $hashOrTag: String!, $path: String!) {
  package(bucket: $bucket, name: $name) {
    revision(hashOrTag: $hashOrTag) {
      hash
      ${selection}
    }
  }
}`,
    result: z.object({
      package: z.object({
        revision: z.object({ hash: z.string() }).extend({ [field]: schema } as { [P in K]: S }).nullable()
      }).nullable()
    })
  })
}

export const packageBrowseDirQuery = revisionQuery('PackageBrowseDir', `dir(path: $path) {
        path size metadata
        children {
          __typename
          ... on PackageFile { path size physicalKey }
          ... on PackageDir { path size }
        }
      }`, 'dir', z.object({
  path: z.string(),
  size: z.number(),
  metadata: JsonRecord.nullable(),
  children: z.array(z.discriminatedUnion('__typename', [
    z.object({ __typename: z.literal('PackageFile'), path: z.string(), size: z.number(), physicalKey: z.string() }),
    z.object({ __typename: z.literal('PackageDir'), path: z.string(), size: z.number() })
  ]))
}).nullable())

export const packageBrowseFileQuery = revisionQuery('PackageBrowseFile', 'file(path: $path) { path size physicalKey metadata }', 'file',
  z.object({ path: z.string(), size: z.number(), physicalKey: z.string(), metadata: JsonRecord.nullable() }).nullable())
