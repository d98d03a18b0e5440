import { authResources, authTools } from './auth.js'
import { catalogUrlTools } from './catalog-url.js'
import type { ResourceDefinition, ToolDefinition } from './define.js'

/** Every tool the gateway offers, one line per group. */
export const tools: ToolDefinition[] = [
  ...authTools,
  ...catalogUrlTools
]

export const resources: ResourceDefinition[] = [
  ...authResources
]
