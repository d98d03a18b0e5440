import { z } from 'zod'
import { defineOperation } from '../operation.js'
import { ERROR_ARMS, InvalidInputArm, OperationErrorArm } from '../union-arms.js'
import { PUSH_SUCCESS_SELECTION, PushSuccessArm, type PushParams } from './mutations.js'

// Both fields exist in every supported registry era (2024-10-11 onwards); `destPrefix` came in 2025-08-22.

export const tabulatorTablesQuery = defineOperation<{ bucket: string }>()({
  name: 'TabulatorTables',
  kind: 'query',
  document: `query TabulatorTables($bucket: String!) {
  bucketConfig(name: $bucket) { name tabulatorTables { name config } }
}`,
  result: z.object({
    bucketConfig: z.object({
      name: z.string(),
      tabulatorTables: z.array(z.object({ name: z.string(), config: z.string() }))
    }).nullable()
  })
})

export const packagePromoteMutation = defineOperation<{ params: PushParams, src: { bucket: string, name: string, hash: string } }>()({
  name: 'PackagePromote',
  kind: 'mutation',
  document: `mutation PackagePromote($params: PackagePushParams!, $src: PackagePromoteSource!) {
  packagePromote(params: $params, src: $src) {
    __typename
    ${PUSH_SUCCESS_SELECTION}
    ${ERROR_ARMS}
  }
}`,
  result: z.object({
    packagePromote: z.discriminatedUnion('__typename', [
      PushSuccessArm,
      InvalidInputArm,
      OperationErrorArm
    ])
  })
})
