import type { FastifyBaseLogger } from 'fastify'
import type { DataAccess } from '../data/data-access.js'
import type { RegistryClient } from '../platform/registry-client.js'
import type { Tenant } from '../platform/tenant.js'

/** Everything a tool may use. Tools never see the HTTP request, the reply, or the caller's JWT. */
export interface ToolContext {
  tenant: Tenant
  registry: RegistryClient
  /** The caller's S3 and Athena, with their own role's temporary credentials. */
  data: DataAccess
  log: FastifyBaseLogger
  /** Aborted when the client disconnects. Registry calls take the whole context (signal and notes). */
  signal: AbortSignal
  /**
   * Sentences the tool result must carry besides its own text, e.g. the registry's errors when a
   * partial answer was used. One array per tool call.
   */
  notes?: string[]
}
