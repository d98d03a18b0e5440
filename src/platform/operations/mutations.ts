import { z } from 'zod'
import { defineOperation } from '../operation.js'
import { ERROR_ARMS, InvalidInputArm, OperationErrorArm } from '../union-arms.js'
import type { FlatMapEntry } from './packages.js'

/** `PackageConstructEntry`: the registry's input for one file of a new revision. */
export interface ConstructEntry {
  logicalKey: string
  physicalKey: string
  size?: number
  hash?: { type: string, value: string }
  meta?: Record<string, unknown>
}

export interface PushParams {
  bucket: string
  name: string
  message?: string
  userMeta?: Record<string, unknown>
  workflow?: string
}

/** An existing entry, as the registry listed it, carried unchanged into a new revision. */
export function entryFromFlatMap (logicalKey: string, entry: FlatMapEntry): ConstructEntry {
  return {
    logicalKey,
    physicalKey: entry.physicalKey,
    size: entry.size,
    ...(entry.hash ? { hash: entry.hash } : {}),
    ...(entry.meta ? { meta: entry.meta } : {})
  }
}

/** The success arm of a push (construct, promote): the new revision. */
export const PUSH_SUCCESS_SELECTION = '... on PackagePushSuccess { revision { hash modified totalEntries totalBytes } }'
export const PushSuccessArm = z.object({
  __typename: z.literal('PackagePushSuccess'),
  revision: z.object({ hash: z.string(), modified: z.string(), totalEntries: z.number().nullable(), totalBytes: z.number().nullable() })
})

export const packageConstructMutation = defineOperation<{ params: PushParams, src: { entries: ConstructEntry[] } }>()({
  name: 'PackageConstruct',
  kind: 'mutation',
  document: `mutation PackageConstruct($params: PackagePushParams!, $src: PackageConstructSource!) {
  packageConstruct(params: $params, src: $src) {
    __typename
    ${PUSH_SUCCESS_SELECTION}
    ${ERROR_ARMS}
  }
}`,
  result: z.object({
    packageConstruct: z.discriminatedUnion('__typename', [
      PushSuccessArm,
      InvalidInputArm,
      OperationErrorArm
    ])
  })
})

export const packageRevisionDeleteMutation = defineOperation<{ bucket: string, name: string, hash: string }>()({
  name: 'PackageRevisionDelete',
  kind: 'mutation',
  document: `mutation PackageRevisionDelete($bucket: String!, $name: String!, $hash: String!) {
  packageRevisionDelete(bucket: $bucket, name: $name, hash: $hash) {
    __typename
    ... on OperationError { message name }
  }
}`,
  result: z.object({
    packageRevisionDelete: z.discriminatedUnion('__typename', [
      z.object({ __typename: z.literal('PackageRevisionDeleteSuccess') }),
      OperationErrorArm
    ])
  })
})
