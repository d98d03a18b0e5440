/**
 * Where the Quilt catalog's assistant posts: `${registryUrl}/mcp/platform/mcp`, with the user's
 * catalog session token. The gateway answers there as well as at MCP_PATH.
 */
const CATALOG_MCP_PATH = '/mcp/platform/mcp'

/** Every path the MCP endpoint answers at: MCP_PATH first, then the catalog's. */
export function mcpPaths (mcpPath: string): string[] {
  return mcpPath === CATALOG_MCP_PATH ? [mcpPath] : [mcpPath, CATALOG_MCP_PATH]
}
