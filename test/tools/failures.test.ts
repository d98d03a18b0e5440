import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import t from 'tap'
import type { Test } from 'tap'
import type { InterceptAction, InterceptedRequest } from '../../packages/sample-stack/src/server.js'
import { MAX_RESPONSE_BYTES } from '../../src/platform/registry-http.js'
import { closedPortUrl } from '../helpers/fake-registry.js'
import { textOf, toolHarness, type HarnessOptions } from './harness.js'

const wellplates = { bucket: 'quilt-example', package_name: 'examples/wellplates' }
const newFile = { bucket: 'quilt-example', package_name: 'examples/new', files: [{ logical_key: 'a.csv', s3_uri: 's3://quilt-example/a.csv', size: 1 }], message: 'new package' }

/** An error result with a helpful text, never an empty success. */
function assertError (t: Test, result: CallToolResult, text: RegExp): void {
  t.equal(result.isError, true, 'isError')
  t.equal(result.structuredContent, undefined, 'no data that could pass for an empty result')
  t.match(textOf(result), text)
}

/** Intercepts one operation only; everything else is answered normally. */
const on = (operation: string, action: InterceptAction) => (request: InterceptedRequest) => request.operationName === operation ? action : undefined

/** A 200 answer with the given `data`, for union arms the sample data never produces. */
const dataAnswer = (data: unknown): InterceptAction => ({ status: 200, body: JSON.stringify({ data }) })

async function callWith (t: Test, options: HarnessOptions, tool: string, args: Record<string, unknown>) {
  const h = await toolHarness(t, options)
  return { h, result: await h.call(tool, args) }
}

t.test('errors inside an HTTP 200 (the browse outage) are an error, not an empty folder', async (t) => {
  const { h, result } = await callWith(t, { intercept: on('PackageBrowseDir', { graphqlErrors: [{ message: 'Internal Server Error' }] }) }, 'package_browse', wellplates)
  assertError(t, result, /registry reported an error for PackageBrowseDir: Internal Server Error\. .*not an empty result/)
  t.same(h.registry.requests.map((r) => r.operationName), ['PackageBrowseDir'], 'no file lookup after a failed dir lookup')
})

t.test('HTTP 500 without a GraphQL body', async (t) => {
  const { result } = await callWith(t, { intercept: on('PackagesList', { status: 500, body: 'upstream failure' }) }, 'packages_list', { bucket: 'quilt-example' })
  assertError(t, result, /answered PackagesList with HTTP 500 .*Try again later/)
})

t.test('HTTP 500 with GraphQL errors', async (t) => {
  const { result } = await callWith(t, { intercept: on('PackageInfo', { status: 500, body: JSON.stringify({ errors: [{ message: 'database is down' }] }) }) }, 'package_info', wellplates)
  assertError(t, result, /reported an error for PackageInfo: database is down/)
})

for (const status of [401, 403]) {
  t.test(`HTTP ${status} from the registry says the credentials were rejected`, async (t) => {
    const { result } = await callWith(t, { intercept: () => ({ status, body: '{"message":"no"}' }) }, 'search_packages', { query: 'anything' })
    assertError(t, result, new RegExp(`catalog rejected the credentials in your token \\(HTTP ${status}\\)\\. Sign in to the catalog again.*not an empty result`))
  })
}

t.test('an unknown catalog token is rejected by the registry itself (401), never "no results"', async (t) => {
  const { result } = await callWith(t, { catalogToken: 'revoked-catalog-token' }, 'bucket_list', {})
  assertError(t, result, /rejected the credentials/)
})

t.test('a query slower than MCP_GRAPHQL_TIMEOUT_MS times out', async (t) => {
  const started = Date.now()
  const { result } = await callWith(t, { timeoutMs: 150, intercept: on('PackagesList', { delayMs: 3000 }) }, 'packages_list', { bucket: 'quilt-example' })
  assertError(t, result, /did not answer PackagesList within 150 ms/)
  t.ok(Date.now() - started < 2000, 'gave up at the timeout')
})

t.test('mutations have their own timeout (MCP_GRAPHQL_MUTATION_TIMEOUT_MS)', async (t) => {
  const slow = on('PackageConstruct', { delayMs: 400 })
  const { result: ok } = await callWith(t, { timeoutMs: 100, mutationTimeoutMs: 5000, intercept: slow }, 'package_create', newFile)
  t.notOk(ok.isError, 'a mutation may take longer than the query timeout')
  const { result } = await callWith(t, { timeoutMs: 5000, mutationTimeoutMs: 100, intercept: slow }, 'package_create', newFile)
  assertError(t, result, /did not answer PackageConstruct within 100 ms/)
})

t.test('connection refused', async (t) => {
  const { result } = await callWith(t, { registryUrl: await closedPortUrl() }, 'bucket_list', {})
  assertError(t, result, /Could not reach the Quilt registry for BucketList \(network error\)/)
})

t.test('connection reset mid-request', async (t) => {
  const { result } = await callWith(t, { intercept: () => ({ destroy: true }) }, 'bucket_list', {})
  assertError(t, result, /Could not reach the Quilt registry/)
})

t.test('an answer larger than the response cap is refused, not buffered', async (t) => {
  const huge = JSON.stringify({ data: { bucketConfigs: [{ name: 'x'.repeat(MAX_RESPONSE_BYTES) }] } })
  const { result } = await callWith(t, { intercept: on('BucketList', { status: 200, body: huge }) }, 'bucket_list', {})
  assertError(t, result, /Could not reach the Quilt registry for BucketList/)
})

t.test('a malformed JSON body', async (t) => {
  const { result } = await callWith(t, { intercept: on('SearchObjects', { status: 200, body: '{"data": {"searchObjects": ' }) }, 'search_objects', { query: 'x' })
  assertError(t, result, /answered SearchObjects with a body that is not valid JSON/)
})

t.test('a well-formed answer in an unexpected shape', async (t) => {
  const { result } = await callWith(t, { intercept: on('BucketList', dataAnswer({ bucketConfigs: [{ name: 'x' }] })) }, 'bucket_list', {})
  assertError(t, result, /answered BucketList in an unexpected shape/)
})

t.test('InvalidInput from the registry names each bad input by path', async (t) => {
  const { result } = await callWith(t, {}, 'package_create', { ...newFile, bucket: 'not-in-this-catalog' })
  assertError(t, result, /rejected the input of PackageConstruct: params\.bucket: Bucket "not-in-this-catalog" is not in this catalog\. Correct the arguments/)
})

t.test('InvalidInput of a search, at the top and inside the first page', async (t) => {
  const invalid = { __typename: 'InvalidInput', errors: [{ path: 'searchString', message: 'too many clauses', name: 'TooComplex' }, { path: null, message: 'try fewer words', name: 'Hint' }] }
  const { result: top } = await callWith(t, { intercept: on('SearchPackages', dataAnswer({ searchPackages: invalid })) }, 'search_packages', { query: 'x' })
  assertError(t, top, /rejected the input of SearchPackages: searchString: too many clauses; try fewer words/)
  const { result: page } = await callWith(t, {
    intercept: on('SearchPackages', dataAnswer({ searchPackages: { __typename: 'PackagesSearchResultSet', total: 3, firstPage: invalid } }))
  }, 'search_packages', { query: 'x' })
  assertError(t, page, /rejected the input of SearchPackages: searchString/)
})

t.test('OperationError arms say what could not be done', async (t) => {
  const failure = { __typename: 'OperationError', message: 'Search backend timed out', name: 'Timeout' }
  const { result: objects } = await callWith(t, { intercept: on('SearchObjects', dataAnswer({ searchObjects: failure })) }, 'search_objects', { query: 'x' })
  assertError(t, objects, /could not search objects: Search backend timed out \(Timeout\)\. .*not an empty result/)
  const { result: page } = await callWith(t, {
    intercept: on('SearchPackages', dataAnswer({ searchPackages: { __typename: 'PackagesSearchResultSet', total: 3, firstPage: failure } }))
  }, 'search_packages', { query: 'x' })
  assertError(t, page, /could not return the first page of package search results: Search backend timed out/)
  const { result: push } = await callWith(t, { intercept: on('PackageConstruct', dataAnswer({ packageConstruct: { ...failure, message: 'Access denied to s3://quilt-example/a.csv', name: 'AccessDenied' } })) }, 'package_create', newFile)
  assertError(t, push, /could not create a revision of examples\/new in s3:\/\/quilt-example: Access denied/)
})

t.test('OperationError from packageRevisionDelete, and a delete-all that fails part way', async (t) => {
  const denied = dataAnswer({ packageRevisionDelete: { __typename: 'OperationError', message: 'Not allowed', name: 'Forbidden' } })
  const { result: one } = await callWith(t, { intercept: on('PackageRevisionDelete', denied) }, 'package_delete', { ...wellplates, hash: 'latest' })
  assertError(t, one, /could not delete revision [0-9a-f]{64} of examples\/wellplates in s3:\/\/quilt-example: Not allowed \(Forbidden\)/)

  let deletes = 0
  const { h, result: partial } = await callWith(t, { intercept: (r) => r.operationName === 'PackageRevisionDelete' && ++deletes === 2 ? denied : undefined }, 'package_delete', wellplates)
  assertError(t, partial, /^Deleted 1 of 3 revision\(s\) of examples\/wellplates in s3:\/\/quilt-example \(oldest first\), then stopped: The registry could not delete revision/)
  const left = h.registry.tenants['demo-catalog-token']!.packages.find((p) => p.name === 'examples/wellplates')!.revisions
  t.equal(left.length, 2, 'the latest revisions are kept')
  t.equal(left[0]?.message, 'Add plate 2 and summary table')
})

t.test('a failure on the second call of a two-call tool is still an error', async (t) => {
  const { result } = await callWith(t, { intercept: on('PackageBrowseFile', { status: 502, body: '<html>Bad gateway</html>' }) }, 'package_browse', { ...wellplates, path: 'README.md' })
  assertError(t, result, /answered PackageBrowseFile with HTTP 502/)
  const { result: diff } = await callWith(t, { intercept: (r) => r.operationName === 'PackageContents' && r.variables?.hashOrTag === 'latest' ? { graphqlErrors: [{ message: 'boom' }] } : undefined }, 'package_diff', { ...wellplates, hash_a: 'df2f7a8d19aa' })
  assertError(t, diff, /PackageContents: boom/)
})

t.test('failures are logged as warnings without the catalog token', async (t) => {
  const h = await toolHarness(t, { intercept: () => ({ status: 500, body: '' }) })
  await h.call('bucket_list')
  t.match(h.logs.entries, [{ level: 40, tool: 'bucket_list', failure: 'unavailable', msg: 'registry call failed' }])
  t.notOk(h.logs.text.includes('demo-catalog-token'))
})

t.test('a revision too large for contentsFlatMap is an error that suggests browsing instead', async (t) => {
  const tooLarge = dataAnswer({ package: { revision: { hash: 'a'.repeat(64), modified: '2025-01-01T00:00:00Z', message: null, userMeta: null, workflow: null, contentsFlatMap: null } } })
  const { result } = await callWith(t, { intercept: on('PackageContents', tooLarge) }, 'package_update', { ...wellplates, files: newFile.files, message: 'm' })
  assertError(t, result, /examples\/wellplates@aaaaaaaaaaaa in s3:\/\/quilt-example has more than 10000 files.*package_browse/)
})

// Issue 9: a response with data AND errors is used where what the tool needs is there, naming the errors.
t.test('partial data: used where it answers the question, with the registry\'s errors named', async (t) => {
  const hit = { bucket: 'quilt-example', name: 'examples/wellplates', hash: 'a'.repeat(64), modified: '2025-01-10T08:00:00.000Z', size: 10, totalEntriesCount: 2, comment: null, score: 1 }
  const partial: InterceptAction = {
    status: 200,
    body: JSON.stringify({
      data: { searchPackages: { __typename: 'PackagesSearchResultSet', total: 1, firstPage: { __typename: 'PackagesSearchResultSetPage', cursor: null, hits: [hit] } } },
      errors: [{ message: 'comment index unavailable', path: ['searchPackages', 'firstPage', 'hits', 0, 'comment'] }]
    })
  }
  const { result } = await callWith(t, { intercept: on('SearchPackages', partial) }, 'search_packages', { query: 'wellplates' })
  t.notOk(result.isError, textOf(result))
  t.match(result.structuredContent, { total: 1, hits: [{ package_name: 'examples/wellplates' }], notes: [/comment index unavailable/] })
  t.match(textOf(result), /\nNote: The registry reported errors for part of this answer \(SearchPackages\): comment index unavailable\./)
})

t.test('partial data without what the tool needs stays an error, never "not found"', async (t) => {
  const nulled: InterceptAction = { status: 200, body: JSON.stringify({ data: { package: null }, errors: [{ message: 'resolver crashed', path: ['package'] }] }) }
  const { result } = await callWith(t, { intercept: on('PackageInfo', nulled) }, 'package_info', wellplates)
  assertError(t, result, /registry reported an error for PackageInfo: resolver crashed/)
  const broken: InterceptAction = { status: 200, body: JSON.stringify({ data: { searchPackages: { __typename: 'PackagesSearchResultSet', total: 1, firstPage: { __typename: 'PackagesSearchResultSetPage', cursor: null, hits: [null] } } }, errors: [{ message: 'hit failed', path: ['searchPackages', 'firstPage', 'hits', 0, 'name'] }] }) }
  const { result: search } = await callWith(t, { intercept: on('SearchPackages', broken) }, 'search_packages', { query: 'x' })
  assertError(t, search, /reported an error for SearchPackages: hit failed/)
})
