// How a tool's search text becomes the registry's `searchString` (Elasticsearch query_string syntax).

// Characters with a meaning in query_string syntax. `&&`/`||` are covered by escaping `&` and `|` one
// at a time. `<` and `>` cannot be escaped at all (Elasticsearch docs), so they are replaced by
// spaces, which split terms just as the analyzer would.
const RESERVED = /[+\-=&|!(){}[\]^"~*?:\\/]/g
const UNESCAPABLE = /[<>]/g
// Upper-case AND, OR and NOT are operators; lower case makes them ordinary words again.
const OPERATOR_WORDS = /(?<=^|\s)(AND|OR|NOT)(?=\s|$)/g

// The catalog's search box (catalog/app/containers/Search/model.ts, addMagicWildcardsQS): text with
// any of these is deliberate syntax and sent as typed; anything else gets a trailing "*".
const DELIBERATE_SYNTAX = /:|\*|\?|"|'|\bAND\b|\bOR\b|\+|\||\(|\)|\[|\]|\{|\}|~|-/

/** Makes free text search literally: every reserved character escaped, operators neutralised. */
export function escapeQueryString (text: string): string {
  return text
    .replace(UNESCAPABLE, ' ')
    .replace(RESERVED, (char) => `\\${char}`)
    .replace(OPERATOR_WORDS, (word) => word.toLowerCase())
    .trim()
}

/**
 * How a query was read: `everything` (blank or a bare "*": no text constraint), `words` (plain words,
 * with the catalog's trailing wildcard), `syntax` (deliberate query_string syntax, sent as typed) or
 * `literal` (escaped: the fallback when the registry could not parse the text).
 */
type QueryReading = 'everything' | 'words' | 'syntax' | 'literal'

export interface SearchText {
  searchString: string | null
  reading: QueryReading
}

const EVERYTHING: SearchText = { searchString: null, reading: 'everything' }

/** The registry's `searchString` for a tool query, read as the catalog's search box reads it. */
export function readQuery (query: string): SearchText {
  const trimmed = query.trim()
  if (trimmed === '' || trimmed === '*') return EVERYTHING
  if (DELIBERATE_SYNTAX.test(trimmed)) return { searchString: trimmed, reading: 'syntax' }
  return { searchString: `${trimmed}*`, reading: 'words' }
}

/**
 * The same query made literal, for a second try after the registry reported a QuerySyntaxError
 * (e.g. a "/" in plain words opens a regular expression). Plain words keep their trailing wildcard.
 */
export function literalQuery (query: string): SearchText {
  const first = readQuery(query)
  if (first.reading === 'everything') return first
  const escaped = escapeQueryString(query.trim())
  if (escaped === '') return EVERYTHING
  return { searchString: first.reading === 'words' ? `${escaped}*` : escaped, reading: 'literal' }
}
