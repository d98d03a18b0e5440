import { DEFAULT_TOOLSETS } from '../../src/config/toolsets.js'
import { capabilitiesOf } from '../helpers/eras.js'
import { forEachEra } from './harness.js'
import { call, dataOf, sdkGateway, textOf } from './sdk-gateway.js'

const withAdmin = [...DEFAULT_TOOLSETS, 'admin' as const]

interface User { name: string, email: string, role: string | null, extra_roles: string[], is_admin: boolean, is_active: boolean }

forEachEra((t, era) => {
  t.test('an admin manages users through every admin user tool', async (t) => {
    const g = await sdkGateway(t, { era, toolsets: withAdmin })
    const ok = async (name: string, args: Record<string, unknown> = {}) => {
      const result = await call(g.bob, name, args)
      t.notOk(result.isError, `${name}: ${textOf(result)}`)
      return result
    }
    t.same(dataOf<{ users: User[] }>(await ok('admin_users_list')).users.map((u) => u.name), ['bob', 'carol', 'dave'])
    const roles = dataOf<{ roles: Array<{ name: string }>, default_role: string }>(await ok('admin_roles_list'))
    t.same(roles.roles.map((r) => r.name), ['GlobexAdmin', 'ReadOnly'])
    t.equal(roles.default_role, 'ReadOnly')

    t.match(dataOf(await ok('admin_user_create', { name: 'erin', email: 'erin@globex.example', role: 'ReadOnly' })), { user: { name: 'erin', role: 'ReadOnly', is_active: true } })
    t.match(dataOf(await ok('admin_user_get', { name: 'erin' })), { user: { email: 'erin@globex.example' } })
    t.match(dataOf(await ok('admin_user_set_email', { name: 'erin', email: 'erin@example.org' })), { user: { email: 'erin@example.org' } })
    t.match(dataOf(await ok('admin_user_set_role', { name: 'erin', role: 'GlobexAdmin', extra_roles: ['ReadOnly'] })), { user: { role: 'GlobexAdmin', extra_roles: ['ReadOnly'] } })
    t.match(dataOf(await ok('admin_user_remove_roles', { name: 'erin', roles: ['ReadOnly'] })), { user: { extra_roles: [] } })
    t.match(dataOf(await ok('admin_user_add_roles', { name: 'erin', roles: ['ReadOnly'] })), { user: { extra_roles: ['ReadOnly'] } })
    t.match(dataOf(await ok('admin_user_set_admin', { name: 'erin', admin: true })), { user: { is_admin: true } })
    t.match(dataOf(await ok('admin_user_set_active', { name: 'erin', active: false })), { user: { is_active: false } })
    t.match(textOf(await ok('admin_user_reset_password', { name: 'erin' })), /Done: send a password reset for erin/)
    t.match(textOf(await ok('admin_user_delete', { name: 'erin' })), /Done: delete the account for erin/)
    t.notOk(g.tenants['second-tenant-token']!.admin!.users.some((u) => u.name === 'erin'), 'the registry no longer has her')
    t.notOk(g.tenants['demo-catalog-token']!.admin?.users.some((u) => u.name === 'erin') ?? false, 'and another catalog never did')
  })

  t.test('SSO config and tabulator open query', async (t) => {
    const g = await sdkGateway(t, { era, toolsets: withAdmin })
    t.match(textOf(await call(g.bob, 'admin_sso_config_get')), /No SSO config is set/)
    const config = 'version: "1.0"\nmappings:\n- schema:\n    type: object\n  role: ReadOnly\n'
    const set = await call(g.bob, 'admin_sso_config_set', { config })
    t.notOk(set.isError, textOf(set))
    t.match(dataOf(await call(g.bob, 'admin_sso_config_get')), { config: { text: config, uploader: 'bob' } })
    const bad = await call(g.bob, 'admin_sso_config_set', { config: 'mappings: [unclosed' })
    t.ok(bad.isError)
    t.match(textOf(bad), /The registry rejected the input of AdminSsoConfigSet: config: invalid YAML/)
    t.match(textOf(await call(g.bob, 'admin_sso_config_set', { config: '' })), /removed/)

    const openQuery = await call(g.bob, 'admin_tabulator_open_query_set', { enabled: true })
    if (capabilitiesOf(era).tabulatorOpenQuery) {
      t.notOk(openQuery.isError, textOf(openQuery))
      t.same(dataOf(await call(g.bob, 'admin_tabulator_open_query_get')), { enabled: true })
    } else {
      t.ok(openQuery.isError)
      t.match(textOf(openQuery), /older than 2025-02-13\) has no tabulator open-query setting/)
      t.notOk(g.registry.requests.some((r) => r.operationName?.startsWith('AdminTabulatorOpenQuery')), 'nothing sent')
    }
  })

  t.test('bad inputs: an unknown user or role, missing arguments', async (t) => {
    const g = await sdkGateway(t, { era, toolsets: withAdmin })
    t.match(textOf(await call(g.bob, 'admin_user_get', { name: 'nobody' })), /There is no user named "nobody"/)
    t.match(textOf(await call(g.bob, 'admin_user_delete', { name: 'nobody' })), /There is no user named "nobody"/)
    t.match(textOf(await call(g.bob, 'admin_user_create', { name: 'zed', email: 'zed@globex.example', role: 'Wizard' })), /rejected the input of AdminUserCreate: input\.role: no role named Wizard/)
    t.match(textOf(await call(g.bob, 'admin_user_create', { name: 'carol', email: 'c@globex.example', role: 'ReadOnly' })), /input\.name: a user named carol exists/)
    t.match(textOf(await call(g.bob, 'admin_user_set_role', { name: 'carol' })), /Invalid arguments for tool admin_user_set_role: role/)
    t.match(textOf(await call(g.bob, 'admin_user_create', { name: 'zed', email: 'not-an-email', role: 'ReadOnly' })), /Invalid arguments for tool admin_user_create: email/)
  })
})
