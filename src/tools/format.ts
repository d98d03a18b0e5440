/** Helpers that keep tool texts short: a few lines a model can read, never the whole payload. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB']

export function formatBytes (bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return 'unknown size'
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`
}

/** Revision hashes are 64 hex characters; 12 identify one in practice and keep lines readable. */
export const shortHash = (hash: string) => hash.slice(0, 12)

/** Up to `max` bullet lines, then one line counting the rest (`total` when the list is a page of more). */
export function bulletList<T> (items: readonly T[], max: number, line: (item: T) => string, total = items.length): string[] {
  const lines = items.slice(0, max).map((item) => `- ${line(item)}`)
  if (total > lines.length) lines.push(`- … and ${total - lines.length} more (see the structured result${total > items.length ? ' and further pages' : ''})`)
  return lines
}

/** A JSON value for a text line, cut to `max` characters. */
export function preview (value: unknown, max = 300): string {
  const json = JSON.stringify(value) ?? 'null'
  return json.length > max ? `${json.slice(0, max)}… (${json.length} characters; see the structured result)` : json
}

/** Caps a list carried in structuredContent, so one call never returns megabytes. */
export function capList<T> (items: readonly T[], max: number): { items: T[], truncated: boolean } {
  return { items: items.slice(0, max), truncated: items.length > max }
}
