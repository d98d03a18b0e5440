import { meQuery } from '../platform/operations/me.js'
import { NO_KNOWN_EXPIRY } from '../platform/tenant.js'
import type { ToolContext } from './context.js'
import { defineView } from './define.js'
import type { ToolOutput } from './result.js'

async function authStatus (ctx: ToolContext): Promise<ToolOutput> {
  const { me } = await ctx.registry.execute(meQuery, {}, ctx)
  const { tenant } = ctx
  // Local credentials (stdio with QUILT_CATALOG_TOKEN) may carry no expiry; say so instead of a date in 9999.
  const expiresAt = tenant.expiresAt === NO_KNOWN_EXPIRY ? null : new Date(tenant.expiresAt * 1000).toISOString()
  const token = { sub: tenant.sub ?? null, expires_at: expiresAt, catalog_url: tenant.catalogUrl ?? null, registry_url: tenant.registryUrl }
  if (me === null) {
    return {
      text: 'The catalog accepted the request but reports no signed-in user (anonymous access). Sign in to the catalog for your own permissions.',
      data: { authenticated: false, user: null, token }
    }
  }
  const roles = me.roles.map((role) => role.name)
  return {
    text: `Signed in to the Quilt catalog as ${me.name} <${me.email}>, active role "${me.role.name}"${roles.length > 1 ? ` (available: ${roles.join(', ')})` : ''}${me.isAdmin ? ', administrator' : ''}. ${expiresAt === null ? 'Token expiry unknown.' : `Token valid until ${expiresAt}.`}`,
    data: { authenticated: true, user: { name: me.name, email: me.email, is_admin: me.isAdmin, role: me.role.name, roles }, token }
  }
}

const authView = defineView({
  name: 'auth_status',
  uri: 'quilt://auth/status',
  // The URI the Quilt catalog's assistant reads on its own.
  aliases: [{ name: 'me', uri: 'quilt-platform://me' }],
  title: 'Who am I',
  description: 'Checks that the catalog credentials work and tells who the caller is in the Quilt catalog: user name, email, active role and available roles, admin flag, and when the token expires. Use it first when other tools report permission problems.',
  read: authStatus
})

export const authTools = [authView.tool]
export const authResources = authView.resources
