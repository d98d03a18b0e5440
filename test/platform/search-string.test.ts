import t from 'tap'
import { escapeQueryString, literalQuery, readQuery } from '../../src/platform/search-string.js'

t.test('every reserved query_string character is escaped', async (t) => {
  for (const char of ['+', '-', '=', '&', '|', '!', '(', ')', '{', '}', '[', ']', '^', '"', '~', '*', '?', ':', '\\', '/']) {
    t.equal(escapeQueryString(`a${char}b`), `a\\${char}b`, `"${char}"`)
  }
  t.equal(escapeQueryString('a && b || c'), 'a \\&\\& b \\|\\| c')
})

t.test('< and > cannot be escaped in query_string, so they become spaces', async (t) => {
  t.equal(escapeQueryString('x<y>z'), 'x y z')
  t.equal(escapeQueryString('>5'), '5')
})

t.test('operator words become plain words; parts of words are left alone', async (t) => {
  t.equal(escapeQueryString('cats AND dogs OR NOT birds'), 'cats and dogs or not birds')
  t.equal(escapeQueryString('ANDROID NOTES ORCA'), 'ANDROID NOTES ORCA')
})

t.test('names from the field search literally', async (t) => {
  t.equal(escapeQueryString('test/integration_lifecycle_1770736485'), 'test\\/integration_lifecycle_1770736485')
  t.equal(escapeQueryString('run:2024 "final" [v2]'), 'run\\:2024 \\"final\\" \\[v2\\]')
  t.equal(escapeQueryString('C:\\data'), 'C\\:\\\\data', 'a backslash is escaped once, not twice')
})

t.test('a bare "*" or a blank query matches everything (null searchString)', async (t) => {
  for (const query of ['*', '  * ', '', '   ']) t.same(readQuery(query), { searchString: null, reading: 'everything' }, JSON.stringify(query))
  t.same(literalQuery('<>'), { searchString: null, reading: 'everything' }, 'nothing left after removing unescapable characters')
})

// The contract changed with issue 9: text is read as the catalog's search box reads it, no longer literally.
t.test('plain words get the catalog\'s trailing wildcard; deliberate syntax is sent as typed', async (t) => {
  t.same(readQuery(' penguin '), { searchString: 'penguin*', reading: 'words' })
  t.same(readQuery('cell painting'), { searchString: 'cell painting*', reading: 'words' })
  t.same(readQuery('test/integration_lifecycle_1770736485'), { searchString: 'test/integration_lifecycle_1770736485*', reading: 'words' }, '"/" is not syntax to the catalog either')
  for (const query of ['ext:csv AND size:>1000', '"best track"', 'penguins*', 'plate-BR00116991', '(NOAA)', 'a OR b', "it's"]) {
    t.same(readQuery(query), { searchString: query, reading: 'syntax' }, query)
  }
})

t.test('the literal fallback escapes everything and keeps the wildcard of plain words only', async (t) => {
  t.same(literalQuery('test/integration_lifecycle_1770736485'), { searchString: 'test\\/integration_lifecycle_1770736485*', reading: 'literal' })
  t.same(literalQuery('[1851-2023]'), { searchString: '\\[1851\\-2023\\]', reading: 'literal' })
  t.same(literalQuery('*'), { searchString: null, reading: 'everything' })
})
