import { z } from 'zod'
import { defineEraOperation, defineOperation, type RegistryCapabilities } from '../operation.js'
import { ERROR_ARMS, InvalidInputArm, OperationErrorArm } from '../union-arms.js'

// The registry's `admin` queries and mutations (the same in every supported era, except the tabulator
// open-query setting, new in 2025-02-13). The registry refuses them to non-admins; the gateway does not
// even send them then (tools/admin-status.ts).

const ROLE_SELECTION = '__typename ... on UnmanagedRole { id name arn } ... on ManagedRole { id name arn }'

const Role = z.object({ __typename: z.string(), id: z.string(), name: z.string(), arn: z.string() })
  .transform(({ __typename, id, name, arn }) => ({ id, name, arn, managed: __typename === 'ManagedRole' }))

const USER_FIELDS = `name email dateJoined lastLogin isActive isAdmin isSsoOnly isService
      role { ${ROLE_SELECTION} } extraRoles { ${ROLE_SELECTION} }`

const UserFields = z.object({
  name: z.string(),
  email: z.string(),
  dateJoined: z.string(),
  lastLogin: z.string(),
  isActive: z.boolean(),
  isAdmin: z.boolean(),
  isSsoOnly: z.boolean(),
  isService: z.boolean(),
  role: Role.nullable(),
  extraRoles: z.array(Role)
})

/** A user as the tools show it (snake_case, role names only). */
export const userView = (u: z.output<typeof UserFields>) => ({
  name: u.name,
  email: u.email,
  role: u.role?.name ?? null,
  extra_roles: u.extraRoles.map((r) => r.name),
  is_admin: u.isAdmin,
  is_active: u.isActive,
  is_sso_only: u.isSsoOnly,
  is_service: u.isService,
  date_joined: u.dateJoined,
  last_login: u.lastLogin
})

const User = UserFields.transform(userView)

const UserResult = z.discriminatedUnion('__typename', [UserFields.extend({ __typename: z.literal('User') }), InvalidInputArm, OperationErrorArm])
const USER_RESULT = `{ __typename ... on User { ${USER_FIELDS} } ${ERROR_ARMS} }`
const OperationResult = z.discriminatedUnion('__typename', [z.object({ __typename: z.literal('Ok') }), InvalidInputArm, OperationErrorArm])
const OPERATION_RESULT = `{ __typename ${ERROR_ARMS} }`

export const adminUsersQuery = defineOperation()({
  name: 'AdminUsers',
  kind: 'query',
  document: `query AdminUsers {
  admin { user { list { ${USER_FIELDS} } } }
}`,
  result: z.object({ admin: z.object({ user: z.object({ list: z.array(User) }) }) })
})

export const adminUserQuery = defineOperation<{ name: string }>()({
  name: 'AdminUser',
  kind: 'query',
  document: `query AdminUser($name: String!) {
  admin { user { get(name: $name) { ${USER_FIELDS} } } }
}`,
  result: z.object({ admin: z.object({ user: z.object({ get: User.nullable() }) }) })
})

export const adminRolesQuery = defineOperation()({
  name: 'AdminRoles',
  kind: 'query',
  document: `query AdminRoles {
  roles { ${ROLE_SELECTION} }
  defaultRole { ${ROLE_SELECTION} }
}`,
  result: z.object({ roles: z.array(Role), defaultRole: Role.nullable() })
})

export const adminUserCreateMutation = defineOperation<{ input: { name: string, email: string, role: string, extraRoles?: string[] } }>()({
  name: 'AdminUserCreate',
  kind: 'mutation',
  document: `mutation AdminUserCreate($input: UserInput!) {
  admin { user { create(input: $input) ${USER_RESULT} } }
}`,
  result: z.object({ admin: z.object({ user: z.object({ create: UserResult }) }) })
})

/**
 * One change to one user: `admin.user.mutate(name)` is null when there is no such user. `field` is a
 * MutateUserAdminMutations field with its arguments; `returnsUser` says which result union it has.
 */
function userMutation<V extends Record<string, unknown>> (name: string, variables: string, field: string, returnsUser: boolean) {
  return defineOperation<V & { name: string }>()({
    name,
    kind: 'mutation',
    document: `mutation ${name}($name: String!${variables}) {
  admin { user { mutate(name: $name) { ${field} ${returnsUser ? USER_RESULT : OPERATION_RESULT} } } }
}`,
    result: z.object({ admin: z.object({ user: z.object({ mutate: z.record(z.string(), returnsUser ? UserResult : OperationResult).nullable() }) }) })
  })
}

export const adminUserDeleteMutation = userMutation<{ name: string }>('AdminUserDelete', '', 'delete', false)
export const adminUserSetEmailMutation = userMutation<{ email: string }>('AdminUserSetEmail', ', $email: String!', 'setEmail(email: $email)', true)
export const adminUserSetRoleMutation = userMutation<{ role: string, extraRoles: string[] | null, append: boolean }>('AdminUserSetRole', ', $role: String!, $extraRoles: [String!], $append: Boolean!', 'setRole(role: $role, extraRoles: $extraRoles, append: $append)', true)
export const adminUserAddRolesMutation = userMutation<{ roles: string[] }>('AdminUserAddRoles', ', $roles: [String!]!', 'addRoles(roles: $roles)', true)
export const adminUserRemoveRolesMutation = userMutation<{ roles: string[], fallback: string | null }>('AdminUserRemoveRoles', ', $roles: [String!]!, $fallback: String', 'removeRoles(roles: $roles, fallback: $fallback)', true)
export const adminUserSetAdminMutation = userMutation<{ admin: boolean }>('AdminUserSetAdmin', ', $admin: Boolean!', 'setAdmin(admin: $admin)', true)
export const adminUserSetActiveMutation = userMutation<{ active: boolean }>('AdminUserSetActive', ', $active: Boolean!', 'setActive(active: $active)', true)
export const adminUserResetPasswordMutation = userMutation<{ name: string }>('AdminUserResetPassword', '', 'resetPassword', false)

const SsoConfigFields = z.object({ text: z.string(), timestamp: z.string(), uploader: z.object({ name: z.string() }) })
export const ssoConfigView = (c: z.output<typeof SsoConfigFields>) => ({ text: c.text, timestamp: c.timestamp, uploader: c.uploader.name })
const SsoConfig = SsoConfigFields.transform(ssoConfigView)

export const adminSsoConfigQuery = defineOperation()({
  name: 'AdminSsoConfig',
  kind: 'query',
  document: `query AdminSsoConfig {
  admin { ssoConfig { text timestamp uploader { name } } }
}`,
  result: z.object({ admin: z.object({ ssoConfig: SsoConfig.nullable() }) })
})

export const adminSsoConfigSetMutation = defineOperation<{ config: string | null }>()({
  name: 'AdminSsoConfigSet',
  kind: 'mutation',
  document: `mutation AdminSsoConfigSet($config: String) {
  admin { setSsoConfig(config: $config) { __typename ... on SsoConfig { text timestamp uploader { name } } ${ERROR_ARMS} } }
}`,
  result: z.object({
    admin: z.object({
      setSsoConfig: z.discriminatedUnion('__typename', [SsoConfigFields.extend({ __typename: z.literal('SsoConfig') }), InvalidInputArm, OperationErrorArm]).nullable()
    })
  })
})

const hasOpenQuery = (c: RegistryCapabilities) => c.tabulatorOpenQuery

// Only where `tabulatorOpenQuery` exists (2025-02-13 on); the tools check `available` before sending.
export const adminTabulatorOpenQueryQuery = defineEraOperation()({
  name: 'AdminTabulatorOpenQuery',
  kind: 'query',
  available: hasOpenQuery,
  document: () => `query AdminTabulatorOpenQuery {
  admin { tabulatorOpenQuery }
}`,
  result: z.object({ admin: z.object({ tabulatorOpenQuery: z.boolean() }) })
})

export const adminTabulatorOpenQuerySetMutation = defineEraOperation<{ enabled: boolean }>()({
  name: 'AdminTabulatorOpenQuerySet',
  kind: 'mutation',
  available: hasOpenQuery,
  document: () => `mutation AdminTabulatorOpenQuerySet($enabled: Boolean!) {
  admin { setTabulatorOpenQuery(enabled: $enabled) { tabulatorOpenQuery } }
}`,
  result: z.object({ admin: z.object({ setTabulatorOpenQuery: z.object({ tabulatorOpenQuery: z.boolean() }) }) })
})
