import type { Toolset } from '../config/toolsets.js'
import { adminSettingTools } from './admin-settings.js'
import { adminUserTools } from './admin-users.js'
import { athenaDiscoveryTools } from './athena-discovery.js'
import { athenaTools } from './athena.js'
import { authTools } from './auth.js'
import { browseTools } from './browse.js'
import { bucketTools } from './buckets.js'
import { catalogUrlTools } from './catalog-url.js'
import type { ToolDefinition } from './define.js'
import { diffTools } from './diff.js'
import { getResourceTool } from './get-resource.js'
import { mutationTools } from './mutations.js'
import { fetchTools } from './object-fetch.js'
import { objectTools } from './objects.js'
import { packageFileTools } from './package-files.js'
import { packageFromS3Tools } from './package-from-s3.js'
import { packageTools } from './packages.js'
import { promoteTools } from './promote.js'
import { searchTools } from './search.js'
import { tabulatorTools } from './tabulator.js'
import { uploadTools } from './uploads.js'

export { resources } from './resources.js'

/** A tool and the toolset (MCP_TOOLSETS) that offers it. */
export type OfferedTool = ToolDefinition & { toolset: Toolset }

/** Every tool the gateway offers, by toolset (README "Tools"). */
const toolsets: Record<Toolset, ToolDefinition[]> = {
  catalog: [...authTools, ...bucketTools, ...catalogUrlTools, getResourceTool],
  packages: [...packageTools, ...browseTools, ...diffTools, ...mutationTools, ...packageFromS3Tools, ...promoteTools, ...packageFileTools],
  search: searchTools,
  objects: [...objectTools, ...fetchTools, ...uploadTools],
  athena: [...athenaTools, ...athenaDiscoveryTools],
  tabulator: tabulatorTools,
  admin: [...adminUserTools, ...adminSettingTools]
}

export const tools: OfferedTool[] = Object.entries(toolsets).flatMap(([toolset, list]) => list.map((tool) => ({ ...tool, toolset: toolset as Toolset })))
