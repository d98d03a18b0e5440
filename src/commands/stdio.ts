import type { Readable, Writable } from 'node:stream'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js'
import {
  isJSONRPCErrorResponse, isJSONRPCRequest, isJSONRPCResultResponse, type JSONRPCMessage, type MessageExtraInfo, type RequestId
} from '@modelcontextprotocol/sdk/types.js'
import { pino } from 'pino'
import { loadLocalConfig } from '../config/config.js'
import { dataClientsFor } from '../data/index.js'
import { loggerOptions } from '../telemetry/logger.js'
import { buildMcpServer } from '../mcp/build-server.js'
import { ToolCatalog } from '../mcp/tool-catalog.js'
import { resolveLocalCredentials } from '../local/credentials.js'
import { RegistryClients } from '../platform/registry-client.js'
import { tenantFromLocalCredentials } from '../local/local-tenant.js'
import { parseCommand } from './flags.js'
import type { CommandIo } from './program.js'
import { registerSecret } from '../telemetry/log-secrets.js'

export const STDIO_USAGE = `Usage: quilt-mcp-gateway stdio

Serves the gateway's tools to one local user over MCP stdio, for desktop MCP clients. No JWT: the
credentials are QUILT_CATALOG_TOKEN and QUILT_REGISTRY_URL (and optionally QUILT_CATALOG_URL) when
set, else the login saved by the quilt3 client ("quilt3 config <catalog>" then "quilt3 login"), which
is read and never written. stdout carries the protocol; logs go to stderr. MCP_GRAPHQL_TIMEOUT_MS,
MCP_GRAPHQL_MUTATION_TIMEOUT_MS, LOG_LEVEL and the data-access variables (AWS_REGION,
AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_ATHENA, MCP_ATHENA_TIMEOUT_MS) apply as for serve. Exits when
stdin ends.`

/**
 * The SDK's stdio transport, closed once stdin has ended and every request read before the end has
 * been answered. The SDK's own transport ignores the end of stdin; closing at once instead would drop
 * the answers a piped client (`echo '{...}' | quilt-mcp-gateway stdio`) is waiting for.
 */
class StdinBoundTransport implements Transport {
  readonly #stdin: Readable
  readonly #inner: StdioServerTransport
  readonly #pending = new Set<RequestId>()
  #ended = false
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void

  constructor (stdin: Readable, stdout: Writable) {
    this.#stdin = stdin
    this.#inner = new StdioServerTransport(stdin, stdout)
  }

  async start (): Promise<void> {
    this.#inner.onmessage = (message: JSONRPCMessage, extra?: MessageExtraInfo) => {
      if (isJSONRPCRequest(message)) this.#pending.add(message.id)
      this.onmessage?.(message, extra)
    }
    this.#inner.onerror = (error) => { this.onerror?.(error) }
    this.#inner.onclose = () => { this.onclose?.() }
    this.#stdin.once('end', () => {
      this.#ended = true
      this.#closeWhenIdle()
    })
    await this.#inner.start()
  }

  // Stdio has one stream and no resumption, so the send options have nothing to select.
  async send (message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    await this.#inner.send(message)
    if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id !== undefined) {
      this.#pending.delete(message.id)
      this.#closeWhenIdle()
    }
  }

  close (): Promise<void> {
    return this.#inner.close()
  }

  #closeWhenIdle (): void {
    // Closing pauses stdin; with nothing else pending the process then exits by itself, after stdout drains.
    if (this.#ended && this.#pending.size === 0) this.close().catch(() => {})
  }
}

export async function stdio (args: string[], { stdin, stdout, stderr, env }: CommandIo): Promise<void> {
  if (parseCommand(args, {}, STDIO_USAGE, stdout) === undefined) return
  const config = loadLocalConfig(env)
  // NotLoggedInError and LocalCredentialsError carry the remedy; the command line prints them as one line.
  // The home directory is the given environment's too (os.homedir() would read this process's).
  const credentials = await resolveLocalCredentials(env, env.HOME === undefined || env.HOME === '' ? {} : { home: env.HOME })
  const tenant = tenantFromLocalCredentials(credentials)
  // One user for the whole process: its token stays out of every log line.
  registerSecret(tenant.catalogToken)
  // stdout is the protocol channel: a single stray byte there breaks the client, so logs go to stderr.
  const log = pino(loggerOptions(config), stderr)
  log.info({
    registry: tenant.registryUrl,
    credentials: credentials.expiresAt === undefined ? 'QUILT_CATALOG_TOKEN' : 'quilt3 login',
    expiresAt: credentials.expiresAt === undefined ? undefined : new Date(tenant.expiresAt * 1000).toISOString()
  }, 'serving MCP over stdio')
  const data = dataClientsFor(config)
  const registries = new RegistryClients({
    timeoutMs: config.graphqlTimeoutMs,
    mutationTimeoutMs: config.graphqlMutationTimeoutMs,
    log,
    onTokenRefused: (refused) => { data.credentials.forget(refused) }
  })
  const server = buildMcpServer({ registries, data, log, tenant, catalog: new ToolCatalog(config.toolsets) })
  server.onclose = () => { log.info('stdin ended; stopping') }
  await server.connect(new StdinBoundTransport(stdin, stdout))
}
