import { z } from 'zod'
import { fetchObject, imageType, ObjectTooLargeError } from '../data/s3-fetch.js'
import { presignGet } from '../data/s3.js'
import { formatS3Uri } from '../data/s3-location.js'
import { defineTool } from './define.js'
import { formatBytes } from './format.js'
import { s3UriArg } from './arguments.js'
import { ToolInputError } from './result.js'

const DEFAULT_FETCH_BYTES = 1024 * 1024
/** Hosted models refuse images past 3.75 MB, and one call's memory stays a few MiB (bytes plus base64). */
const MAX_FETCH_BYTES = 3 * 1024 * 1024
const LINK_SECONDS = 900

export const fetchTools = [
  defineTool({
    name: 'bucket_object_fetch',
    title: 'Fetch an object\'s bytes',
    description: 'Returns an S3 object\'s bytes, read with your own role: PNG, JPEG, GIF and WebP images as an image you can look at, anything else as a base64 blob. Up to max_bytes (default 1 MiB, at most 3 MiB); larger objects get a download link instead. For text use bucket_object_text.',
    inputSchema: z.object({
      s3_uri: s3UriArg,
      max_bytes: z.int().min(1).max(MAX_FETCH_BYTES).default(DEFAULT_FETCH_BYTES)
        .describe(`Largest object to return, in bytes (default ${DEFAULT_FETCH_BYTES}, at most ${MAX_FETCH_BYTES})`)
    }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    async run ({ s3_uri: location, max_bytes: maxBytes }, ctx) {
      const uri = formatS3Uri(location)
      let fetched
      try {
        fetched = await fetchObject(ctx.data, location, maxBytes)
      } catch (err) {
        if (!(err instanceof ObjectTooLargeError)) throw err
        const link = await presignGet(ctx.data, location, LINK_SECONDS)
        const cap = maxBytes < MAX_FETCH_BYTES ? ` Call again with a larger max_bytes (at most ${MAX_FETCH_BYTES}), or download it:` : ` That is over this tool's cap of ${MAX_FETCH_BYTES} bytes (3 MiB); download it instead:`
        throw new ToolInputError(`${uri} is ${formatBytes(err.size)} (${err.size} bytes), over max_bytes (${maxBytes} bytes).${cap} ${link.url} (valid until ${link.expires_at}).`)
      }
      const { bytes, contentType } = fetched
      const image = imageType(bytes)
      const data = { s3_uri: uri, size: bytes.length, content_type: contentType, kind: image === undefined ? 'blob' : 'image', mime_type: image ?? contentType ?? 'application/octet-stream' }
      const base64 = bytes.toString('base64')
      return image === undefined
        ? { text: `${uri}: ${formatBytes(bytes.length)} of ${data.mime_type}, attached as a base64 blob.`, data, content: [{ type: 'resource', resource: { uri, mimeType: data.mime_type, blob: base64 } }] }
        : { text: `${uri}: ${image.slice(6).toUpperCase()} image, ${formatBytes(bytes.length)}, attached.`, data, content: [{ type: 'image', data: base64, mimeType: image }] }
    }
  })
]
