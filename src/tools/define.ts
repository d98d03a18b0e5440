import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import type { ToolContext } from './context.js'
import type { ToolOutput } from './result.js'

export interface ToolDefinition<S extends z.ZodObject = z.ZodObject> {
  /** snake_case verb phrase; the names are the contract with clients (README "Tools"). */
  name: string
  title: string
  /** Written for the model that chooses tools: when to use it, what it returns. */
  description: string
  inputSchema: S
  annotations: ToolAnnotations
  // Method syntax keeps definitions with different argument types assignable to one list.
  run (args: z.output<S>, ctx: ToolContext): Promise<ToolOutput>
}

export function defineTool<S extends z.ZodObject> (tool: ToolDefinition<S>): ToolDefinition<S> {
  return tool
}

/** An argument-free, read-only view offered both as a tool and as an MCP resource. */
export interface ResourceDefinition {
  name: string
  uri: string
  title: string
  description: string
  /** Absent: the view's structured result as application/json. Set: the view's text, of this type. */
  mimeType?: string
  read (ctx: ToolContext): Promise<ToolOutput>
}

/**
 * An argument-free, read-only view served both ways: as a tool (what models call) and as a resource
 * (what hosts attach as context), from one body and one description.
 */
export function defineView (view: {
  name: string
  uri: string
  /** The same resource under other URIs (e.g. the ones the catalog's assistant reads), each with its own name. */
  aliases?: Array<{ name: string, uri: string }>
  title: string
  description: string
  read (ctx: ToolContext): Promise<ToolOutput>
}): { tool: ToolDefinition, resource: ResourceDefinition, resources: ResourceDefinition[] } {
  const resource = { name: view.name, uri: view.uri, title: view.title, description: `${view.description} (Also the ${view.name} tool.)`, read: view.read }
  return {
    tool: defineTool({
      name: view.name,
      title: view.title,
      description: view.description,
      inputSchema: z.object({}),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      run: (_args, ctx) => view.read(ctx)
    }),
    resource,
    resources: [resource, ...(view.aliases ?? []).map((alias) => ({ ...resource, ...alias }))]
  }
}
