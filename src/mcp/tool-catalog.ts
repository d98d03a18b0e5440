import type { ListToolsResult, Tool } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import { DEFAULT_TOOLSETS, type Toolset } from '../config/toolsets.js'
import { tools as allTools, type OfferedTool } from '../tools/index.js'
import { serializeOnce } from './messages.js'

/** What decides which tools a caller sees. */
export interface Caller {
  /** The registry says the caller is a catalog administrator (`me.isAdmin`). */
  admin: boolean
  /** A read-only grant: only tools annotated `readOnlyHint` are offered. */
  readOnly?: boolean
}

/** The one rule for what a caller may see and call; tools/list and tools/call both apply it. */
function offered (tool: OfferedTool, caller: Caller): boolean {
  if (tool.toolset === 'admin' && !caller.admin) return false
  return caller.readOnly !== true || tool.annotations.readOnlyHint === true
}

const toolEntry = (tool: OfferedTool): Tool => ({
  name: tool.name,
  title: tool.title,
  description: tool.description,
  inputSchema: z.toJSONSchema(tool.inputSchema, { io: 'input' }) as Tool['inputSchema'],
  annotations: { title: tool.title, ...tool.annotations }
})

export type Lookup = { tool: OfferedTool } | { refusal: string }

/**
 * The tools an operator offers (MCP_TOOLSETS), and per kind of caller the tools/list answer. There are
 * only a few kinds (admin or not, read-only or not), so each answer is built and serialized once, JSON
 * Schemas included, and every later tools/list returns the same object and text.
 */
export class ToolCatalog {
  readonly #tools: OfferedTool[]
  readonly #byName: Map<string, OfferedTool>
  readonly #lists = new Map<string, ListToolsResult>()
  readonly #entries = new Map<string, Tool>()
  /** Whether admin tools are offered at all; when not, nobody's admin status needs asking. */
  readonly offersAdmin: boolean

  constructor (toolsets: readonly Toolset[] = DEFAULT_TOOLSETS, tools: readonly OfferedTool[] = allTools) {
    const enabled = new Set<Toolset>(['catalog', ...toolsets])
    this.#tools = tools.filter((tool) => enabled.has(tool.toolset))
    this.#byName = new Map(this.#tools.map((tool) => [tool.name, tool]))
    this.offersAdmin = enabled.has('admin')
  }

  list (caller: Caller): ListToolsResult {
    const key = `${caller.admin}:${caller.readOnly === true}`
    let list = this.#lists.get(key)
    if (list === undefined) {
      list = serializeOnce({ tools: this.#tools.filter((tool) => offered(tool, caller)).map((tool) => this.#entry(tool)) })
      this.#lists.set(key, list)
    }
    return list
  }

  /** The tool to run, or why this caller may not: the sentence is the tool error, and nothing is sent. */
  lookup (name: string, caller: Caller): Lookup {
    const tool = this.#byName.get(name)
    if (tool === undefined) return { refusal: `Unknown tool "${name}". Call tools/list for the available tools.` }
    if (tool.toolset === 'admin' && !caller.admin) {
      return { refusal: `${name} is for catalog administrators, and the registry does not list you as one (auth_status shows your account). Nothing was sent to the registry.` }
    }
    if (!offered(tool, caller)) return { refusal: `${name} changes data, and this sign-in allows reading only (scope quilt:read). Nothing was sent to the registry; sign in again with "Allow changes" ticked to use it.` }
    return { tool }
  }

  #entry (tool: OfferedTool): Tool {
    let entry = this.#entries.get(tool.name)
    if (entry === undefined) {
      entry = toolEntry(tool)
      this.#entries.set(tool.name, entry)
    }
    return entry
  }
}
