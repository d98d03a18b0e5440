import { bucketListQuery } from '../platform/operations/buckets.js'
import type { ToolContext } from './context.js'
import { defineView } from './define.js'
import { bulletList } from './format.js'
import type { ToolOutput } from './result.js'

async function bucketList (ctx: ToolContext): Promise<ToolOutput> {
  const [listed, { roleScopedBuckets }] = await Promise.all([ctx.registry.execute(bucketListQuery, {}, ctx), ctx.registry.capabilities()])
  const buckets = [...listed.buckets]
    .sort((a, b) => b.relevanceScore - a.relevanceScore || a.name.localeCompare(b.name))
    .map((b) => ({ name: b.name, title: b.title, description: b.description, tags: b.tags ?? [], browsable: b.browsable, last_indexed: b.lastIndexed }))
  const text = buckets.length === 0
    ? 'No buckets are visible to you in this catalog (an empty list, not an error). Your role may have no bucket access; auth_status shows the active role.'
    : [`${buckets.length} bucket(s) in this catalog${roleScopedBuckets ? ' readable by your active role' : ' (this registry predates role-scoped bucket lists: an administrator sees every bucket of the stack, including ones the active role cannot read)'}:`, ...bulletList(buckets, 30, (b) => `${b.name}${b.title !== '' && b.title !== b.name ? ` (${b.title})` : ''}`)].join('\n')
  return { text, data: { total: buckets.length, role_scoped: roleScopedBuckets, buckets } }
}

const bucketView = defineView({
  name: 'bucket_list',
  uri: 'quilt://buckets',
  // The URI the Quilt catalog's assistant reads on its own.
  aliases: [{ name: 'buckets', uri: 'quilt-platform://buckets' }],
  title: 'List buckets',
  description: 'Lists the S3 buckets of this Quilt catalog that the caller can see: name, title, description, tags. Use it to find which bucket to pass to packages_list, search_packages or package_browse. Takes no arguments.',
  read: bucketList
})

export const bucketTools = [bucketView.tool]
export const bucketResources = bucketView.resources
