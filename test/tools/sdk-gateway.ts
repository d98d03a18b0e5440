import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { Test } from 'tap'
import type { Toolset } from '../../src/config/toolsets.js'
import { SampleCredentials } from '../../packages/sample-stack/src/credentials.js'
import { demoTenants, type TenantData } from '../../packages/sample-stack/src/data.js'
import type { SampleAthena } from '../../packages/sample-stack/src/sample-athena.js'
import type { SampleRegistry } from '../../packages/sample-stack/src/server.js'
import { startGateway } from '../helpers/app.js'
import type { Era } from '../helpers/eras.js'
import { ACME_TOKEN, GLOBEX_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'
import { connectClient } from '../helpers/mcp-client.js'
import { startSampleAws } from '../helpers/sample-aws.js'
import { signToken } from '../helpers/tokens.js'

export interface SdkGateway {
  registry: SampleRegistry
  athena: SampleAthena
  tenants: Record<string, TenantData>
  /** alice: acme's user, not an admin. */
  alice: Client
  /** bob: globex's user, an admin of his catalog. */
  bob: Client
  /** Registry requests by operation name since the gateway started (capability learning excluded). */
  operations: () => string[]
}

/**
 * The whole gateway (JWT, MCP over HTTP) in front of a sample registry of `era` and the sample S3 and
 * Athena, with the MCP SDK client for each of the two demo users, as a host calls tools.
 */
export async function sdkGateway (t: Test, options: { era?: Era, toolsets?: Toolset[] } = {}): Promise<SdkGateway> {
  const tenants = demoTenants()
  const credentials = new SampleCredentials()
  const registry = await startFakeRegistry(t, { tenants, credentials, ...(options.era === undefined ? {} : { era: options.era }) })
  const { s3, athena } = await startSampleAws(t, tenants, [credentials])
  const { url } = await startGateway(t, { s3Endpoint: s3.url, athenaEndpoint: athena.url, ...(options.toolsets === undefined ? {} : { toolsets: options.toolsets }) })
  const client = (sub: string, token: string) => connectClient(t, url, signToken({ sub, catalog_token: token, registry_url: registry.url }))
  return {
    registry,
    athena,
    tenants,
    alice: await client('alice', ACME_TOKEN),
    bob: await client('bob', GLOBEX_TOKEN),
    operations: () => registry.requests.map((r) => r.operationName ?? '').filter((name) => name !== 'GatewayCapabilities')
  }
}

/** A tools/call through the SDK client, typed as the tool result it is. */
export async function call (client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return await client.callTool({ name, arguments: args }) as CallToolResult
}

export const textOf = (result: CallToolResult): string => {
  const first = result.content[0]
  return first?.type === 'text' ? first.text : ''
}

export const dataOf = <T = Record<string, unknown>>(result: CallToolResult): T => result.structuredContent as T
