import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js'
import type { z } from 'zod'
import type { ToolContext } from './context.js'
import type { ToolOutput } from './result.js'

export interface ToolDefinition<S extends z.ZodObject = z.ZodObject> {
  /** snake_case verb phrase; the names are the contract with clients (DESIGN.md). */
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
  read (ctx: ToolContext): Promise<ToolOutput>
}
