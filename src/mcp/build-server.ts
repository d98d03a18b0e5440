import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js'
import {
  CallToolRequestSchema, ErrorCode, ListResourcesRequestSchema, ListResourceTemplatesRequestSchema, ListToolsRequestSchema, McpError,
  ReadResourceRequestSchema, type CallToolResult
} from '@modelcontextprotocol/sdk/types.js'
import type { FastifyBaseLogger } from 'fastify'
import { z } from 'zod'
import type { DataClients } from '../data/data-access.js'
import type { RegistryClients } from '../platform/registry-client.js'
import type { Tenant } from '../platform/tenant.js'
import type { ToolContext } from '../tools/context.js'
import { sharedAdminStatus } from '../tools/admin-status.js'
import { AUTOLOAD_MAX_BYTES, findResource, mimeTypeOf, resources, resourceText } from '../tools/resources.js'
import { errorResult, runTool } from '../tools/result.js'
import { VERSION } from '../config/version.js'
import { writeAuditLine, type AuditOutcome } from './audit.js'
import { ToolCatalog, type Caller } from './tool-catalog.js'

export interface McpDeps {
  registries: RegistryClients
  /** S3 and Athena clients and credentials, per tenant. */
  data: DataClients
  log: FastifyBaseLogger
  /** Called after each tool call, for metrics. */
  observeTool?: (tool: string, outcome: 'ok' | 'error') => void
  /**
   * Waits for the tenant's turn to run a tool call or resource read (the work that reaches registries)
   * and resolves with the function that ends it; rejects (an error the SDK answers with) when refused.
   */
  admitCall?: (tenant: Tenant, signal: AbortSignal) => Promise<() => void>
  /**
   * The tenant of every request that carries no AuthInfo. stdio: one local user for the whole
   * connection. The HTTP route never sets it, so an unauthenticated HTTP request still fails loudly.
   */
  tenant?: Tenant
  /** Where each tool call's audit line goes (src/mcp/audit.ts); stdio, a single local user, has none. */
  audit?: { log: FastifyBaseLogger, requestId?: string, clientTraceId?: string }
  /** The tools offered (MCP_TOOLSETS), built once per process; the default toolsets when absent. */
  catalog?: ToolCatalog
}

const INSTRUCTIONS = 'Tools for one Quilt data catalog: buckets, versioned packages (browse, diff, create, update, delete) and search. ' +
  'Bucket arguments accept "name" or "s3://name"; package names are "namespace/name". Call auth_status first when a call reports a permission problem.'

// Everything below up to buildMcpServer depends on no request, so it is computed once per process.

const defaultCatalog = new ToolCatalog()

const resourceList = resources.map((resource) => ({ name: resource.name, uri: resource.uri, title: resource.title, description: resource.description, mimeType: mimeTypeOf(resource) }))

// The SDK builds a fresh Ajv instance per server unless given one; Ajv only compiles elicitation
// schemas (which the gateway never sends) and its cache holds no request data, so one is shared.
const sharedSchemaValidator = new AjvJsonSchemaValidator()

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

function tenantOf (authInfo: AuthInfo | undefined, connectionTenant: Tenant | undefined): Tenant {
  const tenant = authInfo?.extra?.tenant ?? connectionTenant
  // Unreachable through the HTTP route, which authenticates first; fail loudly rather than serve anonymously.
  if (typeof tenant !== 'object' || tenant === null || !('catalogToken' in tenant)) throw new Error('MCP request without an authenticated tenant')
  return tenant as Tenant
}

function describeIssues (error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'arguments'}: ${issue.message}`).join('; ')
}

/**
 * One SDK Server per HTTP request: the SDK forbids sharing a server or transport between requests
 * (cross-client response leaks were fixed in 1.26 by enforcing this), so nothing here outlives the
 * request (stdio serves its single connection with one). The low-level Server (rather than McpServer)
 * serves the precomputed lists above instead of re-deriving JSON Schemas from zod on every tools/list.
 */
export function buildMcpServer (deps: McpDeps): Server {
  const server = new Server(
    { name: 'quilt-mcp-gateway', version: VERSION },
    { capabilities: { tools: { listChanged: false }, resources: { listChanged: false } }, instructions: INSTRUCTIONS, jsonSchemaValidator: sharedSchemaValidator }
  )
  const contextFor = (extra: { authInfo?: AuthInfo, signal: AbortSignal }): ToolContext => {
    const tenant = tenantOf(extra.authInfo, deps.tenant)
    return { tenant, registry: deps.registries.for(tenant), data: deps.data.for(tenant, extra.signal), log: deps.log, signal: extra.signal, notes: [] }
  }
  /** Runs a tool call or resource read within the tenant's share of concurrent calls. */
  const admitted = async <T>(ctx: ToolContext, run: () => Promise<T>): Promise<T> => {
    const release = await deps.admitCall?.(ctx.tenant, ctx.signal)
    try {
      return await run()
    } finally {
      release?.()
    }
  }

  const catalog = deps.catalog ?? defaultCatalog
  /** What this caller may see: their admin status is asked (cached per user) only where admin tools are offered. */
  const callerOf = async (extra: { authInfo?: AuthInfo, signal: AbortSignal }): Promise<Caller> => {
    const readOnly = tenantOf(extra.authInfo, deps.tenant).readOnly === true
    if (!catalog.offersAdmin) return { admin: false, readOnly }
    const ctx = contextFor(extra)
    return { admin: await sharedAdminStatus.isAdmin(ctx), readOnly }
  }

  server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => catalog.list(await callerOf(extra)))

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const started = performance.now()
    const { name } = request.params
    const found = catalog.lookup(name, await callerOf(extra))
    if ('refusal' in found) return errorResult(found.refusal)
    const { tool } = found
    const args = tool.inputSchema.safeParse(request.params.arguments ?? {})
    let result: CallToolResult
    if (!args.success) {
      result = errorResult(`Invalid arguments for tool ${name}: ${describeIssues(args.error)}`)
    } else {
      const ctx = contextFor(extra)
      result = await admitted(ctx, () => runTool(name, ctx, () => tool.run(args.data, ctx)))
    }
    deps.observeTool?.(name, result.isError === true ? 'error' : 'ok')
    if (deps.audit !== undefined) {
      const outcome: AuditOutcome = !args.success ? 'invalid_arguments' : result.isError === true ? 'error' : 'ok'
      const tenant = extra.authInfo?.extra?.tenant as Tenant | undefined ?? deps.tenant
      writeAuditLine(deps.audit.log, { tool: name, tenant, arguments: args.success ? args.data : request.params.arguments, outcome, durationMs: performance.now() - started, clientTraceId: deps.audit.clientTraceId, requestId: deps.audit.requestId })
    }
    return result
  })

  server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: resourceList }))
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates: [] }))

  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const resource = findResource(request.params.uri)
    if (resource === undefined) throw new McpError(ErrorCode.InvalidParams, `Unknown resource ${request.params.uri}`)
    const ctx = contextFor(extra)
    const result = await admitted(ctx, () => runTool(resource.name, ctx, () => resource.read(ctx)))
    const first = result.content[0]
    // Resources have no isError result; the failure becomes a JSON-RPC error with the same explanation.
    if (result.isError === true) throw new McpError(ErrorCode.InternalError, first?.type === 'text' ? first.text : 'resource failed')
    const output = { text: first?.type === 'text' ? first.text : '', data: result.structuredContent ?? {} }
    return { contents: [{ uri: resource.uri, mimeType: mimeTypeOf(resource), text: resourceText(resource, output, AUTOLOAD_MAX_BYTES) }] }
  })

  return server
}
