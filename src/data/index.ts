import type { LocalConfig } from '../config/config.js'
import type { CostMeter } from '../telemetry/cost.js'
import { DataClients } from './data-access.js'

/** The data clients a gateway (or the stdio command) serves its callers with, from its configuration. */
export function dataClientsFor (config: LocalConfig, cost?: CostMeter): DataClients {
  return new DataClients({
    region: config.dataRegion,
    s3Endpoint: config.s3Endpoint,
    athenaEndpoint: config.athenaEndpoint,
    timeoutMs: config.graphqlTimeoutMs,
    athenaTimeoutMs: config.athenaTimeoutMs,
    cost
  })
}
