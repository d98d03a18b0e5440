import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { pino } from 'pino'
import t, { type Test } from 'tap'
import { DataClients } from '../../src/data/data-access.js'
import { CapabilityCache } from '../../src/platform/capabilities.js'
import { createRegistryClient } from '../../src/platform/registry-client.js'
import { tenantFromClaims, type Tenant } from '../../src/platform/tenant.js'
import type { SampleRegistry, SampleRegistryOptions } from '../../packages/sample-stack/src/server.js'
import type { ToolContext } from '../../src/tools/context.js'
import { resources, tools } from '../../src/tools/index.js'
import { runTool } from '../../src/tools/result.js'
import { ERAS, type Era } from '../helpers/eras.js'
import { ACME_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'
import { LogSink } from '../helpers/log-sink.js'

export interface HarnessOptions extends Omit<SampleRegistryOptions, 'port' | 'host'> {
  /** Point the tools somewhere other than the sample registry (e.g. a closed port). */
  registryUrl?: string
  catalogToken?: string
  timeoutMs?: number
  mutationTimeoutMs?: number
  /** S3 and Athena endpoints for the data tools; unset, a loopback address where nothing listens (never AWS). */
  s3Endpoint?: string
  athenaEndpoint?: string
  athenaTimeoutMs?: number
  /** The clock the data clients age credentials by. */
  now?: () => number
}

export interface Harness {
  registry: SampleRegistry
  logs: LogSink
  /** The data clients every context shares, as one gateway process shares them between callers. */
  data: DataClients
  context: (catalogToken?: string, signal?: AbortSignal) => ToolContext
  /** A tool call as the MCP layer makes it: arguments through the tool's inputSchema, body through runTool. */
  call: (name: string, args?: Record<string, unknown>, catalogToken?: string) => Promise<CallToolResult>
  read: (uri: string) => Promise<CallToolResult>
}

export function tenantFor (registryUrl: string, catalogToken: string): Tenant {
  const tenant = tenantFromClaims({ catalog_token: catalogToken, registry_url: registryUrl, exp: Math.floor(Date.now() / 1000) + 3600 }, ['127.0.0.1:*'])
  if (typeof tenant === 'string') throw new Error(`test tenant refused: ${tenant}`)
  return tenant
}

/** Port 9 (discard) on loopback: nothing listens, so an unconfigured data tool fails fast and locally. */
const NOWHERE = 'http://127.0.0.1:9'

/**
 * Tools against the sample registry over real HTTP, without the gateway's HTTP layer: a ToolContext
 * built as the MCP route builds it, with the log captured.
 */
export async function toolHarness (t: Test, options: HarnessOptions = {}): Promise<Harness> {
  const {
    registryUrl, catalogToken = ACME_TOKEN, timeoutMs = 5000, mutationTimeoutMs = 10_000,
    s3Endpoint = NOWHERE, athenaEndpoint = NOWHERE, athenaTimeoutMs = 10_000, now, ...registryOptions
  } = options
  const registry = await startFakeRegistry(t, registryOptions)
  const logs = new LogSink()
  const log = pino({ level: 'trace' }, logs)
  const data = new DataClients({ region: 'us-east-1', s3Endpoint, athenaEndpoint, timeoutMs, athenaTimeoutMs, now })
  t.teardown(() => { data.close() })
  // Its own capability cache: a later registry on a reused port must not inherit another era's.
  const capabilities = new CapabilityCache()
  const context = (token = catalogToken, signal = new AbortController().signal): ToolContext => {
    const tenant = tenantFor(registryUrl ?? registry.url, token)
    return { tenant, registry: createRegistryClient(tenant, { timeoutMs, mutationTimeoutMs, capabilities }), data: data.for(tenant, signal), log, signal, notes: [] }
  }
  // Learnt up front (once per registry, as in the gateway), so a test sees only its tools' own calls.
  // A registry that fails this (a fault test) is asked again by the first tool call.
  await context().registry.capabilities().catch(() => {})
  registry.requests.length = 0
  return {
    registry,
    logs,
    data,
    context,
    async call (name, args = {}, token) {
      const tool = tools.find((candidate) => candidate.name === name)
      if (tool === undefined) throw new Error(`no tool ${name}`)
      const parsed = tool.inputSchema.parse(args)
      const ctx = context(token)
      return runTool(name, ctx, () => tool.run(parsed, ctx))
    },
    async read (uri) {
      const resource = resources.find((candidate) => candidate.uri === uri)
      if (resource === undefined) throw new Error(`no resource ${uri}`)
      const ctx = context()
      return runTool(resource.name, ctx, () => resource.read(ctx))
    }
  }
}

/**
 * The tests `body` defines, once per supported registry era: each against sample registries of that
 * era, which validate every request against the era's own schema.
 */
export function forEachEra (body: (t: Test, era: Era) => void): void {
  for (const era of ERAS) {
    t.test(`registry schema ${era}`, async (t) => { body(t, era) })
  }
}

/** The text of a tool result (the first content block). */
export function textOf (result: CallToolResult): string {
  const first = result.content[0]
  return first?.type === 'text' ? first.text : ''
}

/** structuredContent, typed loosely for assertions. */
export function dataOf<T = Record<string, unknown>> (result: CallToolResult): T {
  return result.structuredContent as T
}

/**
 * Every `revision(hashOrTag)` argument the registry received. The registry takes only "latest" or a
 * full hash, so a hash prefix a tool was given must have been resolved by the gateway first.
 */
export function revisionRefsSent (h: Harness): string[] {
  return h.registry.requests.map((r) => r.variables?.hashOrTag).filter((ref) => ref !== undefined).map(String)
}

export const isLatestOrFullHash = (ref: string) => ref === 'latest' || /^[0-9a-f]{64}$/.test(ref)
