import { z } from 'zod'
import { DEFAULT_TEXT_BYTES, MAX_INFLATED_BYTES, MAX_TEXT_BYTES, MAX_TEXT_OFFSET, readObjectText, type ObjectText } from '../data/object-text.js'
import { headObject, listObjects, MAX_LINK_SECONDS, presignGet } from '../data/s3.js'
import { formatS3Uri, type S3Location } from '../data/s3-location.js'
import { formatTable } from '../data/text.js'
import { bucketArg, s3UriArg } from './arguments.js'
import { defineTool } from './define.js'
import { bulletList, formatBytes } from './format.js'
import type { ToolOutput } from './result.js'

const MAX_LIST_LIMIT = 1000

export const textArgs = {
  max_bytes: z.int().min(1).max(MAX_TEXT_BYTES).default(DEFAULT_TEXT_BYTES)
    .describe(`Most bytes of text to return (default ${DEFAULT_TEXT_BYTES}, at most ${MAX_TEXT_BYTES}); call again with next_offset for more`),
  offset: z.int().min(0).max(MAX_TEXT_OFFSET).default(0)
    .describe(`Where to start, in bytes; 0 = the beginning. For gzip it counts decompressed bytes and must be below ${MAX_INFLATED_BYTES} (64 MiB): the gateway decompresses no more of a compressed object`)
}

export const linkArgs = {
  expires_in: z.int().min(1).max(MAX_LINK_SECONDS).default(900).describe(`Seconds the link stays valid, 1 to ${MAX_LINK_SECONDS} (default 900)`)
}

/** The answer of a text read, shared by bucket_object_text and package_file_text. */
export function textOutput (what: string, location: S3Location, result: ObjectText, extra: Record<string, unknown> = {}): ToolOutput {
  const base = { ...extra, s3_uri: formatS3Uri(location) }
  if (result.kind === 'binary') {
    return {
      text: `${what} is binary (${result.content_type ?? 'unknown type'}, ${formatBytes(result.size)}), so its content is not shown. Download link (valid until ${result.link.expires_at}): ${result.link.url}`,
      data: { ...base, kind: 'binary', size: result.size, content_type: result.content_type, link: result.link.url, link_expires_at: result.link.expires_at }
    }
  }
  const end = result.offset + result.length
  const range = `bytes ${result.offset}-${end}${result.gzip ? ' (decompressed)' : ''} of ${formatBytes(result.size)}${result.gzip ? ' compressed' : ''}`
  const more = result.inflation_ceiling !== null
    ? `The gateway decompresses at most the first ${result.inflation_ceiling} bytes (${result.inflation_ceiling / 1024 / 1024} MiB) of a compressed object, so this stops there; for the rest, download it with a link (bucket_object_link, package_file_link).`
    : result.next_offset === null ? 'End of file.' : `More follows: call again with offset ${result.next_offset}.`
  const table = result.table === null ? [] : [`Table preview (${result.table.columns.length} columns: ${result.table.columns.join(', ')}):`, ...formatTable(result.table), '']
  return {
    text: [`${what}, ${range}. ${more}`, ...table, result.text].join('\n'),
    data: { ...base, ...result }
  }
}

export function linkOutput (what: string, location: S3Location, link: Awaited<ReturnType<typeof presignGet>>, extra: Record<string, unknown> = {}): ToolOutput {
  return {
    text: `Download link for ${what} (${formatBytes(link.info.size)}), valid ${link.expires_in} s until ${link.expires_at}; anyone holding it can read this object until then:\n${link.url}`,
    data: { ...extra, s3_uri: formatS3Uri(location), url: link.url, expires_in: link.expires_in, expires_at: link.expires_at, size: link.info.size, content_type: link.info.content_type }
  }
}

export const objectTools = [
  defineTool({
    name: 'bucket_objects_list',
    title: 'List objects in a bucket',
    description: `Lists one level of an S3 bucket under a prefix, with your own role's access: sub-folders first (common prefixes ending in "/"), then objects with size and time. At most limit entries per call (up to ${MAX_LIST_LIMIT}); pass the returned cursor to get the next page. To read a file use bucket_object_text; to search across buckets use search_objects.`,
    inputSchema: z.object({
      bucket: bucketArg,
      prefix: z.string().max(1024).default('').describe('Folder to list, e.g. "data/raw/" (end it with "/" for a folder); empty for the top level'),
      limit: z.int().min(1).max(MAX_LIST_LIMIT).default(100).describe(`Entries per page, 1 to ${MAX_LIST_LIMIT}`),
      cursor: z.string().min(1).max(2048).optional().describe('The cursor from the previous page, to continue')
    }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    async run ({ bucket, prefix, limit, cursor }, ctx) {
      const listing = await listObjects(ctx.data, { bucket, prefix, limit, cursor })
      const where = `s3://${bucket}/${prefix}`
      const count = listing.folders.length + listing.objects.length
      const lines = count === 0
        ? [`Nothing under ${where} (an empty result, not an error).`]
        : [
            `${where}: ${listing.folders.length} folder(s), ${listing.objects.length} object(s)${listing.cursor === null ? '' : '; more on the next page (pass cursor)'}:`,
            ...bulletList(listing.folders, 50, (f) => f),
            ...bulletList(listing.objects, 50, (o) => `${o.key} (${formatBytes(o.size)}${o.modified === null ? '' : `, ${o.modified}`})`)
          ]
      return { text: lines.join('\n'), data: { bucket, prefix, ...listing } }
    }
  }),

  defineTool({
    name: 'bucket_object_info',
    title: 'Object details',
    description: 'Shows one S3 object\'s size, content type and encoding, last-modified time, ETag, version id, storage class and user metadata (HeadObject, with your own role). Does not read the content: use bucket_object_text for that.',
    inputSchema: z.object({ s3_uri: s3UriArg }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    async run ({ s3_uri: location }, ctx) {
      const info = await headObject(ctx.data, location)
      return {
        text: `${formatS3Uri(location)}: ${formatBytes(info.size)}, ${info.content_type ?? 'no content type'}${info.content_encoding === null ? '' : ` (${info.content_encoding})`}, modified ${info.modified ?? 'unknown'}${info.version_id === null ? '' : `, version ${info.version_id}`}.`,
        data: { s3_uri: formatS3Uri(location), ...info }
      }
    }
  }),

  defineTool({
    name: 'bucket_object_text',
    title: 'Read an object\'s text',
    description: `Returns the text of an S3 object read with your own role: at most max_bytes (default ${DEFAULT_TEXT_BYTES}) from offset, fetched as a byte range so large files are cheap. Gzip files are decompressed (the first 64 MiB of their content at most); CSV and TSV files also get a short column-aware preview. Binary files (images, Parquet, archives) are not returned: you get a download link instead. next_offset says where to continue.`,
    inputSchema: z.object({ s3_uri: s3UriArg, ...textArgs }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    async run ({ s3_uri: location, max_bytes: maxBytes, offset }, ctx) {
      return textOutput(formatS3Uri(location), location, await readObjectText(ctx.data, location, offset, maxBytes))
    }
  }),

  defineTool({
    name: 'bucket_object_link',
    title: 'Download link for an object',
    description: `Makes a presigned HTTPS link to download one S3 object, signed with your own role's temporary credentials: valid expires_in seconds (at most ${MAX_LINK_SECONDS}, and never longer than those credentials). Anyone with the link can download the object until it expires, so share it only with the user who asked. Checks first that the object exists.`,
    inputSchema: z.object({ s3_uri: s3UriArg, ...linkArgs }),
    annotations: { readOnlyHint: true, idempotentHint: false, openWorldHint: false },
    async run ({ s3_uri: location, expires_in: expiresIn }, ctx) {
      return linkOutput(formatS3Uri(location), location, await presignGet(ctx.data, location, expiresIn))
    }
  })
]
