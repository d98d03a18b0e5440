import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { FastifyBaseLogger } from 'fastify'
import type { RegistryClients } from '../platform/registry-client.js'
import type { Tenant } from '../platform/tenant.js'
import type { ToolContext } from '../tools/context.js'
import { resources, tools } from '../tools/index.js'
import { runTool } from '../tools/result.js'
import { VERSION } from '../version.js'

export interface McpDeps {
  registries: RegistryClients
  log: FastifyBaseLogger
  /** Called after each tool call, for metrics. */
  observeTool?: (tool: string, outcome: 'ok' | 'error') => void
}

const INSTRUCTIONS = 'Tools for one Quilt data catalog: buckets, versioned packages (browse, diff, create, update, delete) and search. ' +
  'Bucket arguments accept "name" or "s3://name"; package names are "namespace/name". Call auth_status first when a call reports a permission problem.'

/** The tenant travels in the SDK's per-request AuthInfo; the HTTP layer puts it there after verifying the JWT. */
export function authInfoFor (tenant: Tenant): AuthInfo {
  return {
    token: tenant.key,
    clientId: tenant.sub ?? tenant.key,
    scopes: tenant.permissions ?? [],
    expiresAt: tenant.expiresAt,
    extra: { tenant }
  }
}

function tenantOf (authInfo: AuthInfo | undefined): Tenant {
  const tenant = authInfo?.extra?.tenant
  // Unreachable through the HTTP route, which authenticates first; fail loudly rather than serve anonymously.
  if (typeof tenant !== 'object' || tenant === null || !('catalogToken' in tenant)) throw new Error('MCP request without an authenticated tenant')
  return tenant as Tenant
}

/**
 * One McpServer per HTTP request: the SDK forbids sharing a server or transport between requests
 * (cross-client response leaks were fixed in 1.26 by enforcing this), so nothing here outlives the request.
 */
export function buildMcpServer (deps: McpDeps): McpServer {
  const server = new McpServer(
    { name: 'quilt-mcp-gateway', version: VERSION },
    { capabilities: { tools: {}, resources: {} }, instructions: INSTRUCTIONS }
  )
  const contextFor = (extra: { authInfo?: AuthInfo, signal: AbortSignal }): ToolContext => {
    const tenant = tenantOf(extra.authInfo)
    return { tenant, registry: deps.registries.for(tenant), log: deps.log, signal: extra.signal }
  }
  for (const tool of tools) {
    server.registerTool(tool.name, {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.inputSchema,
      annotations: { title: tool.title, ...tool.annotations }
    }, async (args, extra) => {
      const ctx = contextFor(extra)
      const result = await runTool(tool.name, ctx, () => tool.run(args, ctx))
      deps.observeTool?.(tool.name, result.isError === true ? 'error' : 'ok')
      return result
    })
  }
  for (const resource of resources) {
    server.registerResource(resource.name, resource.uri, {
      title: resource.title, description: resource.description, mimeType: 'application/json'
    }, async (uri, extra) => {
      const ctx = contextFor(extra)
      const result = await runTool(resource.name, ctx, () => resource.read(ctx))
      const first = result.content[0]
      if (result.isError === true) throw new Error(first?.type === 'text' ? first.text : 'resource failed')
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(result.structuredContent) }] }
    })
  }
  return server
}
