import t from 'tap'
import { escapeQueryString, toSearchString } from '../../src/platform/operations/search.js'

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
  t.equal(toSearchString('*'), null)
  t.equal(toSearchString('  * '), null)
  t.equal(toSearchString(''), null)
  t.equal(toSearchString('   '), null)
  t.equal(toSearchString('<>'), null, 'nothing left after removing unescapable characters')
  t.equal(toSearchString('penguins*'), 'penguins\\*', 'a wildcard inside a word is literal')
})
