import { z } from 'zod'
import { defineEraOperation } from '../operation.js'
import { ERROR_ARMS, InvalidInputArm, OperationErrorArm } from '../union-arms.js'

// Tabulator tables are set and renamed through `admin { ... }` (admins only) before 2026-04-22, and at
// the top level of Mutation (for the bucket's users, as the registry allows) from then on. Both shapes
// parse into one result.

const TableResult = z.discriminatedUnion('__typename', [
  z.object({ __typename: z.literal('BucketConfig'), name: z.string(), tabulatorTables: z.array(z.object({ name: z.string(), config: z.string() })) }),
  InvalidInputArm,
  OperationErrorArm
])

const selection = `{
    __typename
    ... on BucketConfig { name tabulatorTables { name config } }
    ${ERROR_ARMS}
  }`

/** Wraps the field in `admin { }` where the registry has it only there. */
const placed = (topLevel: boolean, field: string) => topLevel ? field : `admin { ${field} }`

const resultOf = (field: string) => z.object({
  admin: z.record(z.string(), TableResult).optional()
}).catchall(TableResult).transform((data, ctx) => {
  const value = data[field] ?? data.admin?.[field]
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', message: `no ${field} in the answer` })
    return z.NEVER
  }
  return value
})

export const tabulatorTableSetMutation = defineEraOperation<{ bucket: string, table: string, config: string | null }>()({
  name: 'TabulatorTableSet',
  kind: 'mutation',
  document: (c) => `mutation TabulatorTableSet($bucket: String!, $table: String!, $config: String) {
  ${placed(c.topLevelTabulatorMutations, `bucketSetTabulatorTable(bucketName: $bucket, tableName: $table, config: $config) ${selection}`)}
}`,
  result: resultOf('bucketSetTabulatorTable')
})

export const tabulatorTableRenameMutation = defineEraOperation<{ bucket: string, table: string, newName: string }>()({
  name: 'TabulatorTableRename',
  kind: 'mutation',
  document: (c) => `mutation TabulatorTableRename($bucket: String!, $table: String!, $newName: String!) {
  ${placed(c.topLevelTabulatorMutations, `bucketRenameTabulatorTable(bucketName: $bucket, tableName: $table, newTableName: $newName) ${selection}`)}
}`,
  result: resultOf('bucketRenameTabulatorTable')
})
