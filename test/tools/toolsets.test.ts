import t from 'tap'
import { ConfigError } from '../../src/config/secret-source.js'
import { loadConfig } from '../../src/config/config.js'
import { DEFAULT_TOOLSETS, TOOLSETS, type Toolset } from '../../src/config/toolsets.js'
import { ToolCatalog } from '../../src/mcp/tool-catalog.js'
import { ACME_TOKEN } from '../../packages/sample-stack/src/data.js'
import { tools } from '../../src/tools/index.js'
import { call, sdkGateway, textOf } from './sdk-gateway.js'

const ADMIN_TOOLS = [
  'admin_users_list', 'admin_user_get', 'admin_user_create', 'admin_user_delete', 'admin_user_set_email', 'admin_user_set_role',
  'admin_user_add_roles', 'admin_user_remove_roles', 'admin_user_set_admin', 'admin_user_set_active', 'admin_user_reset_password',
  'admin_roles_list', 'admin_sso_config_get', 'admin_sso_config_set', 'admin_tabulator_open_query_get', 'admin_tabulator_open_query_set'
]

/** The membership rule as the README states it, checked against the data the gateway registers. */
function toolsetByName (name: string): Toolset {
  if (name.startsWith('admin_')) return 'admin'
  if (name.startsWith('tabulator_')) return 'tabulator'
  if (name.startsWith('athena_')) return 'athena'
  if (name.startsWith('bucket_object')) return 'objects'
  if (name.startsWith('search_')) return 'search'
  if (name.startsWith('package')) return 'packages'
  return 'catalog'
}

t.test('every tool belongs to the toolset its name says, with honest annotations and a short description', async (t) => {
  for (const tool of tools) {
    t.equal(tool.toolset, toolsetByName(tool.name), tool.name)
    // The tools added with the toolsets keep to a sentence or two (models choose worse among long ones).
    if (['admin', 'tabulator'].includes(tool.toolset) || ['get_resource', 'athena_databases_list', 'athena_tables_list', 'athena_table_schema', 'athena_workgroups_list'].includes(tool.name)) {
      t.ok(tool.description.length <= 250, `${tool.name}: description of ${tool.description.length} characters`)
    }
    if (tool.annotations.readOnlyHint !== true) t.type(tool.annotations.destructiveHint, 'boolean', `${tool.name} says whether it destroys`)
    if (/_delete$|_set$|_set_/.test(tool.name) && tool.annotations.readOnlyHint !== true) t.equal(tool.annotations.destructiveHint, true, `${tool.name} overwrites or deletes`)
  }
  t.same(tools.filter((tool) => tool.toolset === 'admin').map((tool) => tool.name).sort(), [...ADMIN_TOOLS].sort())
  t.equal(new Set(tools.map((tool) => tool.name)).size, tools.length, 'names are unique')
})

t.test('MCP_TOOLSETS: default all but admin, catalog always on, unknown names stop start-up', async (t) => {
  const env = { MCP_JWT_SECRET: 'x'.repeat(40), MCP_ALLOWED_REGISTRY_HOSTS: 'registry.example.com' }
  t.same(loadConfig(env).toolsets, DEFAULT_TOOLSETS)
  t.notOk(loadConfig(env).toolsets.includes('admin'))
  t.same(loadConfig({ ...env, MCP_TOOLSETS: 'athena, Admin' }).toolsets, ['catalog', 'athena', 'admin'])
  t.same(loadConfig({ ...env, MCP_TOOLSETS: ' ' }).toolsets, DEFAULT_TOOLSETS)
  t.throws(() => loadConfig({ ...env, MCP_TOOLSETS: 'packages,admins' }), new ConfigError(`MCP_TOOLSETS: unknown toolset "admins"; choose from ${TOOLSETS.join(', ')}`))
})

t.test('tools/list per caller is built once per kind of caller, read-only grants filter to readOnlyHint tools', async (t) => {
  const catalog = new ToolCatalog(TOOLSETS)
  const admin = catalog.list({ admin: true })
  t.equal(catalog.list({ admin: true }), admin, 'the same answer object, not rebuilt')
  t.equal(admin.tools.length, tools.length)
  t.notOk(catalog.list({ admin: false }).tools.some((tool) => tool.name.startsWith('admin_')))
  const readOnly = catalog.list({ admin: true, readOnly: true }).tools
  t.ok(readOnly.every((tool) => tool.annotations?.readOnlyHint === true))
  t.ok(readOnly.some((tool) => tool.name === 'admin_users_list'))
  t.match(catalog.lookup('package_delete', { admin: false, readOnly: true }), { refusal: /allows reading only/ })
  // What a tools/list costs once built: a map lookup (the figure the README quotes is measured by bench).
  const started = process.cpuUsage()
  for (let i = 0; i < 100_000; i++) catalog.list({ admin: i % 2 === 0 })
  const used = process.cpuUsage(started)
  t.comment(`catalog.list: ${((used.user + used.system) / 100_000).toFixed(3)} µs CPU per call`)
})

t.test('an operator can offer less: only the named toolsets (and catalog) are listed and callable', async (t) => {
  const g = await sdkGateway(t, { toolsets: ['athena'] })
  const { tools: listed } = await g.alice.listTools()
  const sets = new Set(listed.map((tool) => toolsetByName(tool.name)))
  t.same([...sets].sort(), ['athena', 'catalog'])
  t.ok(listed.some((tool) => tool.name === 'get_resource'), 'catalog is always on')
  const refused = await call(g.alice, 'package_info', { bucket: 'quilt-example', package_name: 'examples/wellplates' })
  t.ok(refused.isError)
  t.match(textOf(refused), /Unknown tool "package_info"/)
  t.same(g.operations(), [], 'nothing was sent to the registry')
})

t.test('admin tools: off by default, and with the admin toolset listed and run only for admins', async (t) => {
  t.test('default toolsets: nobody sees admin tools, and no one\'s admin status is asked', async (t) => {
    const g = await sdkGateway(t)
    const { tools: listed } = await g.bob.listTools()
    t.notOk(listed.some((tool) => tool.name.startsWith('admin_')))
    t.ok(['get_resource', 'athena_tables_list', 'tabulator_table_set'].every((name) => listed.some((tool) => tool.name === name)))
    t.match(textOf(await call(g.bob, 'admin_users_list')), /Unknown tool/)
    t.same(g.operations(), [], 'tools/list cost no registry call')
  })

  t.test('admin toolset on', async (t) => {
    const g = await sdkGateway(t, { toolsets: [...DEFAULT_TOOLSETS, 'admin'] })
    const bobTools = (await g.bob.listTools()).tools.map((tool) => tool.name)
    t.ok(ADMIN_TOOLS.every((name) => bobTools.includes(name)), 'bob, an admin, sees every admin tool')
    const aliceTools = (await g.alice.listTools()).tools.map((tool) => tool.name)
    t.notOk(aliceTools.some((name) => name.startsWith('admin_')), 'alice does not')
    await g.alice.listTools()
    t.equal(g.registry.requests.filter((r) => r.operationName === 'GatewayMe' && r.token === ACME_TOKEN).length, 1, 'alice\'s status is learnt once and cached')

    const before = g.registry.requests.length
    for (const [name, args] of [['admin_users_list', {}], ['admin_user_delete', { name: 'bob' }], ['admin_user_set_admin', { name: 'alice', admin: true }]] as const) {
      const refused = await call(g.alice, name, args)
      t.ok(refused.isError, name)
      t.match(textOf(refused), /for catalog administrators.*Nothing was sent to the registry/)
    }
    t.equal(g.registry.requests.length, before, 'a non-admin\'s admin calls send nothing to the registry')

    const listed = await call(g.bob, 'admin_users_list')
    t.notOk(listed.isError, textOf(listed))
    t.match(textOf(listed), /3 user\(s\)/)
  })
})
