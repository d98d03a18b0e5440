import type { ResourceDefinition } from './define.js'
import { MAX_SEARCH_LIMIT } from './search.js'

/** The reference text the catalog's assistant autoloads as quilt-platform://search_syntax. */
const SEARCH_SYNTAX = `# Search syntax: search_packages and search_objects

Queries are read the way the Quilt catalog's search box reads them, then run by the registry's
Elasticsearch query_string search.

- Empty, or \`*\`: everything you can see (in the given buckets).
- Plain words (none of the characters below): each also matches longer words it starts, as the
  catalog appends \`*\`. \`penguin\` finds "penguins"; \`cell paint\` finds "Cell Painting".
- Query syntax, used as written when the text has any of \`: * ? " ' ( ) [ ] { } ~ - + |\` or the
  words AND / OR:
  - \`"an exact phrase"\`
  - wildcards: \`plate-BR*\`, \`img_00?.tif\`
  - operators: \`AND\`, \`OR\`, \`NOT\`, \`-word\`, and parentheses: \`(csv OR parquet) AND NOT tmp\`
  - objects by field: \`ext:csv AND size:>1000\`, \`ext:*.fastq.gz\`, \`size:>=4096\`, \`key:results*\`
  - packages by field: \`ptr_name:examples\\/metadata\`, \`mnfst_hash:3192ac1*\`
  - a backslash escapes a special character: \`\\/\`, \`\\:\`, \`\\(\`
- Text the registry cannot parse (a \`/\` starts a regular expression, a lone \`[\` opens a range) is
  searched once more with every special character escaped, and the result says so.

Paging: at most ${MAX_SEARCH_LIMIT} hits per call (\`limit\`). When there are more, the result carries
\`next_cursor\`; call the same tool again with \`cursor\` set to it for the next page (the query and
buckets travel in the cursor).

Secure search: on catalogs that check every hit against your own S3 permissions the total is unknown
(the result says "secure search: total unknown", \`total: null\`), and a page can be short or even
empty while \`next_cursor\` still leads to more hits.

search_packages finds the latest revision of each package by default; \`latest_only: false\` also
finds older revisions.
`

export const searchSyntaxResource: ResourceDefinition = {
  name: 'search_syntax',
  uri: 'quilt-platform://search_syntax',
  title: 'Search syntax',
  description: 'How search_packages and search_objects read a query, with examples, and how to page through results with cursors.',
  mimeType: 'text/markdown',
  read: async () => ({ text: SEARCH_SYNTAX, data: {} })
}
