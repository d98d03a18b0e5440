import { athenaReferenceResource } from './athena-reference.js'
import { authResources } from './auth.js'
import { bucketResources } from './buckets.js'
import type { ResourceDefinition } from './define.js'
import type { ToolOutput } from './result.js'
import { searchSyntaxResource } from './search-syntax.js'

/**
 * The most a resource read answers: the catalog's assistant autoloads resources of at most 16 KB
 * (AUTOLOAD_MAX_BYTES in its Connectors.ts) and silently skips larger ones, so a larger view is cut to
 * fit, saying that the get_resource tool has the rest.
 */
export const AUTOLOAD_MAX_BYTES = 16 * 1024

export const resources: ResourceDefinition[] = [
  ...authResources,
  ...bucketResources,
  searchSyntaxResource,
  athenaReferenceResource
]

const byUri = new Map(resources.map((resource) => [resource.uri, resource]))

export const findResource = (uri: string): ResourceDefinition | undefined => byUri.get(uri)

export const mimeTypeOf = (resource: ResourceDefinition) => resource.mimeType ?? 'application/json'

const bytes = (text: string) => Buffer.byteLength(text)

const cutNote = (uri: string) => `Cut to fit the 16 KB a host loads on its own; call the get_resource tool with uri "${uri}" for the whole resource.`

/** A view's data as JSON within `cap`: its longest list is shortened (whole items only) and a note says so. */
function fitJson (uri: string, data: Record<string, unknown>, cap: number): string {
  const whole = JSON.stringify(data)
  if (bytes(whole) <= cap) return whole
  const [key, list] = Object.entries(data)
    .filter((entry): entry is [string, unknown[]] => Array.isArray(entry[1]))
    .sort((a, b) => b[1].length - a[1].length)[0] ?? []
  const shown = (n: number) => JSON.stringify({ ...data, ...(key === undefined ? {} : { [key]: list!.slice(0, n) }), truncated: true, note: cutNote(uri) })
  let low = 0
  let high = list?.length ?? 0
  // The most items that fit: binary search, since each item's size differs.
  while (low < high) {
    const middle = Math.ceil((low + high) / 2)
    if (bytes(shown(middle)) <= cap) low = middle
    else high = middle - 1
  }
  return shown(low)
}

/** A reference text within `cap`: whole lines, then the note. */
function fitText (uri: string, text: string, cap: number): string {
  if (bytes(text) <= cap) return text
  const note = `\n\n[${cutNote(uri)}]`
  const lines = text.split('\n')
  let kept = ''
  for (const line of lines) {
    if (bytes(kept) + bytes(line) + 1 + bytes(note) > cap) break
    kept += `${line}\n`
  }
  return `${kept}${note}`
}

/**
 * A resource's content as text: a view's structured result as JSON, or a reference text as is; cut to
 * `cap` bytes when one is given (resources/read), whole otherwise (get_resource).
 */
export function resourceText (resource: ResourceDefinition, output: ToolOutput, cap?: number): string {
  if (resource.mimeType === undefined) return cap === undefined ? JSON.stringify(output.data) : fitJson(resource.uri, output.data, cap)
  return cap === undefined ? output.text : fitText(resource.uri, output.text, cap)
}
