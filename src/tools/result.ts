import type { CallToolResult, ContentBlock } from '@modelcontextprotocol/sdk/types.js'
import { DataError } from '../data/errors.js'
import { redactSecrets } from '../telemetry/logger.js'
import { registryFailureDetails } from '../platform/failure-details.js'
import { RegistryError } from '../platform/registry-errors.js'
import { inSpan, type SpanDescription } from '../telemetry/spans.js'
import type { ToolContext } from './context.js'

/** What a tool hands back: a short text for humans/models plus the same data, structured. */
export interface ToolOutput {
  text: string
  data: Record<string, unknown>
  /** Content besides the text (an image, a blob), carried once: never repeated in `data`. */
  content?: ContentBlock[]
}

/** A problem with the caller's request that the tool detected itself; the message says how to fix it. */
export class ToolInputError extends Error {}

export function errorResult (text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] }
}

/** Runs a tool body (see runToolBody) inside an `execute_tool <name>` span, the GenAI convention's name. */
export function runTool (tool: string, ctx: ToolContext, body: () => Promise<ToolOutput>): Promise<CallToolResult> {
  const describe = (): SpanDescription => [`execute_tool ${tool}`, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': tool }]
  return inSpan(describe, () => runToolBody(tool, ctx, body), (result) => result.isError === true ? 'error' : 'ok')
}

/**
 * Runs a tool body and converts its outcome into a CallToolResult. Known failures become `isError`
 * results the model can act on; anything else is logged and reported generically, so an exception's
 * internals (URLs, stack, upstream bodies) never reach the client.
 */
async function runToolBody (tool: string, ctx: ToolContext, body: () => Promise<ToolOutput>): Promise<CallToolResult> {
  try {
    const output = await body()
    const notes = ctx.notes ?? []
    const text = notes.length === 0 ? output.text : [output.text, ...notes.map((note) => `Note: ${note}`)].join('\n')
    return { content: [{ type: 'text', text }, ...output.content ?? []], structuredContent: notes.length === 0 ? output.data : { ...output.data, notes } }
  } catch (err) {
    if (err instanceof ToolInputError) return errorResult(err.message)
    if (err instanceof RegistryError) {
      ctx.log[err.kind === 'cancelled' ? 'debug' : 'warn']({ tool, ...registryFailureDetails(err) }, 'registry call failed')
      return errorResult(err.message)
    }
    if (err instanceof DataError) {
      ctx.log[err.kind === 'cancelled' ? 'debug' : 'warn']({ tool, failure: err.kind, err: err.cause instanceof Error ? { type: err.cause.name, message: redactSecrets(err.cause.message).slice(0, 200) } : undefined }, 'data access failed')
      return errorResult(err.message)
    }
    ctx.log.error({ tool, err }, 'tool failed')
    return errorResult(`Internal error in the gateway while running ${tool}; it has been logged.`)
  }
}
