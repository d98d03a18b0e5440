import { entryHash, topHash } from './data.js'
import type { BucketData, EntryData, EntryHash, JsonRecord, PackageData, RevisionData, TenantData } from './data.js'
import { invalidInput, operationError, page, sortBy, sumSizes, type InputErrorData, type Maybe, type RegistryBehaviour } from './resolver-kit.js'
import { searchMoreObjects, searchMorePackages, searchObjects, searchPackages } from './search.js'

function fileView (entry: EntryData) {
  return { __typename: 'PackageFile', path: entry.logicalKey, size: entry.size, physicalKey: entry.physicalKey, metadata: entry.meta ?? null }
}

/** The folder at `path` ("" = top level, trailing "/" optional) with its direct children, or null. */
function dirView (entries: EntryData[], path: string): object | null {
  const trimmed = path.replace(/\/+$/, '')
  const prefix = trimmed === '' ? '' : `${trimmed}/`
  const inside = entries.filter((e) => e.logicalKey.startsWith(prefix))
  if (inside.length === 0 && prefix !== '') return null
  return {
    __typename: 'PackageDir',
    path: prefix,
    metadata: null,
    size: sumSizes(inside),
    children: () => {
      const dirs = new Set<string>()
      const files: EntryData[] = []
      for (const e of inside) {
        const slash = e.logicalKey.indexOf('/', prefix.length)
        if (slash === -1) files.push(e)
        else dirs.add(e.logicalKey.slice(0, slash))
      }
      return [...[...dirs].sort().map((dir) => dirView(entries, dir)), ...sortBy(files, (f) => f.logicalKey).map(fileView)]
    }
  }
}

function revisionView (revision: RevisionData) {
  const { hash, modified, message, userMeta, entries } = revision
  const workflow = revision.workflow ?? null
  return {
    hash,
    modified,
    message,
    userMeta,
    workflow,
    // The manifest header, as the registry returns it alongside the parsed fields.
    metadata: { version: 'v0', message, user_meta: userMeta, workflow },
    totalEntries: entries.length,
    totalBytes: sumSizes(entries),
    dir: ({ path }: { path: string }) => dirView(entries, path),
    file: ({ path }: { path: string }) => {
      const entry = entries.find((e) => e.logicalKey === path)
      return entry ? fileView(entry) : null
    },
    contentsFlatMap: ({ max }: { max: Maybe<number> }) => entries.length > (max ?? 1000)
      ? null
      : Object.fromEntries(entries.map((e) => [e.logicalKey, { physicalKey: e.physicalKey, size: e.size, hash: e.hash ?? null, meta: e.meta ?? null }]))
  }
}

/** "latest" or a full 64-character hash, as the real registry takes them: a prefix finds nothing. */
function findRevision (pkg: PackageData, hashOrTag: Maybe<string>): RevisionData | null {
  const ref = hashOrTag ?? 'latest'
  if (ref === 'latest') return pkg.revisions[0] ?? null
  return /^[0-9a-f]{64}$/.test(ref) ? pkg.revisions.find((r) => r.hash === ref) ?? null : null
}

const findPackage = (tenant: TenantData, bucket: string, name: string) =>
  tenant.packages.find((p) => p.bucket === bucket && p.name === name)

function packageView (pkg: PackageData) {
  return {
    bucket: pkg.bucket,
    name: pkg.name,
    modified: pkg.revisions[0]?.modified,
    revisions: {
      total: pkg.revisions.length,
      page: ({ number, perPage }: { number: Maybe<number>, perPage: Maybe<number> }) => page(pkg.revisions, number, perPage, 10).map(revisionView)
    },
    revision: ({ hashOrTag }: { hashOrTag: Maybe<string> }) => {
      const revision = findRevision(pkg, hashOrTag)
      return revision ? revisionView(revision) : null
    }
  }
}

interface PushParams { bucket: string, name: string, message?: Maybe<string>, userMeta?: unknown, workflow?: Maybe<string> }
interface ConstructEntry { logicalKey: string, physicalKey: string, hash?: Maybe<EntryHash>, size?: Maybe<number>, meta?: Maybe<JsonRecord> }

const PACKAGE_NAME = /^[\w-]+\/[\w-]+$/

const isRecord = (value: unknown): value is JsonRecord => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * As pkgpush reads a physical key (PhysicalKey.from_url): an s3 URL whose path is URL-decoded, with
 * no query but versionId. Kept re-encoded, as quilt3 writes it back. Null when it cannot be read.
 */
function readPhysicalKey (url: string): string | null {
  const match = /^s3:\/\/([^/?#]+)\/([^?#]+)(?:\?versionId=([^&#]+))?$/.exec(url)
  if (!match) return null
  try {
    const key = decodeURIComponent(match[2]!)
    const version = match[3] === undefined ? '' : `?versionId=${encodeURIComponent(decodeURIComponent(match[3]))}`
    return `s3://${match[1]}/${key.split('/').map(encodeURIComponent).join('/')}${version}`
  } catch {
    return null // a "%" not followed by two hex digits
  }
}

/** pkgpush's workflow rule: omitted = the bucket's default workflow, "" = none. */
function workflowOf (bucket: BucketData, requested: Maybe<string>, fail: (path: string, message: string) => void) {
  const config = `s3://${bucket.name}/.quilt/workflows/config.yml`
  if (bucket.workflows === undefined) {
    if (requested) fail('params.workflow', `Bucket "${bucket.name}" has no workflows config, so workflow "${requested}" cannot be used`)
    return undefined
  }
  const id = requested === null || requested === undefined ? bucket.workflows.default : requested === '' ? null : requested
  return { config, id }
}

function construct (tenant: TenantData, params: PushParams, entries: ConstructEntry[]) {
  const errors: InputErrorData[] = []
  const fail = (path: string, message: string) => errors.push({ path, message, name: 'ValidationError' })
  const bucket = tenant.buckets.find((b) => b.name === params.bucket)
  if (bucket === undefined) fail('params.bucket', `Bucket "${params.bucket}" is not in this catalog`)
  if (!PACKAGE_NAME.test(params.name)) fail('params.name', `Package name "${params.name}" must look like "namespace/name"`)
  if (typeof params.message === 'string' && params.message.trim() === '') fail('params.message', 'The commit message must not be empty')
  if (params.userMeta !== null && params.userMeta !== undefined && !isRecord(params.userMeta)) fail('params.userMeta', 'userMeta must be a JSON object')
  const workflow = bucket === undefined ? undefined : workflowOf(bucket, params.workflow, fail)
  if (entries.length === 0) fail('src.entries', 'A package needs at least one entry')
  const seen = new Set<string>()
  const stored = entries.map((e, i): EntryData => {
    if (e.logicalKey === '' || e.logicalKey.startsWith('/') || e.logicalKey.endsWith('/') || seen.has(e.logicalKey)) {
      fail(`src.entries[${i}].logicalKey`, `Logical key "${e.logicalKey}" is empty, starts or ends with "/", or is repeated`)
    }
    seen.add(e.logicalKey)
    const physicalKey = readPhysicalKey(e.physicalKey)
    if (physicalKey === null) fail(`src.entries[${i}].physicalKey`, `Physical key "${e.physicalKey}" is not a valid, URL-encoded s3://bucket/key URL`)
    // The real registry reads a missing size from S3; the sample has no objects to read.
    const key = physicalKey ?? e.physicalKey
    return { logicalKey: e.logicalKey, physicalKey: key, size: e.size ?? 0, hash: e.hash ?? entryHash(key), ...(e.meta ? { meta: e.meta } : {}) }
  })
  if (errors.length > 0) return { errors, content: null }
  return { errors: null, content: { message: params.message ?? null, userMeta: isRecord(params.userMeta) ? params.userMeta : null, ...(workflow ? { workflow } : {}), entries: stored } }
}

function packageConstruct (tenant: TenantData, { params, src }: { params: PushParams, src: { entries: ConstructEntry[] } }) {
  const built = construct(tenant, params, src.entries)
  if (built.content === null) return invalidInput(built.errors)
  let pkg = findPackage(tenant, params.bucket, params.name)
  if (!pkg) {
    pkg = { bucket: params.bucket, name: params.name, revisions: [] }
    tenant.packages.push(pkg)
  }
  // Keeps "newest first" true even if the seed data is dated after this machine's clock.
  const previous = pkg.revisions[0] ? Date.parse(pkg.revisions[0].modified) + 1 : 0
  const revision = { hash: topHash(built.content), modified: new Date(Math.max(Date.now(), previous)).toISOString(), ...built.content }
  // Every push adds a pointer, even with content (so hash) already pushed: the list then repeats it.
  pkg.revisions = [revision, ...pkg.revisions]
  return { __typename: 'PackagePushSuccess', package: packageView(pkg), revision: revisionView(revision) }
}

/** Removes every pointer to the hash, as quilt3's delete_package_version does. */
function packageRevisionDelete (tenant: TenantData, { bucket, name, hash }: { bucket: string, name: string, hash: string }) {
  const pkg = findPackage(tenant, bucket, name)
  if (!pkg || !pkg.revisions.some((r) => r.hash === hash)) return operationError('RevisionNotFound', `Package ${bucket}/${name} has no revision ${hash}`)
  pkg.revisions = pkg.revisions.filter((r) => r.hash !== hash)
  if (pkg.revisions.length === 0) tenant.packages.splice(tenant.packages.indexOf(pkg), 1)
  return { __typename: 'PackageRevisionDeleteSuccess', _: true }
}

/** Root fields of Query and Mutation over one tenant's data (mutations change that data in place). */
export function createRootValue (tenant: TenantData, behaviour: RegistryBehaviour) {
  const hasBucket = (name: string) => tenant.buckets.some((b) => b.name === name)
  // bucketConfigs has an admin bypass; `buckets` is what the active role can read.
  const roleBuckets = () => tenant.buckets.filter((b) => b.activeRoleCanRead !== false)
  return {
    me: () => tenant.me,
    bucketConfigs: () => tenant.me.isAdmin ? tenant.buckets : roleBuckets(),
    bucketConfig: ({ name }: { name: string }) => tenant.buckets.find((b) => b.name === name) ?? null,
    buckets: () => roleBuckets().map((b) => ({ ...b, collaborators: [] })),
    packages: ({ bucket, filter }: { bucket: string, filter?: Maybe<string> }) => {
      if (!hasBucket(bucket)) return null
      const needle = (filter ?? '').toLowerCase()
      const list = tenant.packages.filter((p) => p.bucket === bucket && p.name.toLowerCase().includes(needle))
      return {
        total: list.length,
        page: ({ number, perPage, order }: { number: Maybe<number>, perPage: Maybe<number>, order: Maybe<'NAME' | 'MODIFIED'> }) => {
          const byName = sortBy(list, (p) => p.name)
          const ordered = order === 'MODIFIED' ? sortBy(byName, (p) => p.revisions[0]?.modified ?? '', 'desc') : byName
          return page(ordered, number, perPage, 30).map(packageView)
        }
      }
    },
    package: ({ bucket, name }: { bucket: string, name: string }) => {
      const pkg = findPackage(tenant, bucket, name)
      return pkg ? packageView(pkg) : null
    },
    searchPackages: (args: Parameters<typeof searchPackages>[2]) => searchPackages(tenant, behaviour, args),
    searchObjects: (args: Parameters<typeof searchObjects>[2]) => searchObjects(tenant, behaviour, args),
    searchMorePackages: (args: { after: string, size: Maybe<number> }) => searchMorePackages(tenant, behaviour, args),
    searchMoreObjects: (args: { after: string, size: Maybe<number> }) => searchMoreObjects(tenant, args),
    packageConstruct: (args: { params: PushParams, src: { entries: ConstructEntry[] } }) => packageConstruct(tenant, args),
    packageRevisionDelete: (args: { bucket: string, name: string, hash: string }) => packageRevisionDelete(tenant, args)
  }
}
