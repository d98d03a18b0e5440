import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { Test } from 'tap'
import { DEFAULT_BODY_LIMIT_BYTES } from '../../src/config/config.js'
import { SampleCredentials } from '../../packages/sample-stack/src/credentials.js'
import { demoTenants } from '../../packages/sample-stack/src/data.js'
import { startSampleS3, type SampleS3, type SampleS3Options } from '../../packages/sample-stack/src/sample-s3.js'
import type { SampleRegistry } from '../../packages/sample-stack/src/server.js'
import { startGateway } from '../helpers/app.js'
import { ACME_TOKEN, GLOBEX_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'
import type { LogSink } from '../helpers/log-sink.js'
import { connectClient } from '../helpers/mcp-client.js'
import { signToken } from '../helpers/tokens.js'

export interface DataGateway {
  /** alice (acme: quilt-example, cellpainting-data in eu-west-1, acme-archive) and bob (globex), over MCP. */
  call: (who: 'alice' | 'bob', name: string, args?: Record<string, unknown>) => Promise<CallToolResult>
  clients: { alice: Client, bob: Client }
  s3: SampleS3
  registry: SampleRegistry
  logs: LogSink
}

/**
 * The whole gateway (JWT, MCP over HTTP through the SDK client, the default body limit) in front of
 * the sample registry and the sample S3, for two users.
 */
export async function dataGateway (t: Test, s3Options: Partial<SampleS3Options> = {}): Promise<DataGateway> {
  const tenants = demoTenants()
  const credentials = new SampleCredentials()
  const registry = await startFakeRegistry(t, { tenants, credentials })
  const s3 = await startSampleS3({ tenants, credentials: [credentials], ...s3Options })
  t.teardown(() => s3.close())
  const { url, logs } = await startGateway(t, { s3Endpoint: s3.url, bodyLimitBytes: DEFAULT_BODY_LIMIT_BYTES })
  const clients = {
    alice: await connectClient(t, url, signToken({ sub: 'alice', catalog_token: ACME_TOKEN, registry_url: registry.url })),
    bob: await connectClient(t, url, signToken({ sub: 'bob', catalog_token: GLOBEX_TOKEN, registry_url: registry.url }))
  }
  return {
    clients,
    s3,
    registry,
    logs,
    call: async (who, name, args = {}) => await clients[who].callTool({ name, arguments: args }) as CallToolResult
  }
}

export const textOf = (result: CallToolResult): string => result.content[0]?.type === 'text' ? result.content[0].text : ''
export const dataOf = <T = Record<string, unknown>>(result: CallToolResult): T => result.structuredContent as T
