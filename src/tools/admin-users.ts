import { z } from 'zod'
import {
  adminUserAddRolesMutation, adminUserCreateMutation, adminUserDeleteMutation, adminUserQuery, adminUserRemoveRolesMutation,
  adminUserResetPasswordMutation, adminUserSetActiveMutation, adminUserSetAdminMutation, adminUserSetEmailMutation,
  adminUserSetRoleMutation, adminUsersQuery, userView
} from '../platform/operations/admin.js'
import type { Operation } from '../platform/operation.js'
import { unwrapArms } from '../platform/union-arms.js'
import type { ToolContext } from './context.js'
import { defineTool } from './define.js'
import { bulletList } from './format.js'
import { ToolInputError, type ToolOutput } from './result.js'

// Admin tools are listed and run only for catalog administrators (src/mcp/tool-catalog.ts), and only
// where the operator offers the `admin` toolset.

const userName = z.string().trim().min(1).max(150).describe('User name, e.g. "alice"')
const roleName = z.string().trim().min(1).max(255)
const roleList = z.array(roleName).min(1).max(50)
const MAX_LISTED = 500

const readOnly = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const
const change = (destructive: boolean, idempotent = true) => ({ readOnlyHint: false, destructiveHint: destructive, idempotentHint: idempotent, openWorldHint: false })

type Arm = { __typename: string }
type MutateAnswer = { admin: { user: { mutate: Record<string, Arm> | null } } }

/** Runs one change to one user and returns the outcome's text; "no such user" is the caller's mistake. */
async function mutateUser<V extends Record<string, unknown>> (ctx: ToolContext, op: Operation<V & { name: string }, MutateAnswer>, variables: V & { name: string }, action: string): Promise<ToolOutput> {
  const { mutate } = (await ctx.registry.execute(op, variables, ctx)).admin.user
  if (mutate === null) throw new ToolInputError(`There is no user named "${variables.name}". admin_users_list shows the users.`)
  const result = unwrapArms(op.name, `${action} for user ${variables.name}`, Object.values(mutate)[0] ?? { __typename: 'Ok' })
  if (result.__typename === 'User') {
    const user = userView(result as unknown as Parameters<typeof userView>[0])
    return { text: `Done: ${action} for ${user.name} (role ${user.role ?? 'none'}${user.extra_roles.length > 0 ? `, also ${user.extra_roles.join(', ')}` : ''}${user.is_admin ? ', admin' : ''}${user.is_active ? '' : ', inactive'}).`, data: { user } }
  }
  return { text: `Done: ${action} for ${variables.name}.`, data: { name: variables.name, done: action } }
}

export const adminUserTools = [
  defineTool({
    name: 'admin_users_list',
    title: 'List catalog users',
    description: 'Admin: lists every user of the catalog with their role, extra roles, and admin and active flags.',
    inputSchema: z.object({}),
    annotations: readOnly,
    async run (_args, ctx) {
      const users = (await ctx.registry.execute(adminUsersQuery, {}, ctx)).admin.user.list
      const shown = users.slice(0, MAX_LISTED)
      return {
        text: [`${users.length} user(s):`, ...bulletList(shown, 50, (u) => `${u.name} <${u.email}> ${u.role ?? '(no role)'}${u.is_admin ? ', admin' : ''}${u.is_active ? '' : ', inactive'}`)].join('\n'),
        data: { total: users.length, truncated: users.length > shown.length, users: shown }
      }
    }
  }),
  defineTool({
    name: 'admin_user_get',
    title: 'Show one catalog user',
    description: 'Admin: one user\'s details by name: email, roles, admin and active flags, last login.',
    inputSchema: z.object({ name: userName }),
    annotations: readOnly,
    async run ({ name }, ctx) {
      const user = (await ctx.registry.execute(adminUserQuery, { name }, ctx)).admin.user.get
      if (user === null) throw new ToolInputError(`There is no user named "${name}". admin_users_list shows the users.`)
      return { text: `${user.name} <${user.email}>, role ${user.role ?? 'none'}${user.is_admin ? ', admin' : ''}${user.is_active ? '' : ', inactive'}; last login ${user.last_login}.`, data: { user } }
    }
  }),
  defineTool({
    name: 'admin_user_create',
    title: 'Create a catalog user',
    description: 'Admin: creates a catalog user with a role (admin_roles_list); the registry emails an invitation.',
    inputSchema: z.object({
      name: userName,
      email: z.email().describe('Email address'),
      role: roleName.describe('Role name (admin_roles_list)'),
      extra_roles: roleList.optional().describe('Further roles the user may switch to')
    }),
    annotations: change(false, false),
    async run ({ name, email, role, extra_roles: extraRoles }, ctx) {
      const { create } = (await ctx.registry.execute(adminUserCreateMutation, { input: { name, email, role, ...(extraRoles === undefined ? {} : { extraRoles }) } }, ctx)).admin.user
      const user = userView(unwrapArms('AdminUserCreate', `create user ${name}`, create))
      return { text: `Created user ${user.name} <${user.email}> with role ${user.role ?? 'none'}.`, data: { user } }
    }
  }),
  defineTool({
    name: 'admin_user_delete',
    title: 'Delete a catalog user',
    description: 'Admin: deletes a catalog user by name. Cannot be undone; admin_user_set_active false only blocks sign-in.',
    inputSchema: z.object({ name: userName }),
    annotations: change(true),
    run: ({ name }, ctx) => mutateUser(ctx, adminUserDeleteMutation, { name }, 'delete the account')
  }),
  defineTool({
    name: 'admin_user_set_email',
    title: 'Change a user\'s email',
    description: 'Admin: changes a user\'s email address (where invitations and password resets go).',
    inputSchema: z.object({ name: userName, email: z.email().describe('New email address') }),
    annotations: change(true),
    run: ({ name, email }, ctx) => mutateUser(ctx, adminUserSetEmailMutation, { name, email }, `set the email to ${email}`)
  }),
  defineTool({
    name: 'admin_user_set_role',
    title: 'Set a user\'s role',
    description: 'Admin: sets a user\'s active role, and optionally the extra roles (replacing them).',
    inputSchema: z.object({ name: userName, role: roleName.describe('Role name'), extra_roles: roleList.optional().describe('Extra roles; omitted: none') }),
    annotations: change(true),
    run: ({ name, role, extra_roles: extraRoles }, ctx) => mutateUser(ctx, adminUserSetRoleMutation, { name, role, extraRoles: extraRoles ?? null, append: false }, `set the role to ${role}`)
  }),
  defineTool({
    name: 'admin_user_add_roles',
    title: 'Add roles to a user',
    description: 'Admin: adds extra roles a user may switch to, keeping their active role and other roles.',
    inputSchema: z.object({ name: userName, roles: roleList.describe('Role names to add') }),
    annotations: change(false),
    run: ({ name, roles }, ctx) => mutateUser(ctx, adminUserAddRolesMutation, { name, roles }, `add roles ${roles.join(', ')}`)
  }),
  defineTool({
    name: 'admin_user_remove_roles',
    title: 'Remove roles from a user',
    description: 'Admin: removes roles from a user; if the active role goes, another of theirs takes its place.',
    inputSchema: z.object({ name: userName, roles: roleList.describe('Role names to remove') }),
    annotations: change(true),
    run: ({ name, roles }, ctx) => mutateUser(ctx, adminUserRemoveRolesMutation, { name, roles, fallback: null }, `remove roles ${roles.join(', ')}`)
  }),
  defineTool({
    name: 'admin_user_set_admin',
    title: 'Grant or revoke admin',
    description: 'Admin: makes a user a catalog administrator (admin: true) or takes that away (admin: false).',
    inputSchema: z.object({ name: userName, admin: z.boolean().describe('true: administrator; false: not') }),
    annotations: change(true),
    run: ({ name, admin }, ctx) => mutateUser(ctx, adminUserSetAdminMutation, { name, admin }, admin ? 'grant admin' : 'revoke admin')
  }),
  defineTool({
    name: 'admin_user_set_active',
    title: 'Activate or deactivate a user',
    description: 'Admin: activates or deactivates a user; an inactive user cannot sign in, and nothing is deleted.',
    inputSchema: z.object({ name: userName, active: z.boolean().describe('true: may sign in; false: may not') }),
    annotations: change(true),
    run: ({ name, active }, ctx) => mutateUser(ctx, adminUserSetActiveMutation, { name, active }, active ? 'activate' : 'deactivate')
  }),
  defineTool({
    name: 'admin_user_reset_password',
    title: 'Reset a user\'s password',
    description: 'Admin: sends the user a password reset email; their current password stops working once reset.',
    inputSchema: z.object({ name: userName }),
    annotations: change(false, false),
    run: ({ name }, ctx) => mutateUser(ctx, adminUserResetPasswordMutation, { name }, 'send a password reset')
  })
]
