import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import t from 'tap'
import { run } from '../../packages/sample-stack/src/run.js'
import { runCli, startCli, SAMPLE_STACK_ARGS } from '../helpers/cli.js'
import { ACME_TOKEN, GLOBEX_TOKEN, postGraphql } from '../helpers/fake-registry.js'

t.test('sample-registry prints its URL and tenant tokens, answers GraphQL, and stops on SIGTERM', async (t) => {
  const registry = startCli(t, ['sample-registry', '--port', '0'], {}, SAMPLE_STACK_ARGS)
  const [, url] = await registry.waitForStdout(/^Sample Quilt registry on (http:\/\/127\.0\.0\.1:\d+)\/graphql \(schema 2026-08-21\)$/m)
  t.match(registry.stdout(), new RegExp(`^ {2}${ACME_TOKEN} +alice@acme\\.example, buckets quilt-example`, 'm'))
  t.match(registry.stdout(), new RegExp(`^ {2}${GLOBEX_TOKEN} +bob@globex\\.example`, 'm'))
  const me = await postGraphql(url as string, ACME_TOKEN, { query: 'query Me { me { name email } }', operationName: 'Me' })
  t.same(me, { status: 200, body: { data: { me: { name: 'alice', email: 'alice@acme.example' } } } })
  registry.child.kill('SIGTERM')
  t.equal(await registry.exited, 0)
})

t.test('sample-registry --help and a bad port', async (t) => {
  const help = await runCli(['sample-registry', '--help'], {}, run)
  t.equal(help.code, 0)
  t.match(help.stdout, /^Usage: sample-stack sample-registry \[--port 4000\] \[--host 127\.0\.0\.1\]/)
  const bad = await runCli(['sample-registry', '--port', 'http'], {}, run)
  t.equal(bad.code, 2)
  t.match(bad.stderr, /^sample-stack: --port must be a port number/)
  const era = await runCli(['sample-registry', '--era', '2023-01-01'], {}, run)
  t.equal(era.code, 2)
  t.match(era.stderr, /^sample-stack: --era must be one of 2024-10-11, .*2026-08-21/)
})

t.test('sample-registry --era serves that era\'s schema, --secure-search its search', async (t) => {
  const registry = startCli(t, ['sample-registry', '--port', '0', '--era', '2025-02-13', '--secure-search'], {}, SAMPLE_STACK_ARGS)
  const [, url] = await registry.waitForStdout(/^Sample Quilt registry on (http:\/\/127\.0\.0\.1:\d+)\/graphql \(schema 2025-02-13, secure search\)$/m)
  const old = await postGraphql(url as string, ACME_TOKEN, { query: 'query S { searchPackages { ... on PackagesSearchResultSet { stats { total } } } }', operationName: 'S' })
  t.same(old, { status: 200, body: { data: { searchPackages: { stats: { total: -1 } } } } })
  const newer = await postGraphql(url as string, ACME_TOKEN, { query: 'query S { searchPackages { ... on PackagesSearchResultSet { total } } }', operationName: 'S' })
  t.equal(newer.status, 400, '`total` came later')
  registry.child.kill('SIGTERM')
  t.equal(await registry.exited, 0)
})

t.test('the README\'s "npx sample-stack sample-registry" runs: the workspace bin starts through tsx from any directory', async (t) => {
  const bin = new URL('../../node_modules/.bin/sample-stack', import.meta.url).pathname
  const child = spawnSync(bin, ['sample-registry', '--help'], { cwd: tmpdir(), encoding: 'utf8', timeout: 60_000 })
  t.equal(child.status, 0, child.stderr)
  t.match(child.stdout, /^Usage: sample-stack sample-registry \[--port 4000\]/)
})
