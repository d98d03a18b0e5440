import { z } from 'zod'
import { defineTool } from './define.js'
import { findResource, mimeTypeOf, resources, resourceText } from './resources.js'
import { ToolInputError } from './result.js'

const known = () => resources.map((resource) => resource.uri).join(', ')

/**
 * The MCP resources as a tool, for hosts whose models cannot read resources themselves: the catalog's
 * assistant tells its model to "fetch the rest with get_resource" (what it did not autoload).
 */
export const getResourceTool = defineTool({
  name: 'get_resource',
  title: 'Read a reference resource',
  description: 'Without uri: lists the reference resources (who you are, buckets, search syntax, Athena SQL guide). With uri: returns that resource whole.',
  inputSchema: z.object({
    uri: z.string().trim().min(1).max(200).optional().describe('Resource URI from the list, e.g. "quilt-platform://athena"; omit to list them')
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  async run ({ uri }, ctx) {
    if (uri === undefined) {
      const list = resources.map((resource) => ({ uri: resource.uri, name: resource.name, title: resource.title, description: resource.description, mime_type: mimeTypeOf(resource) }))
      return {
        text: [`${list.length} resources; call get_resource with one uri to read it:`, ...list.map((r) => `- ${r.uri}: ${r.title}`)].join('\n'),
        data: { resources: list }
      }
    }
    const resource = findResource(uri)
    if (resource === undefined) throw new ToolInputError(`Unknown resource "${uri}". Known resources: ${known()}.`)
    const text = resourceText(resource, await resource.read(ctx))
    return { text, data: { uri, mime_type: mimeTypeOf(resource), bytes: Buffer.byteLength(text) } }
  }
})
