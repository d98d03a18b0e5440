import t from 'tap'
import { z } from 'zod'
import { tools } from '../../src/tools/index.js'

const schemaOf = (name: string) => {
  const tool = tools.find((candidate) => candidate.name === name)
  if (tool === undefined) throw new Error(`no tool ${name}`)
  return tool.inputSchema
}
const accepts = (name: string, args: unknown) => schemaOf(name).safeParse(args).success
const issues = (name: string, args: unknown) => schemaOf(name).safeParse(args).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? []

const pkg = { bucket: 'quilt-example', package_name: 'examples/wellplates' }
const file = { logical_key: 'a.csv', s3_uri: 's3://quilt-example/a.csv' }

t.test('the tool set is the contract of the README\'s Tools table', async (t) => {
  t.same(tools.map((tool) => tool.name).sort(), [
    'admin_roles_list', 'admin_sso_config_get', 'admin_sso_config_set', 'admin_tabulator_open_query_get', 'admin_tabulator_open_query_set',
    'admin_user_add_roles', 'admin_user_create', 'admin_user_delete', 'admin_user_get', 'admin_user_remove_roles', 'admin_user_reset_password',
    'admin_user_set_active', 'admin_user_set_admin', 'admin_user_set_email', 'admin_user_set_role', 'admin_users_list', 'athena_databases_list',
    'athena_query', 'athena_table_schema', 'athena_tables_list', 'athena_workgroups_list', 'auth_status', 'bucket_list', 'bucket_object_fetch',
    'bucket_object_info', 'bucket_object_link', 'bucket_object_text', 'bucket_object_upload_link', 'bucket_objects_list', 'bucket_objects_put',
    'catalog_url', 'get_resource', 'package_browse', 'package_create', 'package_create_from_s3', 'package_delete', 'package_diff',
    'package_file_link', 'package_file_text', 'package_info', 'package_promote', 'package_update', 'packages_list', 'search_objects',
    'search_packages', 'tabulator_table_delete', 'tabulator_table_rename', 'tabulator_table_set', 'tabulator_tables_list'
  ])
  for (const tool of tools) {
    t.equal(tool.annotations.openWorldHint, false, `${tool.name}: closed world`)
    t.ok(tool.description.length > 80, `${tool.name}: a description an LLM can choose by`)
    // What clients see: the JSON Schema of tools/list.
    const { properties = {} } = z.toJSONSchema(tool.inputSchema, { io: 'input' }) as { properties?: Record<string, { description?: string }> }
    for (const [field, schema] of Object.entries(properties)) t.ok(schema.description, `${tool.name}.${field} is described`)
  }
  const writes = [
    'package_create', 'package_create_from_s3', 'package_update', 'package_delete', 'package_promote', 'bucket_objects_put', 'bucket_object_upload_link',
    'tabulator_table_set', 'tabulator_table_rename', 'tabulator_table_delete',
    ...tools.filter((tool) => tool.toolset === 'admin' && !/_(list|get)$/.test(tool.name)).map((tool) => tool.name)
  ]
  for (const tool of tools) t.equal(tool.annotations.readOnlyHint, !writes.includes(tool.name), `${tool.name}: readOnlyHint`)
  t.match(tools.find((x) => x.name === 'package_delete')?.annotations, { destructiveHint: true })
  t.match(tools.find((x) => x.name === 'package_create')?.annotations, { destructiveHint: false })
  t.match(tools.find((x) => x.name === 'package_update')?.annotations, { destructiveHint: false })
  t.match(tools.find((x) => x.name === 'package_create_from_s3')?.annotations, { destructiveHint: false })
  // An upload may replace an object (overwrite: true), and an upload link always may.
  t.match(tools.find((x) => x.name === 'bucket_objects_put')?.annotations, { destructiveHint: true, idempotentHint: false })
  t.match(tools.find((x) => x.name === 'bucket_object_upload_link')?.annotations, { destructiveHint: true })
  t.match(tools.find((x) => x.name === 'bucket_object_fetch')?.annotations, { readOnlyHint: true, idempotentHint: true })
})

t.test('package names must be namespace/name, for every tool that takes one', async (t) => {
  for (const name of ['package_info', 'package_browse', 'package_delete']) {
    for (const bad of ['wellplates', 'a/b/c', '/a', 'a/', 'a b/c', '', '../x', 'a/..', 'a.b/c']) {
      t.notOk(accepts(name, { ...pkg, package_name: bad }), `${name} refuses "${bad}"`)
    }
    t.ok(accepts(name, pkg))
  }
  t.notOk(accepts('package_diff', { ...pkg, hash_a: 'latest', other_package_name: 'nope' }))
  t.notOk(accepts('package_create', { ...pkg, package_name: 'x', files: [file] }))
  t.notOk(accepts('catalog_url', { bucket: 'quilt-example', package_name: '../x' }), 'no ".." into catalog links')
})

t.test('hashes are accepted in upper case, as models often copy them', async (t) => {
  const parsed = schemaOf('package_info').safeParse({ ...pkg, hash: '997D6BA34FF1' })
  t.ok(parsed.success)
  t.equal((parsed.data as { hash: string }).hash, '997d6ba34ff1')
})

t.test('buckets accept a name or s3://name and refuse paths', async (t) => {
  t.match(schemaOf('packages_list').parse({ bucket: ' s3://quilt-example/ ' }), { bucket: 'quilt-example' })
  t.match(schemaOf('search_packages').parse({ query: 'x', buckets: ['s3://a-b', 'c-d'] }), { buckets: ['a-b', 'c-d'] })
  for (const bad of ['s3://a/b', 'http://x.com', 'A', '..']) t.notOk(accepts('packages_list', { bucket: bad }), bad)
})

t.test('defaults and limits', async (t) => {
  t.same(schemaOf('packages_list').parse({ bucket: 'quilt-example' }), { bucket: 'quilt-example', page: 1, per_page: 30, order: 'name' })
  t.notOk(accepts('packages_list', { bucket: 'quilt-example', per_page: 101 }), 'per_page at most 100')
  t.notOk(accepts('packages_list', { bucket: 'quilt-example', page: 0 }))
  t.notOk(accepts('packages_list', { bucket: 'quilt-example', order: 'size' }))
  t.same(schemaOf('search_packages').parse({ query: 'x' }), { query: 'x', limit: 10, latest_only: true })
  t.notOk(accepts('search_objects', { query: 'x', limit: 101 }), 'limit at most 100')
  // Issue 9: a cursor alone continues a search, so the query defaults to "" (everything).
  t.same(schemaOf('search_objects').parse({ cursor: 'c' }), { cursor: 'c', query: '', limit: 10 }, 'query is optional')
  t.match(schemaOf('package_info').parse(pkg), { hash: 'latest' })
  t.match(schemaOf('package_browse').parse(pkg), { path: '', hash: 'latest' })
  t.notOk(accepts('package_browse', { ...pkg, path: '../etc' }))
  t.match(schemaOf('package_diff').parse({ ...pkg, hash_a: 'abcdef12' }).hash_b, 'latest')
  t.notOk(accepts('package_diff', pkg), 'hash_a is required')
  t.notOk(accepts('package_info', { ...pkg, hash: 'v1.0' }), 'a hash is hex or "latest"')
})

t.test('package_delete without a hash means every revision, never "latest" by default', async (t) => {
  t.same(schemaOf('package_delete').parse(pkg), pkg)
})

t.test('files: s3 URIs, logical keys, sizes, uniqueness; metadata is an object', async (t) => {
  const push = (files: unknown, extra: Record<string, unknown> = {}) => accepts('package_create', { ...pkg, files, message: 'm', ...extra })
  t.ok(push([file, { logical_key: 'd/b.csv', s3_uri: 's3://other-bucket/k/b.csv?versionId=abc.123', size: 0 }]))
  t.notOk(push([]), 'at least one file')
  t.notOk(push([file, file]), 'duplicate logical keys')
  t.match(issues('package_create', { ...pkg, files: [file, file], message: 'm' }), [/each logical_key may appear only once/])
  for (const s3Uri of ['quilt-example/a.csv', 's3://quilt-example', 's3://quilt-example/', 'https://quilt-example.s3.amazonaws.com/a', 's3://q/a.csv', 's3://quilt-example/a.csv?foo=bar', 's3://quilt-example/a.csv?versionId=']) {
    t.notOk(push([{ ...file, s3_uri: s3Uri }]), `refuses s3_uri ${s3Uri}`)
  }
  for (const key of ['', 'dir/', '/abs.csv', '../up.csv']) t.notOk(push([{ ...file, logical_key: key }]), `refuses logical_key "${key}"`)
  const refusals: Array<[string, RegExp]> = [
    ['a\u0000.csv', /NUL or control characters/],
    ['a\n.csv', /NUL or control characters/],
    ['..\\up.csv', /never "\\"/],
    ['d\\a.csv', /never "\\"/],
    ['./a.csv', /"\." or "\.\." segments/],
    ['d/./a.csv', /"\." or "\.\." segments/],
    ['d/../a.csv', /"\." or "\.\." segments/],
    ['a//b.csv', /empty segments/],
    ['/a.csv', /no leading "\/"/]
  ]
  for (const [key, message] of refusals) t.match(issues('package_create', { ...pkg, files: [{ ...file, logical_key: key }] }), [message], `logical_key ${JSON.stringify(key)}`)
  for (const path of ['a//', 'd/.', '..\\etc', 'x\u0000']) t.notOk(accepts('package_browse', { ...pkg, path }), `browse path ${JSON.stringify(path)}`)
  for (const path of ['', 'data/', 'data', 'a.b/c..d.csv', '.hidden/x']) t.ok(accepts('package_browse', { ...pkg, path }), `browse path ${JSON.stringify(path)}`)
  t.notOk(push([{ ...file, size: -1 }]))
  t.notOk(push([{ ...file, size: 1.5 }]))
  t.notOk(push([file], { metadata: [1, 2] }), 'metadata must be an object')
  t.notOk(push([file], { metadata: 'x' }))
  t.ok(push([file], { metadata: { nested: { ok: [1, null] } }, message: 'm', workflow: 'wf' }))
  t.ok(accepts('package_update', { ...pkg, files: [file], message: 'm' }), 'update takes the same arguments')
})

// Issue 9: the registry (pkgpush) refuses an empty message, and "" is how a caller says "no workflow".
t.test('a commit message is required and not blank; workflow "" means none', async (t) => {
  const base = { ...pkg, files: [file] }
  for (const message of [undefined, '', '   \n']) {
    t.match(issues('package_create', { ...base, message }), [/^message: /], `refuses message ${JSON.stringify(message)}`)
    t.notOk(accepts('package_update', { ...base, message }))
  }
  t.match(issues('package_create', { ...base, message: ' ' }), ['message: a commit message is required'])
  t.same(schemaOf('package_create').parse({ ...base, message: ' m ', workflow: '' }).workflow, '', 'workflow "" is kept')
  t.equal(schemaOf('package_create').parse({ ...base, message: 'm' }).workflow, undefined, 'omitted stays omitted (the bucket default)')
})
