import type { ObjectData, PackageData, RevisionData, TenantData } from './data.js'
import { matches, matchesField, parseQuery, QuerySyntaxError, type Query, type SearchDoc } from './query-string.js'
import { invalidInput, sortBy, sumSizes, type Comparable, type Maybe, type RegistryBehaviour } from './resolver-kit.js'

interface SearchArgs { buckets?: Maybe<string[]>, searchString?: Maybe<string>, latestOnly?: Maybe<boolean> }
/** What a firstPage was asked for, kept in the cursor so searchMore* continues the same list. */
interface PageArgs { ordering?: unknown, order?: Maybe<ResultOrder> }
type ResultOrder = 'BEST_MATCH' | 'NEWEST' | 'OLDEST' | 'LEX_ASC' | 'LEX_DESC'
interface Cursor { kind: 'packages' | 'objects', search: SearchArgs, page: PageArgs, offset: number }

const EMPTY = { __typename: 'EmptySearchResultSet', _: null }

// Elasticsearch reports an unparseable query as InvalidInput named QuerySyntaxError (as the catalog expects).
const syntaxError = (err: QuerySyntaxError) => invalidInput([{ path: 'searchString', name: 'QuerySyntaxError', message: err.message }])

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url')

function decodeCursor (after: string, kind: Cursor['kind']): Cursor | null {
  try {
    const cursor = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as Cursor
    return cursor.kind === kind && Number.isInteger(cursor.offset) && cursor.offset >= 0 ? cursor : null
  } catch {
    return null
  }
}

const badCursor = () => invalidInput([{ path: 'after', name: 'InvalidCursor', message: 'The cursor is not one this registry issued' }])

/** One page from `offset`, with a cursor when more hits follow. */
function pageOf<H> (typename: string, hits: H[], offset: number, size: Maybe<number>, cursor: Omit<Cursor, 'offset'>) {
  const n = Math.max(0, size ?? 30)
  const next = offset + n < hits.length ? encodeCursor({ ...cursor, offset: offset + n }) : null
  return { __typename: typename, cursor: next, hits: hits.slice(offset, offset + n) }
}

/** The first page: under secure search it comes back empty, the hits behind its cursor (as after permission checks). */
function firstPageOf<H> (behaviour: RegistryBehaviour, typename: string, hits: H[], size: Maybe<number>, cursor: Omit<Cursor, 'offset'>) {
  if (behaviour.secureSearch) return { __typename: typename, cursor: hits.length > 0 ? encodeCursor({ ...cursor, offset: 0 }) : null, hits: [] }
  return pageOf(typename, hits, 0, size, cursor)
}

const inBuckets = (buckets: Maybe<string[]>, bucket: string) => (buckets ?? []).length === 0 || buckets?.includes(bucket) === true

/** The scalar values inside user metadata, as one text (Elasticsearch indexes values, not keys). */
function metaText (value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'object') return Object.values(value).map(metaText).join(' ')
  return String(value)
}

const LOCATIONS = ['name', 'comment', 'meta', 'workflow'] as const

function packageDoc (pkg: PackageData, revision: RevisionData): SearchDoc {
  return {
    fields: {
      name: [pkg.name],
      // The names the registry's own index gives these (the catalog's search docs use them).
      ptr_name: [pkg.name],
      mnfst_hash: [revision.hash],
      comment: [revision.message ?? ''],
      meta: [metaText(revision.userMeta)],
      workflow: [revision.workflow?.id ?? ''],
      hash: [revision.hash],
      size: [sumSizes(revision.entries)],
      entries: [revision.entries.length],
      modified: [revision.modified]
    },
    defaults: [...LOCATIONS]
  }
}

type PackageHit = ReturnType<typeof packageHit>

function packageHit (behaviour: RegistryBehaviour, pkg: PackageData, revision: RevisionData, query: Query, pointer: string) {
  const doc = packageDoc(pkg, revision)
  const locations = Object.fromEntries(LOCATIONS.map((field) => [field, matchesField(query, doc, field)]))
  const entryMatches = (text: string) => matchesField(query, { fields: { text: [text] }, defaults: ['text'] }, 'text')
  return {
    id: `${pkg.bucket}/${pkg.name}@${revision.hash}:${pointer}`,
    score: 1 + Object.values(locations).filter(Boolean).length,
    bucket: pkg.bucket,
    name: pkg.name,
    pointer,
    hash: revision.hash,
    size: sumSizes(revision.entries),
    modified: revision.modified,
    totalEntriesCount: revision.entries.length,
    comment: revision.message,
    // A JsonRecord before 2025-08-22, a JSON string since.
    meta: revision.userMeta === null ? null : behaviour.era >= '2025-08-22' ? JSON.stringify(revision.userMeta) : revision.userMeta,
    workflow: revision.workflow ?? null,
    matched: matches(query, doc),
    matchLocations: locations,
    matchingEntries: revision.entries.filter((e) => entryMatches(e.logicalKey) || entryMatches(e.physicalKey)).map((e) => ({
      logicalKey: e.logicalKey,
      physicalKey: e.physicalKey,
      size: e.size,
      meta: e.meta === undefined ? null : JSON.stringify(e.meta),
      matchLocations: { logicalKey: entryMatches(e.logicalKey), physicalKey: entryMatches(e.physicalKey), meta: false, contents: false }
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

// Every hit of one kind scores alike in the sample, so best match falls back to newest first.
const RESULT_ORDER: Record<ResultOrder, ['modified' | 'name', 'asc' | 'desc']> = {
  BEST_MATCH: ['modified', 'desc'], NEWEST: ['modified', 'desc'], OLDEST: ['modified', 'asc'], LEX_ASC: ['name', 'asc'], LEX_DESC: ['name', 'desc']
}

/** `ordering` (PackageOrdering, since 2026-08-21: `sys:<field>:<dir>` or `usr:<pointer>:<type>:<dir>`) or the older `order`. */
function orderPackageHits (hits: PackageHit[], { ordering, order }: PageArgs) {
  if (ordering === null || ordering === undefined) {
    if (order !== null && order !== undefined) return sortBy(hits, (h) => h[RESULT_ORDER[order][0]], RESULT_ORDER[order][1])
    return sortBy(sortBy(hits, (h) => h.modified, 'desc'), (h) => h.score, 'desc')
  }
  const text = typeof ordering === 'string' ? ordering : ''
  const sys = /^sys:(name|modified|size|entries|hash|workflow|comment):(asc|desc)$/.exec(text)
  const key = sys?.[1] === undefined ? undefined : SORTABLE[sys[1]]
  if (sys && key) return sortBy(hits, key, sys[2] as 'asc' | 'desc')
  if (sys || /^usr:.+:(number|datetime|keyword|text|boolean):(asc|desc)$/.test(text)) {
    return invalidInput([{ path: 'ordering', name: 'UnsupportedSort', message: `The sample registry cannot sort by ${text}` }])
  }
  return invalidInput([{ path: 'ordering', name: 'ordering', message: 'ordering must be "sys:<field>:<asc|desc>" or "usr:<pointer>:<type>:<asc|desc>"' }])
}

/** Every pointer is a hit, as in the registry's index: a re-pushed revision is found once per pointer. */
function packageHits (tenant: TenantData, behaviour: RegistryBehaviour, search: SearchArgs, query: Query): PackageHit[] {
  return tenant.packages
    .filter((pkg) => inBuckets(search.buckets, pkg.bucket))
    .flatMap((pkg) => (search.latestOnly === true ? pkg.revisions.slice(0, 1) : pkg.revisions).map((r, i) =>
      packageHit(behaviour, pkg, r, query, i === 0 ? 'latest' : String(Math.floor(Date.parse(r.modified) / 1000)))))
    .filter((hit) => hit.matched)
}

function parsed (searchString: Maybe<string>): Query | QuerySyntaxError {
  try {
    return parseQuery(searchString)
  } catch (err) {
    if (err instanceof QuerySyntaxError) return err
    throw err
  }
}

export function searchPackages (tenant: TenantData, behaviour: RegistryBehaviour, search: SearchArgs) {
  const query = parsed(search.searchString)
  if (query instanceof QuerySyntaxError) return syntaxError(query)
  const hits = packageHits(tenant, behaviour, search, query)
  if (hits.length === 0) return EMPTY
  const total = behaviour.secureSearch ? -1 : hits.length
  return {
    __typename: 'PackagesSearchResultSet',
    total,
    // Before 2025-08-22 the count was only here; the other statistics are not served.
    stats: { total },
    firstPage: (page: PageArgs & { size: Maybe<number> }) => {
      const ordered = orderPackageHits(hits, page)
      const cursor = { kind: 'packages' as const, search, page: { ordering: page.ordering, order: page.order } }
      return Array.isArray(ordered) ? firstPageOf(behaviour, 'PackagesSearchResultSetPage', ordered, page.size, cursor) : ordered
    }
  }
}

export function searchMorePackages (tenant: TenantData, behaviour: RegistryBehaviour, { after, size }: { after: string, size: Maybe<number> }) {
  const cursor = decodeCursor(after, 'packages')
  const query = cursor === null ? null : parsed(cursor.search.searchString)
  if (cursor === null || query === null || query instanceof QuerySyntaxError) return badCursor()
  const ordered = orderPackageHits(packageHits(tenant, behaviour, cursor.search, query), cursor.page)
  return Array.isArray(ordered) ? pageOf('PackagesSearchResultSetPage', ordered, cursor.offset, size, cursor) : ordered
}

function objectDoc (o: ObjectData): SearchDoc {
  const base = o.key.slice(o.key.lastIndexOf('/') + 1)
  return { fields: { key: [o.key], ext: [base.includes('.') ? base.slice(base.indexOf('.')) : ''], size: [o.size], modified: [o.modified] }, defaults: ['key'] }
}

function objectHits (tenant: TenantData, search: SearchArgs, query: Query, order: Maybe<ResultOrder>) {
  const hits = tenant.objects
    .filter((o) => inBuckets(search.buckets, o.bucket) && matches(query, objectDoc(o)))
    .map((o) => ({ id: `${o.bucket}/${o.key}@${o.version}`, score: 1, ...o, name: o.key, indexedContent: null }))
  const [field, direction] = RESULT_ORDER[order ?? 'BEST_MATCH']
  return sortBy(hits, (h) => h[field], direction)
}

export function searchObjects (tenant: TenantData, behaviour: RegistryBehaviour, search: SearchArgs) {
  const query = parsed(search.searchString)
  if (query instanceof QuerySyntaxError) return syntaxError(query)
  const count = objectHits(tenant, search, query, null).length
  if (count === 0) return EMPTY
  const total = behaviour.secureSearch ? -1 : count
  return {
    __typename: 'ObjectsSearchResultSet',
    total,
    stats: { total },
    firstPage: ({ size, order }: { size: Maybe<number>, order?: Maybe<ResultOrder> }) =>
      firstPageOf(behaviour, 'ObjectsSearchResultSetPage', objectHits(tenant, search, query, order), size, { kind: 'objects', search, page: { order } })
  }
}

export function searchMoreObjects (tenant: TenantData, { after, size }: { after: string, size: Maybe<number> }) {
  const cursor = decodeCursor(after, 'objects')
  const query = cursor === null ? null : parsed(cursor.search.searchString)
  if (cursor === null || query === null || query instanceof QuerySyntaxError) return badCursor()
  return pageOf('ObjectsSearchResultSetPage', objectHits(tenant, cursor.search, query, cursor.page.order), cursor.offset, size, cursor)
}
