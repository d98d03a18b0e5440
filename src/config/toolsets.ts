import { z } from 'zod'

/** Groups of tools an operator can offer (README "Tools"); `catalog` is always on. */
export const TOOLSETS = ['catalog', 'packages', 'search', 'objects', 'athena', 'tabulator', 'admin'] as const
export type Toolset = typeof TOOLSETS[number]
/** Every toolset but `admin`: admin tools are offered only where an operator opts in. */
export const DEFAULT_TOOLSETS: readonly Toolset[] = TOOLSETS.filter((name) => name !== 'admin')

const isToolset = (value: string): value is Toolset => (TOOLSETS as readonly string[]).includes(value)

/** MCP_TOOLSETS: a comma list of toolset names (unset or blank: the default); `catalog` is added when absent. */
export const toolsetList = z.string().optional().transform((raw, ctx): Toolset[] => {
  const items = (raw ?? '').split(',').map((item) => item.trim().toLowerCase()).filter((item) => item.length > 0)
  if (items.length === 0) return [...DEFAULT_TOOLSETS]
  const unknown = items.filter((item) => !isToolset(item))
  if (unknown.length > 0) {
    ctx.addIssue({ code: 'custom', message: `unknown toolset ${unknown.map((u) => `"${u}"`).join(', ')}; choose from ${TOOLSETS.join(', ')}` })
    return z.NEVER
  }
  return [...new Set<Toolset>(['catalog', ...items.filter(isToolset)])]
})
