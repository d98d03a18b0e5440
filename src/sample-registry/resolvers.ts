import { entryHash, topHash } from './data.js'
import type { EntryData, EntryHash, JsonRecord, PackageData, RevisionData, TenantData } from './data.js'

// graphql-js's default field resolver reads a property, or calls it with (args) when it is a function,
// and resolves union members by `__typename`; so the "resolvers" are plain views over the tenant data.

interface InputErrorData { path: string, message: string, name: string }

/** An argument or input field that may be null, or absent (graphql-js leaves omitted ones undefined). */
type Maybe<T> = T | null | undefined

const operationError = (name: string, message: string) => ({ __typename: 'OperationError', name, message, context: null })

const invalidInput = (errors: InputErrorData[]) =>
  ({ __typename: 'InvalidInput', errors: errors.map((error) => ({ ...error, context: null })) })

/** A 1-based page; `null` arguments (explicitly passed) fall back to the schema defaults. */
function page<T> (items: T[], number: Maybe<number>, perPage: Maybe<number>, defaultPerPage: number): T[] {
  const n = number ?? 1
  const size = perPage ?? defaultPerPage
  return n < 1 || size < 1 ? [] : items.slice((n - 1) * size, n * size)
}

const sumSizes = (entries: EntryData[]) => entries.reduce((total, e) => total + e.size, 0)

type Comparable = string | number

function sortBy<T> (items: T[], key: (item: T) => Comparable, direction: 'asc' | 'desc' = 'asc'): T[] {
  const sign = direction === 'asc' ? 1 : -1
  return [...items].sort((a, b) => {
    const x = key(a)
    const y = key(b)
    return x < y ? -sign : x > y ? sign : 0
  })
}

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

/** "latest", or a full hash, or a prefix of at least 6 characters that matches one revision only. */
function findRevision (pkg: PackageData, hashOrTag: Maybe<string>): RevisionData | null {
  const ref = hashOrTag ?? 'latest'
  if (ref === 'latest') return pkg.revisions[0] ?? null
  const found = /^[0-9a-f]{6,64}$/i.test(ref) ? pkg.revisions.filter((r) => r.hash.startsWith(ref.toLowerCase())) : []
  return found.length === 1 ? found[0] ?? null : null
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

// Elasticsearch query_string syntax. Stricter than Elasticsearch on purpose: every unescaped reserved
// character fails the query (Elasticsearch accepts some, e.g. a "-" inside a word, with a meaning of
// its own), so a gateway that forgets to escape one is caught by the fixture.
const RESERVED = new Set('+-=!(){}[]^"~*?:/<>')

/** Lower-cased literal terms (all of which must match; none = everything), or a parse failure. */
export function parseSearchString (searchString: Maybe<string>): { terms: string[] } | { error: string } {
  const text = (searchString ?? '').trim()
  if (text === '' || text === '*') return { terms: [] }
  const error = `Failed to parse query [${text}]`
  const terms: string[] = []
  let term = ''
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i)
    if (char === '\\') {
      if (++i === text.length) return { error }
      term += text.charAt(i)
    } else if (/\s/.test(char)) {
      if (term !== '') terms.push(term)
      term = ''
    } else if (RESERVED.has(char) || ((char === '&' || char === '|') && text.charAt(i + 1) === char)) {
      return { error }
    } else {
      term += char
    }
  }
  if (term !== '') terms.push(term)
  return { terms: terms.map((t) => t.toLowerCase()) }
}

/** The scalar values inside user metadata, as one text (Elasticsearch indexes values, not keys). */
function metaText (value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'object') return Object.values(value).map(metaText).join(' ')
  return String(value)
}

const contains = (terms: string[], text: string) => terms.some((term) => text.toLowerCase().includes(term))

const matchesAll = (terms: string[], texts: string[]) => terms.every((term) => texts.some((text) => text.toLowerCase().includes(term)))

function firstPage<T> (hits: T[], size: Maybe<number>) {
  const n = Math.max(0, size ?? 30)
  // An opaque cursor only says "there is more"; searchMore* is not served by the sample registry.
  return { cursor: hits.length > n ? Buffer.from(`offset:${n}`).toString('base64url') : null, hits: hits.slice(0, n) }
}

type PackageHit = ReturnType<typeof packageHit>

function packageHit (pkg: PackageData, revision: RevisionData, terms: string[]) {
  const texts = { name: pkg.name, comment: revision.message ?? '', meta: metaText(revision.userMeta), workflow: metaText(revision.workflow) }
  const matching = terms.length === 0
    ? []
    : revision.entries.filter((e) => contains(terms, e.logicalKey) || contains(terms, e.physicalKey))
  const locations = Object.fromEntries(Object.entries(texts).map(([field, text]) => [field, contains(terms, text)]))
  return {
    id: `${pkg.bucket}/${pkg.name}@${revision.hash}`,
    score: 1 + Object.values(locations).filter(Boolean).length,
    bucket: pkg.bucket,
    name: pkg.name,
    // Registry pointers: "latest", or the Unix timestamp that names an older revision.
    pointer: revision === pkg.revisions[0] ? 'latest' : String(Math.floor(Date.parse(revision.modified) / 1000)),
    hash: revision.hash,
    size: sumSizes(revision.entries),
    modified: revision.modified,
    totalEntriesCount: revision.entries.length,
    comment: revision.message,
    meta: revision.userMeta === null ? null : JSON.stringify(revision.userMeta),
    workflow: revision.workflow ?? null,
    matched: matchesAll(terms, Object.values(texts)),
    matchLocations: locations,
    matchingEntries: matching.map((e) => ({
      logicalKey: e.logicalKey,
      physicalKey: e.physicalKey,
      size: e.size,
      meta: e.meta === undefined ? null : JSON.stringify(e.meta),
      matchLocations: { logicalKey: contains(terms, e.logicalKey), physicalKey: contains(terms, e.physicalKey), meta: false, contents: false }
    }))
  }
}

const SORTABLE: Record<string, (hit: PackageHit) => Comparable> = {
  name: (hit) => hit.name,
  modified: (hit) => hit.modified,
  size: (hit) => hit.size,
  entries: (hit) => hit.totalEntriesCount,
  hash: (hit) => hit.hash
}

/** The PackageOrdering grammar: `sys:<field>:<dir>` or `usr:<pointer>:<type>:<dir>`; null = relevance. */
function orderPackageHits (hits: PackageHit[], ordering: unknown) {
  if (ordering === null || ordering === undefined) return sortBy(sortBy(hits, (h) => h.modified, 'desc'), (h) => h.score, 'desc')
  const text = typeof ordering === 'string' ? ordering : ''
  const sys = /^sys:(name|modified|size|entries|hash|workflow|comment):(asc|desc)$/.exec(text)
  const key = sys?.[1] === undefined ? undefined : SORTABLE[sys[1]]
  if (sys && key) return sortBy(hits, key, sys[2] as 'asc' | 'desc')
  if (sys || /^usr:.+:(number|datetime|keyword|text|boolean):(asc|desc)$/.test(text)) {
    return invalidInput([{ path: 'ordering', name: 'UnsupportedSort', message: `The sample registry cannot sort by ${text}` }])
  }
  return invalidInput([{ path: 'ordering', name: 'ordering', message: 'ordering must be "sys:<field>:<asc|desc>" or "usr:<pointer>:<type>:<asc|desc>"' }])
}

interface SearchArgs { buckets?: Maybe<string[]>, searchString?: Maybe<string> }

const inBuckets = (buckets: Maybe<string[]>, bucket: string) => (buckets ?? []).length === 0 || buckets?.includes(bucket) === true

const EMPTY = { __typename: 'EmptySearchResultSet', _: null }

function searchPackages (tenant: TenantData, { buckets, searchString, latestOnly }: SearchArgs & { latestOnly: boolean }) {
  const query = parseSearchString(searchString)
  if ('error' in query) return operationError('QuerySyntaxError', query.error)
  const hits = tenant.packages
    .filter((pkg) => inBuckets(buckets, pkg.bucket))
    .flatMap((pkg) => (latestOnly ? pkg.revisions.slice(0, 1) : pkg.revisions).map((r) => packageHit(pkg, r, query.terms)))
    .filter((hit) => hit.matched)
  if (hits.length === 0) return EMPTY
  return {
    __typename: 'PackagesSearchResultSet',
    total: hits.length,
    firstPage: ({ size, ordering }: { size: Maybe<number>, ordering?: unknown }) => {
      const ordered = orderPackageHits(hits, ordering)
      return Array.isArray(ordered) ? { __typename: 'PackagesSearchResultSetPage', ...firstPage(ordered, size) } : ordered
    }
  }
}

type ObjectOrder = 'BEST_MATCH' | 'NEWEST' | 'OLDEST' | 'LEX_ASC' | 'LEX_DESC'

// Every object hit scores the same, so best match falls back to newest first.
const OBJECT_ORDER: Record<ObjectOrder, ['modified' | 'key', 'asc' | 'desc']> = {
  BEST_MATCH: ['modified', 'desc'], NEWEST: ['modified', 'desc'], OLDEST: ['modified', 'asc'], LEX_ASC: ['key', 'asc'], LEX_DESC: ['key', 'desc']
}

function searchObjects (tenant: TenantData, { buckets, searchString }: SearchArgs) {
  const query = parseSearchString(searchString)
  if ('error' in query) return operationError('QuerySyntaxError', query.error)
  const hits = tenant.objects
    .filter((o) => inBuckets(buckets, o.bucket) && matchesAll(query.terms, [o.key]))
    .map((o) => ({ id: `${o.bucket}/${o.key}@${o.version}`, score: 1, ...o, indexedContent: null }))
  if (hits.length === 0) return EMPTY
  return {
    __typename: 'ObjectsSearchResultSet',
    total: hits.length,
    firstPage: ({ size, order }: { size: Maybe<number>, order?: Maybe<ObjectOrder> }) => {
      const [field, direction] = OBJECT_ORDER[order ?? 'BEST_MATCH']
      return firstPage(sortBy(hits, (h) => h[field], direction), size)
    }
  }
}

interface PushParams { bucket: string, name: string, message?: Maybe<string>, userMeta?: unknown, workflow?: Maybe<string> }
interface ConstructEntry { logicalKey: string, physicalKey: string, hash?: Maybe<EntryHash>, size?: Maybe<number>, meta?: Maybe<JsonRecord> }

const PACKAGE_NAME = /^[\w-]+\/[\w-]+$/

const isRecord = (value: unknown): value is JsonRecord => typeof value === 'object' && value !== null && !Array.isArray(value)

function constructErrors (tenant: TenantData, params: PushParams, entries: ConstructEntry[]): InputErrorData[] {
  const errors: InputErrorData[] = []
  const fail = (path: string, message: string) => errors.push({ path, message, name: 'ValidationError' })
  if (!tenant.buckets.some((b) => b.name === params.bucket)) fail('params.bucket', `Bucket "${params.bucket}" is not in this catalog`)
  if (!PACKAGE_NAME.test(params.name)) fail('params.name', `Package name "${params.name}" must look like "namespace/name"`)
  if (params.userMeta !== null && params.userMeta !== undefined && !isRecord(params.userMeta)) fail('params.userMeta', 'userMeta must be a JSON object')
  if (entries.length === 0) fail('src.entries', 'A package needs at least one entry')
  const seen = new Set<string>()
  entries.forEach((e, i) => {
    if (e.logicalKey === '' || e.logicalKey.startsWith('/') || e.logicalKey.endsWith('/') || seen.has(e.logicalKey)) {
      fail(`src.entries[${i}].logicalKey`, `Logical key "${e.logicalKey}" is empty, starts or ends with "/", or is repeated`)
    }
    if (!/^s3:\/\/[^/]+\/.+/.test(e.physicalKey)) fail(`src.entries[${i}].physicalKey`, `Physical key "${e.physicalKey}" is not an s3://bucket/key URI`)
    seen.add(e.logicalKey)
  })
  return errors
}

function packageConstruct (tenant: TenantData, { params, src }: { params: PushParams, src: { entries: ConstructEntry[] } }) {
  const errors = constructErrors(tenant, params, src.entries)
  if (errors.length > 0) return invalidInput(errors)
  const content = {
    message: params.message ?? null,
    userMeta: isRecord(params.userMeta) ? params.userMeta : null,
    ...(params.workflow ? { workflow: { config: `s3://${params.bucket}/.quilt/workflows/config.yml`, id: params.workflow } } : {}),
    entries: src.entries.map((e) => ({
      logicalKey: e.logicalKey,
      physicalKey: e.physicalKey,
      // The real registry reads a missing size from S3; the sample has no objects to read.
      size: e.size ?? 0,
      hash: e.hash ?? entryHash(e.physicalKey),
      ...(e.meta ? { meta: e.meta } : {})
    }))
  }
  let pkg = findPackage(tenant, params.bucket, params.name)
  if (!pkg) {
    pkg = { bucket: params.bucket, name: params.name, revisions: [] }
    tenant.packages.push(pkg)
  }
  // Keeps "newest first" true even if the seed data is dated after this machine's clock.
  const previous = pkg.revisions[0] ? Date.parse(pkg.revisions[0].modified) + 1 : 0
  const revision = { hash: topHash(content), modified: new Date(Math.max(Date.now(), previous)).toISOString(), ...content }
  // Same content = same hash: the revision moves to the top, as a re-push does in Quilt.
  pkg.revisions = [revision, ...pkg.revisions.filter((r) => r.hash !== revision.hash)]
  return { __typename: 'PackagePushSuccess', package: packageView(pkg), revision: revisionView(revision) }
}

function packageRevisionDelete (tenant: TenantData, { bucket, name, hash }: { bucket: string, name: string, hash: string }) {
  const pkg = findPackage(tenant, bucket, name)
  const index = pkg ? pkg.revisions.findIndex((r) => r.hash === hash) : -1
  if (!pkg || index === -1) return operationError('RevisionNotFound', `Package ${bucket}/${name} has no revision ${hash}`)
  pkg.revisions.splice(index, 1)
  if (pkg.revisions.length === 0) tenant.packages.splice(tenant.packages.indexOf(pkg), 1)
  return { __typename: 'PackageRevisionDeleteSuccess', _: true }
}

/** Root fields of Query and Mutation over one tenant's data (mutations change that data in place). */
export function createRootValue (tenant: TenantData) {
  const hasBucket = (name: string) => tenant.buckets.some((b) => b.name === name)
  return {
    me: () => tenant.me,
    bucketConfigs: () => tenant.buckets,
    bucketConfig: ({ name }: { name: string }) => tenant.buckets.find((b) => b.name === name) ?? null,
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
    searchPackages: (args: SearchArgs & { latestOnly: boolean }) => searchPackages(tenant, args),
    searchObjects: (args: SearchArgs) => searchObjects(tenant, args),
    packageConstruct: (args: { params: PushParams, src: { entries: ConstructEntry[] } }) => packageConstruct(tenant, args),
    packageRevisionDelete: (args: { bucket: string, name: string, hash: string }) => packageRevisionDelete(tenant, args)
  }
}
