import { readFileSync } from 'node:fs'
import t from 'tap'
import { eraSdl } from '../../packages/sample-stack/src/eras.js'
import { capabilitiesOf, eraSchema, ERAS, NEWEST_ERA } from '../helpers/eras.js'

t.test('each vendored era schema names its source and licence and builds', async (t) => {
  t.same(ERAS, ['2024-10-11', '2025-02-13', '2025-08-22', '2026-04-22', '2026-08-21'])
  t.equal(NEWEST_ERA, ERAS.at(-1))
  for (const era of ERAS) {
    const [first, second] = eraSdl(era).split('\n')
    t.match(first, new RegExp(`^# Quilt registry GraphQL schema as of ${era} \\(quiltdata/quilt commit [0-9a-f]{40}, shared/graphql/schema.graphql\\)`), era)
    t.match(second, /quiltdata\/quilt .*licensed Apache-2\.0/, era)
    t.ok(eraSchema(era).getQueryType()?.getFields().package, `${era} builds`)
  }
  t.equal(readFileSync(new URL('../../packages/sample-stack/src/schemas/2026-08-21.graphql', import.meta.url), 'utf8'), eraSdl(NEWEST_ERA), 'read next to the module')
})

t.test('the introspection query tells the eras apart exactly where they differ', async (t) => {
  const table = Object.fromEntries(ERAS.map((era) => [era, capabilitiesOf(era)]))
  t.same(table, {
    '2024-10-11': { latestOnlySearch: false, searchResultTotal: false, packageHitEntryCount: false, searchOperationError: false, roleScopedBuckets: false, packagesFirstPageUnion: false, topLevelTabulatorMutations: false, tabulatorOpenQuery: false },
    '2025-02-13': { latestOnlySearch: true, searchResultTotal: false, packageHitEntryCount: false, searchOperationError: false, roleScopedBuckets: false, packagesFirstPageUnion: false, topLevelTabulatorMutations: false, tabulatorOpenQuery: true },
    '2025-08-22': { latestOnlySearch: true, searchResultTotal: true, packageHitEntryCount: true, searchOperationError: true, roleScopedBuckets: false, packagesFirstPageUnion: false, topLevelTabulatorMutations: false, tabulatorOpenQuery: true },
    '2026-04-22': { latestOnlySearch: true, searchResultTotal: true, packageHitEntryCount: true, searchOperationError: true, roleScopedBuckets: true, packagesFirstPageUnion: false, topLevelTabulatorMutations: true, tabulatorOpenQuery: true },
    '2026-08-21': { latestOnlySearch: true, searchResultTotal: true, packageHitEntryCount: true, searchOperationError: true, roleScopedBuckets: true, packagesFirstPageUnion: true, topLevelTabulatorMutations: true, tabulatorOpenQuery: true }
  })
})
