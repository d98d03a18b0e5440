/**
 * A small Elasticsearch query_string dialect for the sample registry: terms (`*`/`?` wildcards),
 * "phrases", `field:value`, `field:>=n` ranges, AND / OR / NOT (also `+`/`-`/`!` prefixes) and
 * parentheses, with implicit AND between clauses. Anything else with a meaning in query_string
 * (`/regex/`, `[a TO b]`, `{}`, `^`, `~`, `=`, an unbalanced quote or bracket) is a syntax error,
 * as an unescaped "/" is in Elasticsearch: the gateway must escape what it does not mean.
 * Matching is by token, as an analyzed text field is: "penguin" does not find "penguins", "penguin*" does.
 */

export type Query =
  | { kind: 'all' }
  | { kind: 'and' | 'or', items: Query[] }
  | { kind: 'not', item: Query }
  | { kind: 'term', field: string | null, text: string, glob: RegExp | null }
  | { kind: 'range', field: string, op: '>' | '>=' | '<' | '<=', value: string }

export class QuerySyntaxError extends Error {}

type Token = { type: '(' | ')' } | { type: 'op', value: 'AND' | 'OR' | 'NOT' | '+' } | { type: 'clause', query: Query }

interface Char { ch: string, escaped: boolean }

// Reserved inside a term unless escaped. "-" and "+" inside a word are ordinary, as in Lucene.
const RESERVED_IN_TERM = new Set('/[]{}^~=<>!":')
const OPERATORS: Record<string, 'AND' | 'OR' | 'NOT'> = { AND: 'AND', OR: 'OR', NOT: 'NOT', '&&': 'AND', '||': 'OR' }

const text = (chars: Char[]) => chars.map((c) => c.ch).join('').toLowerCase()

function termOf (field: string | null, chars: Char[], fail: () => never): Query {
  if (chars.length === 0) fail()
  const range = /^(>=|<=|>|<)/.exec(chars.every((c) => !c.escaped) ? text(chars) : '')
  if (field !== null && range) {
    const value = text(chars).slice(range[0].length)
    if (value === '') fail()
    return { kind: 'range', field, op: range[0] as '>' | '>=' | '<' | '<=', value }
  }
  if (chars.some((c) => !c.escaped && RESERVED_IN_TERM.has(c.ch))) fail()
  const isWildcard = (c: Char) => !c.escaped && (c.ch === '*' || c.ch === '?')
  const pattern = chars.map((c) => isWildcard(c) ? (c.ch === '*' ? '.*' : '.') : c.ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('')
  const glob = chars.some(isWildcard) ? new RegExp(`^${pattern}$`, 'i') : null
  return { kind: 'term', field, text: text(chars), glob }
}

function tokenize (input: string, fail: () => never): Token[] {
  const tokens: Token[] = []
  let i = 0
  const readQuoted = (): Char[] => {
    const chars: Char[] = []
    for (i++; i < input.length && input[i] !== '"'; i++) {
      if (input[i] === '\\') i++
      if (i >= input.length) fail()
      chars.push({ ch: input.charAt(i), escaped: true })
    }
    if (i >= input.length) fail()
    i++
    return chars
  }
  while (i < input.length) {
    const c = input.charAt(i)
    if (/\s/.test(c)) { i++; continue }
    if (c === '(' || c === ')') { tokens.push({ type: c }); i++; continue }
    if (c === '"') { tokens.push({ type: 'clause', query: termOf(null, readQuoted(), fail) }); continue }
    if ((c === '-' || c === '+' || c === '!') && i + 1 < input.length && !/\s/.test(input.charAt(i + 1))) {
      tokens.push({ type: 'op', value: c === '+' ? '+' : 'NOT' })
      i++
      continue
    }
    const chars: Char[] = []
    while (i < input.length && !/\s/.test(input.charAt(i)) && input[i] !== '(' && input[i] !== ')') {
      // field:"a phrase": the quote after the colon starts the value, read below.
      if (input[i] === '"' && chars.at(-1)?.ch === ':' && chars.at(-1)?.escaped === false) break
      if (input[i] === '\\') {
        if (++i >= input.length) fail()
        chars.push({ ch: input.charAt(i), escaped: true })
      } else {
        chars.push({ ch: input.charAt(i), escaped: false })
      }
      i++
    }
    const raw = chars.every((ch) => !ch.escaped) ? chars.map((ch) => ch.ch).join('') : ''
    const operator = OPERATORS[raw]
    if (operator !== undefined) { tokens.push({ type: 'op', value: operator }); continue }
    if (raw.includes('&&') || raw.includes('||')) fail()
    const colon = chars.findIndex((ch) => !ch.escaped && ch.ch === ':')
    if (colon === -1) { tokens.push({ type: 'clause', query: termOf(null, chars, fail) }); continue }
    const field = text(chars.slice(0, colon))
    if (!/^[a-z_][\w.]*$/.test(field)) fail()
    const value = chars.slice(colon + 1)
    tokens.push({ type: 'clause', query: value.length === 0 && input[i] === '"' ? termOf(field, readQuoted(), fail) : termOf(field, value, fail) })
  }
  return tokens
}

/** The query a searchString means, or a QuerySyntaxError; blank and "*" mean everything. */
export function parseQuery (searchString: string | null | undefined): Query {
  const input = (searchString ?? '').trim()
  if (input === '' || input === '*') return { kind: 'all' }
  const fail = (): never => { throw new QuerySyntaxError(`Failed to parse query [${input}]`) }
  const tokens = tokenize(input, fail)
  let at = 0
  const peek = () => tokens[at]
  const isOp = (value: string) => { const token = peek(); return token?.type === 'op' && token.value === value }
  const primary = (): Query => {
    const token = tokens[at++]
    if (token?.type === 'clause') return token.query
    if (token?.type !== '(') fail()
    const inner = or()
    if (tokens[at++]?.type !== ')') fail()
    return inner
  }
  const unary = (): Query => {
    if (isOp('NOT')) { at++; return { kind: 'not', item: unary() } }
    if (isOp('+')) { at++; return unary() }
    return primary()
  }
  const and = (): Query => {
    const items = [unary()]
    while (at < tokens.length && peek()?.type !== ')' && !isOp('OR')) {
      if (isOp('AND')) at++
      items.push(unary())
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items }
  }
  function or (): Query {
    const items = [and()]
    while (isOp('OR')) { at++; items.push(and()) }
    return items.length === 1 ? items[0]! : { kind: 'or', items }
  }
  const query = or()
  if (at < tokens.length) fail()
  return query
}

/** What a query is matched against: text values per field, and the fields searched when none is named. */
export interface SearchDoc {
  fields: Record<string, Array<string | number>>
  defaults: string[]
}

const tokens = (value: string) => value.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter((t) => t !== '')

function termMatches (term: Extract<Query, { kind: 'term' }>, value: string): boolean {
  if (term.glob) return term.glob.test(value) || tokens(value).some((t) => term.glob!.test(t))
  if (value.toLowerCase() === term.text) return true
  const wanted = tokens(term.text)
  const have = tokens(value)
  if (wanted.length === 0) return false
  return have.some((_, start) => wanted.every((w, k) => have[start + k] === w))
}

function rangeMatches ({ op, value }: Extract<Query, { kind: 'range' }>, actual: string | number): boolean {
  const [a, b] = typeof actual === 'number' ? [actual, Number(value)] : [actual, value]
  return op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : a <= b
}

export function matches (query: Query, doc: SearchDoc): boolean {
  switch (query.kind) {
    case 'all': return true
    case 'and': return query.items.every((item) => matches(item, doc))
    case 'or': return query.items.some((item) => matches(item, doc))
    case 'not': return !matches(query.item, doc)
    case 'range': return (doc.fields[query.field] ?? []).some((value) => rangeMatches(query, value))
    case 'term': return (query.field === null ? doc.defaults : [query.field])
      .some((field) => (doc.fields[field] ?? []).some((value) => termMatches(query, String(value))))
  }
}

/** Whether any positive term of the query matches this field (for the hits' matchLocations). */
export function matchesField (query: Query, doc: SearchDoc, field: string): boolean {
  switch (query.kind) {
    case 'and': case 'or': return query.items.some((item) => matchesField(item, doc, field))
    case 'term': return (query.field === null || query.field === field) && (doc.fields[field] ?? []).some((value) => termMatches(query, String(value)))
    default: return false
  }
}
