import { execFile } from 'node:child_process'
import t from 'tap'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ACME_TOKEN, demoTenants } from '../../packages/sample-stack/src/data.js'
import { run } from '../../packages/sample-stack/src/run.js'
import { runCli, startCli, SAMPLE_STACK_ARGS } from '../helpers/cli.js'
import { connectClient } from '../helpers/mcp-client.js'
import { consent, MemoryOAuthProvider } from '../helpers/sign-in.js'

const wellplates = { bucket: 'quilt-example', package_name: 'examples/wellplates' }
const oldestWellplates = demoTenants()[ACME_TOKEN]?.packages.find((p) => p.name === wellplates.package_name)?.revisions.at(-1)?.hash

/** Arguments from the demo data for every read-only tool; a new read-only tool must be added here. */
const sampleArguments: Record<string, Record<string, unknown>> = {
  auth_status: {},
  bucket_list: {},
  packages_list: { bucket: 'quilt-example' },
  package_info: wellplates,
  package_browse: { ...wellplates, path: 'data/' },
  package_diff: { ...wellplates, hash_a: oldestWellplates?.slice(0, 12) },
  search_packages: { query: 'plate' },
  search_objects: { query: 'img_001' },
  catalog_url: { ...wellplates, path: 'README.md' },
  bucket_objects_list: { bucket: 'quilt-example', prefix: 'examples/wellplates/' },
  bucket_object_info: { s3_uri: 's3://quilt-example/examples/wellplates/README.md' },
  bucket_object_text: { s3_uri: 's3://quilt-example/examples/wellplates/README.md' },
  bucket_object_link: { s3_uri: 's3://quilt-example/examples/wellplates/README.md' },
  // A real PNG, in the bucket that lives in another region (eu-west-1).
  bucket_object_fetch: { s3_uri: 's3://cellpainting-data/cellpainting/thumbnails/well-A01.png' },
  package_file_text: { ...wellplates, path: 'data/summary.csv' },
  package_file_link: { ...wellplates, path: 'data/summary.csv' },
  tabulator_tables_list: { bucket: 'quilt-example' },
  athena_query: { sql: 'SHOW TABLES' },
  get_resource: { uri: 'quilt-platform://athena' },
  athena_databases_list: { catalog: 'quilt-sample-tabulator' },
  athena_tables_list: { catalog: 'quilt-sample-tabulator', database: 'quilt-example' },
  athena_table_schema: { catalog: 'quilt-sample-tabulator', database: 'quilt-example', table: 'wellplates_summary' },
  athena_workgroups_list: {}
}

/** Runs one printed shell command, as a person pasting it would after `export TOKEN=...`. */
function runShell (command: string, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', command], { env: { PATH: process.env.PATH, TOKEN: token }, timeout: 15_000 }, (err, stdout) => {
      if (err !== null) reject(err)
      else resolve(stdout)
    })
  })
}

t.test('demo: the printed commands work, the token serves every read-only tool, SIGTERM stops it all', async (t) => {
  const demo = startCli(t, ['demo', '--port', '0'], {}, SAMPLE_STACK_ARGS)
  await demo.waitForStdout(/Press Ctrl-C to stop\./)
  const out = demo.stdout()
  const gatewayUrl = /demo on (http:\/\/127\.0\.0\.1:(\d+))\/mcp/.exec(out)
  const token = /^ {2}export TOKEN=(\S+)$/m.exec(out)?.[1]
  t.ok(gatewayUrl !== null && gatewayUrl[2] !== '0', 'the printed URL carries the real port, not 0')
  t.ok(token, 'a token is printed')
  if (gatewayUrl === null || token === undefined) return
  t.match(demo.stderr(), `gateway          ${gatewayUrl[1]}/mcp`, 'stderr says where the gateway listens')
  t.match(demo.stderr(), /JWT secret {7}random, generated in memory/, 'and where the secret comes from')
  const registryUrl = /sample registry {2}(http:\S+)\/graphql/.exec(demo.stderr())?.[1]
  t.ok(registryUrl, 'and where the registry listens')
  t.notMatch(out + demo.stderr(), /"level":/, 'no log lines in a quiet start')

  // Each printed curl command, from "curl" to the first line without a trailing backslash.
  const curls = [...out.matchAll(/^ {2}(curl (?:.*\\\n)*.*)$/gm)].map((match) => match[1] as string)
  t.equal(curls.length, 8, 'curls for tools/list, a package, a file\'s text, its link, a table\'s columns, a query, an image and an upload')
  const [list, call, text, link, schema, query, image, upload] = await Promise.all(curls.map(async (command) => JSON.parse(await runShell(command, token)) as { result: Record<string, unknown> }))
  t.ok(Array.isArray(list?.result.tools) && (list.result.tools as unknown[]).length > 0, 'tools/list through curl')
  t.notOk(call?.result.isError, 'the printed tool call succeeds')
  t.match(call?.result, { structuredContent: { ...wellplates, revisions_total: 3 } }, 'with the sample package')
  t.match(text?.result, { structuredContent: { kind: 'text', text: /^plate,well,cell_count,mean_intensity\n/ } }, 'the file\'s text, from the local S3')
  const url = (link?.result.structuredContent as { url?: string } | undefined)?.url ?? ''
  t.match(await (await fetch(url)).text(), /^plate,well/, 'the printed link downloads the file')
  t.match(schema?.result, { structuredContent: { name: 'wellplates_summary', columns: [{ name: 'plate' }, { name: 'well' }, { name: 'cell_count' }, { name: 'mean_intensity' }] } }, 'the table\'s columns, from the demo\'s Athena')
  t.match(query?.result, { structuredContent: { columns: [{ name: 'plate' }, { name: 'well' }, { name: 'cell_count' }, { name: 'mean_intensity' }] } }, 'the query returns the table')
  t.match(image?.result, { content: [{ type: 'text' }, { type: 'image', mimeType: 'image/png' }] }, 'the image, from the bucket in another region')
  t.match(upload?.result, { structuredContent: { written: 1 } }, 'the upload is written')
  t.match(out, `--cli ${gatewayUrl[1]}/mcp --transport http --header "Authorization: Bearer $TOKEN"`, 'the Inspector command points at the gateway')

  const client = await connectClient(t, gatewayUrl[1] as string, token)
  const readOnly = (await client.listTools()).tools.filter((tool) => tool.annotations?.readOnlyHint === true)
  t.same(readOnly.map((tool) => tool.name).sort(), Object.keys(sampleArguments).sort(), 'sample arguments for exactly the read-only tools')
  for (const tool of readOnly) {
    const args = sampleArguments[tool.name] ?? {}
    const result = await client.callTool({ name: tool.name, arguments: args })
    t.notOk(result.isError, `${tool.name} succeeds`, { args, content: result.content })
  }
  await client.close()

  demo.child.kill('SIGTERM')
  t.equal(await demo.exited, 0, 'SIGTERM: clean exit')
  await t.rejects(fetch(`${registryUrl}/graphql`, { method: 'POST' }), 'the sample registry is closed too')
})

t.test('demo: an OAuth host connects by the printed URL alone, with the printed login code', async (t) => {
  const demo = startCli(t, ['demo', '--port', '0'], {}, SAMPLE_STACK_ARGS)
  await demo.waitForStdout(/Press Ctrl-C to stop\./)
  const out = demo.stdout()
  const url = /by URL alone: paste\n\n {2}(http:\S+)\n/.exec(out)?.[1]
  const code = /consent page; paste this one-time login code[^\n]*\n[^\n]*\n\n {2}(\S+)\n/.exec(out)?.[1]
  const codePage = /; (http:\S+\/code) gives a fresh one/.exec(out)?.[1]
  t.ok(url, 'the URL to paste is printed')
  t.ok(code, 'and a login code for the consent page')
  if (url === undefined || code === undefined || codePage === undefined) return
  const provider = new MemoryOAuthProvider()
  const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider })
  await t.rejects(new Client({ name: 'demo-oauth', version: '1' }).connect(transport), /Unauthorized/)
  const back = await consent(provider.authorizationUrl!, code)
  await transport.finishAuth(back.get('code')!)
  const client = new Client({ name: 'demo-oauth', version: '1' })
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }))
  t.ok((await client.listTools()).tools.length > 10, 'signed in: the tools are listed')
  await client.close()
  t.match(await (await fetch(codePage)).text(), /<pre id="code">[\w-]{20,}<\/pre>/, 'the code page gives fresh codes')
  demo.child.kill('SIGTERM')
  t.equal(await demo.exited, 0)
})

t.test('demo: --help and bad flags', async (t) => {
  const help = await runCli(['demo', '--help'], {}, run)
  t.equal(help.code, 0)
  t.match(help.stdout, /^Usage: npm run demo --/)
  const bad = await runCli(['demo', '--port', '70000'], {}, run)
  t.equal(bad.code, 2)
  t.match(bad.stderr, /^sample-stack: --port must be a port number from 0 to 65535 \(got "70000"\)\n$/)
})

t.test('demo: honours the environment, so a catalog on another origin can try it', async (t) => {
  const catalog = 'https://catalog.example.com'
  const demo = startCli(t, ['demo'], { PORT: '0', MCP_CORS_ORIGINS: catalog, MCP_PATH: '/quilt/mcp', LOG_LEVEL: 'silent', MCP_RATE_LIMIT_MAX: '', MCP_ALLOWED_REGISTRY_HOSTS: 'elsewhere.example.com', MCP_MAX_TOKEN_LIFETIME_SECONDS: '1800', MCP_MAX_EVENT_LOOP_DELAY_MS: '0' }, SAMPLE_STACK_ARGS)
  await demo.waitForStdout(/Press Ctrl-C to stop\./)
  const mcpUrl = /demo on (http:\/\/127\.0\.0\.1:\d+\/quilt\/mcp)/.exec(demo.stdout())?.[1]
  const token = /^ {2}export TOKEN=(\S+)$/m.exec(demo.stdout())?.[1]
  t.ok(mcpUrl, 'PORT=0 picked a free port, and MCP_PATH is the endpoint')
  t.match(demo.stdout(), /valid 0\.5 hours/, 'the token lives no longer than MCP_MAX_TOKEN_LIFETIME_SECONDS allows')
  if (mcpUrl === undefined || token === undefined) return
  const preflight = await fetch(mcpUrl, { method: 'OPTIONS', headers: { origin: catalog, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, b3' } })
  t.equal(preflight.status, 204, 'the configured origin passes the preflight')
  t.equal(preflight.headers.get('access-control-allow-origin'), catalog)
  const call = await fetch(mcpUrl, {
    method: 'POST',
    headers: { origin: catalog, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'bucket_list', arguments: {} } })
  })
  t.equal(call.status, 200, 'and calls with the printed token')
  t.equal(call.headers.get('x-ratelimit-limit'), '600', 'an empty MCP_RATE_LIMIT_MAX is the default, not "off"')
  t.notOk(((await call.json()) as { result: { isError?: boolean } }).result.isError, 'the embedded registry is allowed whatever MCP_ALLOWED_REGISTRY_HOSTS says')
  demo.child.kill('SIGTERM')
  t.equal(await demo.exited, 0)
})

t.test('demo: a bad PORT in the environment is named', async (t) => {
  const bad = await runCli(['demo'], { PORT: 'eighty' }, run)
  t.equal(bad.code, 2)
  t.match(bad.stderr, /^sample-stack: PORT must be a port number from 0 to 65535 \(got "eighty"\)\n$/)
})
