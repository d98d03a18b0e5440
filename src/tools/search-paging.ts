import { literalQuery, readQuery, type SearchText } from '../platform/search-string.js'
import { RegistryInputError } from '../platform/registry-errors.js'
import type { ToolContext } from './context.js'
import type { ToolOutput } from './result.js'

/** Cursor pages fetched to fill a secure-search answer whose first page came back short. */
const MAX_SECURE_FOLLOWS = 5

interface HitPage<H> { cursor: string | null, hits: H[] }

/** The first answer of a search: nothing matched, or a total (-1 under secure search) and a first page. */
type FirstAnswer<H> = 'empty' | { total: number, page: HitPage<H> }

/** How one kind of search (packages or objects) talks to the registry and prints a hit. */
export interface SearchKind<H> {
  tool: string
  noun: string
  /** `buckets: []` is every bucket the caller can see, as the catalog sends it. */
  first (ctx: ToolContext, search: { buckets: string[], searchString: string | null, size: number }): Promise<FirstAnswer<H>>
  more (ctx: ToolContext, cursor: string, size: number): Promise<HitPage<H>>
  line (hit: H): string
}

export interface SearchRequest { query: string, buckets?: string[] | undefined, limit: number, cursor?: string | undefined }

const isSyntaxError = (err: unknown) => err instanceof RegistryInputError && err.names.includes('QuerySyntaxError')

function where (query: string, buckets: string[] | undefined, text: SearchText): string {
  const what = text.reading === 'everything' ? 'everything' : `"${query.trim()}"`
  return `${what} in ${buckets === undefined ? 'all buckets' : buckets.map((b) => `s3://${b}`).join(', ')}`
}

/**
 * The first page as the catalog reads the query; when the registry cannot parse it (QuerySyntaxError,
 * e.g. a "/" in plain words), once more with the text escaped, and a note saying so.
 */
async function firstAnswer<H> (kind: SearchKind<H>, ctx: ToolContext, query: string, buckets: string[], size: number) {
  const text = readQuery(query)
  try {
    return { text, answer: await kind.first(ctx, { buckets, searchString: text.searchString, size }) }
  } catch (err) {
    const literal = literalQuery(query)
    if (!isSyntaxError(err) || literal.searchString === text.searchString) throw err
    ctx.notes?.push(`The registry could not read "${query.trim()}" as search syntax, so it was searched literally (every special character escaped).`)
    return { text: literal, answer: await kind.first(ctx, { buckets, searchString: literal.searchString, size }) }
  }
}

const nextLine = (tool: string, cursor: string | null) => cursor === null ? [] : [`More results: call ${tool} again with cursor "${cursor}".`]

/** One search call: a first page (filled by following cursors under secure search) or the page after a cursor. */
export async function runSearch<H> (kind: SearchKind<H>, ctx: ToolContext, request: SearchRequest, extra: Record<string, unknown> = {}): Promise<ToolOutput> {
  const { query, buckets, limit, cursor } = request
  const base = { query, buckets: buckets ?? null, ...extra }
  if (cursor !== undefined) {
    const page = await kind.more(ctx, cursor, limit)
    return {
      text: [`Next page of the ${kind.noun} search: ${page.hits.length} match(es).`, ...page.hits.map((hit) => `- ${kind.line(hit)}`), ...nextLine(kind.tool, page.cursor)].join('\n'),
      data: { ...base, total: null, hits: page.hits, next_cursor: page.cursor }
    }
  }
  const { text, answer } = await firstAnswer(kind, ctx, query, buckets ?? [], limit)
  const searched = { searched_as: text.searchString, reading: text.reading }
  if (answer === 'empty' || answer.total === 0) {
    return {
      text: `No ${kind.noun}s matched ${where(query, buckets, text)} (an empty result, not an error).`,
      data: { ...base, ...searched, total: 0, secure_search: false, hits: [], next_cursor: null }
    }
  }
  // Secure search: the registry drops hits the user cannot read after counting, so the total is -1
  // and a page may come back short (even empty) with a cursor to the rest.
  const secure = answer.total < 0
  const hits = [...answer.page.hits]
  let next = answer.page.cursor
  if (secure) {
    for (let follows = 0; next !== null && hits.length < limit && follows < MAX_SECURE_FOLLOWS; follows++) {
      const page = await kind.more(ctx, next, limit - hits.length)
      hits.push(...page.hits)
      next = page.cursor
    }
  }
  const head = secure
    ? `Secure search: total unknown (the registry checks each hit against your permissions); ${hits.length} ${kind.noun} match(es) for ${where(query, buckets, text)}${hits.length === 0 ? ' so far' : ''}:`
    : `${answer.total} ${kind.noun} match(es) for ${where(query, buckets, text)}; best ${hits.length}:`
  return {
    text: [head, ...hits.map((hit) => `- ${kind.line(hit)}`), ...nextLine(kind.tool, next)].join('\n'),
    data: { ...base, ...searched, total: secure ? null : answer.total, secure_search: secure, hits, next_cursor: next }
  }
}
