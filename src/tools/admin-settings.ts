import { z } from 'zod'
import {
  adminRolesQuery, adminSsoConfigQuery, adminSsoConfigSetMutation, adminTabulatorOpenQueryQuery, adminTabulatorOpenQuerySetMutation, ssoConfigView
} from '../platform/operations/admin.js'
import { unwrapArms } from '../platform/union-arms.js'
import type { ToolContext } from './context.js'
import { defineTool } from './define.js'
import { bulletList } from './format.js'
import { ToolInputError } from './result.js'

const readOnly = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const
const overwrite = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false } as const

async function checkOpenQuery (ctx: ToolContext): Promise<void> {
  if (adminTabulatorOpenQueryQuery.available?.(await ctx.registry.capabilities()) === false) {
    throw new ToolInputError('This registry (older than 2025-02-13) has no tabulator open-query setting.')
  }
}

export const adminSettingTools = [
  defineTool({
    name: 'admin_roles_list',
    title: 'List roles',
    description: 'Admin: lists the catalog\'s roles (name, IAM role ARN, managed or not) and the default role for new users.',
    inputSchema: z.object({}),
    annotations: readOnly,
    async run (_args, ctx) {
      const { roles, defaultRole } = await ctx.registry.execute(adminRolesQuery, {}, ctx)
      return {
        text: [`${roles.length} role(s)${defaultRole === null ? '' : `; default ${defaultRole.name}`}:`, ...bulletList(roles, 100, (r) => `${r.name}${r.managed ? ' (managed)' : ''}`)].join('\n'),
        data: { roles, default_role: defaultRole?.name ?? null }
      }
    }
  }),
  defineTool({
    name: 'admin_sso_config_get',
    title: 'Show the SSO config',
    description: 'Admin: shows the catalog\'s SSO config (YAML that maps identity-provider users to roles), or says none is set.',
    inputSchema: z.object({}),
    annotations: readOnly,
    async run (_args, ctx) {
      const config = (await ctx.registry.execute(adminSsoConfigQuery, {}, ctx)).admin.ssoConfig
      return config === null
        ? { text: 'No SSO config is set.', data: { config: null } }
        : { text: `SSO config (uploaded ${config.timestamp} by ${config.uploader}):\n${config.text}`, data: { config } }
    }
  }),
  defineTool({
    name: 'admin_sso_config_set',
    title: 'Replace the SSO config',
    description: 'Admin: replaces the SSO config (YAML); an empty config removes it. The registry validates it.',
    inputSchema: z.object({ config: z.string().max(65_536).describe('The SSO config YAML; "" removes the config') }),
    annotations: overwrite,
    async run ({ config }, ctx) {
      const value = config.trim() === '' ? null : config
      const result = (await ctx.registry.execute(adminSsoConfigSetMutation, { config: value }, ctx)).admin.setSsoConfig
      if (result === null) return { text: 'The SSO config is removed.', data: { config: null } }
      const saved = ssoConfigView(unwrapArms('AdminSsoConfigSet', 'set the SSO config', result))
      return { text: `The SSO config is set (${saved.timestamp}).`, data: { config: saved } }
    }
  }),
  defineTool({
    name: 'admin_tabulator_open_query_get',
    title: 'Is tabulator open query on',
    description: 'Admin: whether tabulator tables may be queried from any Athena client, not only through the catalog (open query).',
    inputSchema: z.object({}),
    annotations: readOnly,
    async run (_args, ctx) {
      await checkOpenQuery(ctx)
      const enabled = (await ctx.registry.execute(adminTabulatorOpenQueryQuery, {}, ctx)).admin.tabulatorOpenQuery
      return { text: `Tabulator open query is ${enabled ? 'on' : 'off'}.`, data: { enabled } }
    }
  }),
  defineTool({
    name: 'admin_tabulator_open_query_set',
    title: 'Turn tabulator open query on or off',
    description: 'Admin: turns tabulator open query on or off (whether any Athena client, not only the catalog, may query tabulator tables).',
    inputSchema: z.object({ enabled: z.boolean().describe('true: on; false: off') }),
    annotations: overwrite,
    async run ({ enabled }, ctx) {
      await checkOpenQuery(ctx)
      const now = (await ctx.registry.execute(adminTabulatorOpenQuerySetMutation, { enabled }, ctx)).admin.setTabulatorOpenQuery.tabulatorOpenQuery
      return { text: `Tabulator open query is now ${now ? 'on' : 'off'}.`, data: { enabled: now } }
    }
  })
]
