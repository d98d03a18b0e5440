import { GraphQLError } from 'graphql'
import { parse as parseYaml } from 'yaml'
import type { TenantData } from './data.js'
import type { AdminData, AdminUserData } from './records.js'
import { invalidInput } from './resolver-kit.js'

const JOINED = '2024-01-15T09:00:00.000Z'

/** A stack's users and roles as its admins see them: the tenant's own user and two colleagues. */
function seedAdmin (tenant: TenantData): AdminData {
  const { me } = tenant
  const domain = me.email.split('@')[1] ?? 'example.com'
  const roles = [...new Set([...me.roles.map((r) => r.name), me.role.name, 'ReadOnly'])]
  const user = (name: string, role: string, isAdmin: boolean): AdminUserData =>
    ({ name, email: `${name}@${domain}`, role, extraRoles: [], isAdmin, isActive: true, dateJoined: JOINED, lastLogin: '2026-11-30T10:00:00.000Z' })
  return {
    users: [
      { ...user(me.name, me.role.name, me.isAdmin), extraRoles: me.roles.map((r) => r.name).filter((name) => name !== me.role.name) },
      user('carol', 'ReadOnly', false),
      user('dave', me.role.name, true)
    ],
    roles: roles.map((name) => ({ name, managed: name !== 'ReadOnly' })),
    defaultRole: 'ReadOnly',
    ssoConfig: null,
    tabulatorOpenQuery: false
  }
}

const adminDataOf = (tenant: TenantData): AdminData => (tenant.admin ??= seedAdmin(tenant))

// The registry's @admin directive: a non-admin's query of these fields fails with an error.
function requireAdmin (tenant: TenantData): void {
  if (!tenant.me.isAdmin) throw new GraphQLError('Forbidden: this operation requires an admin')
}

const roleView = (data: AdminData, name: string | null) => {
  const role = data.roles.find((r) => r.name === name)
  if (role === undefined) return null
  return { __typename: role.managed ? 'ManagedRole' : 'UnmanagedRole', id: `role-${role.name}`, name: role.name, arn: `arn:aws:iam::000000000000:role/${role.name}`, policies: [], permissions: [] }
}

const userView = (data: AdminData, u: AdminUserData) => ({
  __typename: 'User',
  ...u,
  isSsoOnly: false,
  isService: false,
  isRoleAssignmentDisabled: false,
  isAdminAssignmentDisabled: false,
  role: roleView(data, u.role),
  extraRoles: u.extraRoles.map((name) => roleView(data, name)).filter((r) => r !== null)
})

const ok = { __typename: 'Ok', _: null }

/** The roles named that do not exist, as the registry's InvalidInput; undefined when all exist. */
function unknownRoles (data: AdminData, names: string[], path: string) {
  const unknown = names.filter((name) => !data.roles.some((r) => r.name === name))
  return unknown.length === 0 ? undefined : invalidInput([{ path, name: 'RoleDoesNotExist', message: `no role named ${unknown.join(', ')}` }])
}

function userMutations (data: AdminData, user: AdminUserData) {
  const done = () => userView(data, user)
  return {
    delete: () => {
      data.users.splice(data.users.indexOf(user), 1)
      return ok
    },
    setEmail: ({ email }: { email: string }) => {
      if (data.users.some((u) => u !== user && u.email === email)) return invalidInput([{ path: 'email', name: 'EmailExists', message: `${email} is taken` }])
      user.email = email
      return done()
    },
    setRole: ({ role, extraRoles, append }: { role: string, extraRoles?: string[] | null, append: boolean }) => {
      const refused = unknownRoles(data, [role, ...(extraRoles ?? [])], 'role')
      if (refused !== undefined) return refused
      user.role = role
      user.extraRoles = append ? [...new Set([...user.extraRoles, ...(extraRoles ?? [])])] : extraRoles ?? []
      return done()
    },
    addRoles: ({ roles }: { roles: string[] }) => {
      const refused = unknownRoles(data, roles, 'roles')
      if (refused !== undefined) return refused
      user.extraRoles = [...new Set([...user.extraRoles, ...roles])]
      return done()
    },
    removeRoles: ({ roles, fallback }: { roles: string[], fallback?: string | null }) => {
      user.extraRoles = user.extraRoles.filter((name) => !roles.includes(name))
      if (user.role !== null && roles.includes(user.role)) user.role = fallback ?? user.extraRoles[0] ?? null
      return done()
    },
    setAdmin: ({ admin }: { admin: boolean }) => {
      user.isAdmin = admin
      return done()
    },
    setActive: ({ active }: { active: boolean }) => {
      user.isActive = active
      return done()
    },
    resetPassword: () => ok
  }
}

/**
 * The `admin` field of Query and Mutation (graphql-js resolves both from one root value, so the one
 * object carries both types' fields) and the admin-only root queries `roles` and `defaultRole`.
 * `tabulator` holds the tabulator mutations, which older eras have only here.
 */
export function adminFields (tenant: TenantData, tabulator: object) {
  const view = () => {
    const data = adminDataOf(tenant)
    const find = (name: string) => data.users.find((u) => u.name === name)
    return {
      ...tabulator,
      user: {
        list: () => data.users.map((u) => userView(data, u)),
        get: ({ name }: { name: string }) => {
          const user = find(name)
          return user === undefined ? null : userView(data, user)
        },
        create: ({ input }: { input: { name: string, email: string, role: string, extraRoles?: string[] | null } }) => {
          if (find(input.name) !== undefined) return invalidInput([{ path: 'input.name', name: 'UsernameExists', message: `a user named ${input.name} exists` }])
          const refused = unknownRoles(data, [input.role, ...(input.extraRoles ?? [])], 'input.role')
          if (refused !== undefined) return refused
          const user: AdminUserData = { name: input.name, email: input.email, role: input.role, extraRoles: input.extraRoles ?? [], isAdmin: false, isActive: true, dateJoined: new Date().toISOString(), lastLogin: new Date().toISOString() }
          data.users.push(user)
          return userView(data, user)
        },
        mutate: ({ name }: { name: string }) => {
          const user = find(name)
          return user === undefined ? null : userMutations(data, user)
        }
      },
      ssoConfig: () => data.ssoConfig === null ? null : { ...data.ssoConfig, uploader: userView(data, find(data.ssoConfig.uploader) ?? data.users[0]!) },
      setSsoConfig: ({ config }: { config?: string | null }) => {
        if (config === null || config === undefined) {
          data.ssoConfig = null
          return null
        }
        try {
          parseYaml(config)
        } catch (err) {
          return invalidInput([{ path: 'config', name: 'ValidationError', message: `invalid YAML: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}` }])
        }
        data.ssoConfig = { text: config, timestamp: new Date().toISOString(), uploader: tenant.me.name }
        return { __typename: 'SsoConfig', ...data.ssoConfig, uploader: userView(data, find(tenant.me.name) ?? data.users[0]!) }
      },
      isDefaultRoleSettingDisabled: false,
      tabulatorOpenQuery: () => data.tabulatorOpenQuery,
      setTabulatorOpenQuery: ({ enabled }: { enabled: boolean }) => {
        data.tabulatorOpenQuery = enabled
        return { tabulatorOpenQuery: enabled }
      }
    }
  }
  return {
    admin: () => {
      requireAdmin(tenant)
      return view()
    },
    roles: () => {
      requireAdmin(tenant)
      const data = adminDataOf(tenant)
      return data.roles.map((r) => roleView(data, r.name))
    },
    defaultRole: () => {
      requireAdmin(tenant)
      const data = adminDataOf(tenant)
      return roleView(data, data.defaultRole)
    }
  }
}
