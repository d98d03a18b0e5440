import { adminFields } from './admin.js'
import type { BucketData, TenantData } from './data.js'
import type { createRootValue } from './resolvers.js'
import { tabulatorMutations, tabulatorTablesOf } from './tabulator.js'

type RootValue = ReturnType<typeof createRootValue>

/**
 * Buckets whose workflow config lists successors: packages there may be promoted (pushed) only to
 * these buckets. A bucket without an entry here has no successor rule.
 */
const SAMPLE_SUCCESSORS: Record<string, string[]> = {
  'quilt-example': ['cellpainting-data']
}

const FULL_HASH = /^[0-9a-f]{64}$/

const bucketView = (tenant: TenantData, bucket: BucketData) => ({ __typename: 'BucketConfig', ...bucket, tabulatorTables: tabulatorTablesOf(tenant)[bucket.name] ?? [] })

interface PromoteArgs {
  params: { bucket: string, name: string, message?: string | null, userMeta?: unknown, workflow?: string | null }
  src: { bucket: string, name: string, hash: string }
  destPrefix?: string | null
}

/**
 * `packagePromote`, strict like the registry: a full hash only, and the source bucket's workflow
 * successors apply. The new revision keeps the source's physical keys (the real registry copies the
 * objects into the destination bucket; the sample registry cannot write to S3).
 */
function packagePromote (tenant: TenantData, root: RootValue, { params, src }: PromoteArgs) {
  if (!FULL_HASH.test(src.hash)) {
    return { __typename: 'InvalidInput', errors: [{ path: 'src.hash', name: 'ValidationError', message: 'hash must be a full 64-character top hash', context: null }] }
  }
  const source = tenant.packages.find((p) => p.bucket === src.bucket && p.name === src.name)
  const revision = source?.revisions.find((r) => r.hash === src.hash)
  if (revision === undefined) {
    return { __typename: 'OperationError', name: 'PackageNotFound', message: `Package ${src.bucket}/${src.name}@${src.hash} not found`, context: null }
  }
  const successors = SAMPLE_SUCCESSORS[src.bucket]
  if (successors !== undefined && !successors.includes(params.bucket)) {
    return {
      __typename: 'InvalidInput',
      errors: [{ path: 'params.bucket', name: 'InvalidSuccessor', message: `s3://${params.bucket} is not a successor of s3://${src.bucket}`, context: null }]
    }
  }
  const entries = revision.entries.map(({ logicalKey, physicalKey, size, hash, meta }) => ({ logicalKey, physicalKey, size, hash, meta }))
  return root.packageConstruct({ params, src: { entries } })
}

/**
 * The registry's root fields plus those of data access: bucket configs carry their tabulator tables
 * (whichever buckets the registry's rules show), packagePromote, the tabulator mutations (at the top
 * level, where the era has them, and under `admin` in every era) and the admin fields.
 */
export function withDataFields (root: RootValue, tenant: TenantData) {
  const bucketConfig = (name: string) => {
    const bucket = root.bucketConfig({ name })
    return bucket === null ? null : bucketView(tenant, bucket)
  }
  const tabulator = tabulatorMutations(tenant, bucketConfig)
  return {
    ...root,
    bucketConfigs: () => root.bucketConfigs().map((bucket) => bucketView(tenant, bucket)),
    bucketConfig: ({ name }: { name: string }) => bucketConfig(name),
    packagePromote: (args: PromoteArgs) => packagePromote(tenant, root, args),
    ...tabulator,
    ...adminFields(tenant, tabulator)
  }
}
