import { z } from 'zod'
import { imageType } from '../data/s3-fetch.js'
import { presignPut, putObject, type PutOutcome } from '../data/s3-write.js'
import { MAX_LINK_SECONDS } from '../data/s3.js'
import { formatS3Uri } from '../data/s3-location.js'
import { bucketArg, logicalPathArg } from './arguments.js'
import { defineTool } from './define.js'
import { bulletList, formatBytes } from './format.js'
import { s3UriArg } from './arguments.js'
import { ToolInputError } from './result.js'

const MAX_PUT_ITEMS = 100
/** Decoded bytes per call: base64 of it, plus JSON, stays under the 4 MiB request body limit. */
const MAX_PUT_BYTES = 2 * 1024 * 1024
const UPLOAD_LINK_SECONDS = 900

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const CONTENT_TYPE = /^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=[\w.+-]+)*$/

const contentTypeArg = z.string().trim().max(200).regex(CONTENT_TYPE, 'must be a media type such as "text/csv" or "image/png"')

const itemArg = z.object({
  key: logicalPathArg.refine((key) => key !== '' && !key.endsWith('/') && Buffer.byteLength(key) <= 1024, 'must name an object, e.g. "results/table.csv" (at most 1024 bytes)')
    .describe('Object key in the bucket, e.g. "results/table.csv"'),
  text: z.string().optional().describe('The content as text (stored as UTF-8)'),
  base64: z.string().optional().describe('The content as base64 (binary files)'),
  content_type: contentTypeArg.optional().describe('Content-Type; default from the key\'s extension or the bytes')
}).superRefine((item, ctx) => {
  if ((item.text === undefined) === (item.base64 === undefined)) ctx.addIssue({ code: 'custom', message: 'give exactly one of text and base64' })
  const b64 = item.base64?.replace(/\s+/g, '')
  if (b64 !== undefined && (b64.length % 4 !== 0 || !BASE64.test(b64))) ctx.addIssue({ code: 'custom', path: ['base64'], message: 'must be standard base64 (A-Z, a-z, 0-9, +, /, = padding)' })
})

const TEXT_TYPES: Record<string, string> = { csv: 'text/csv', tsv: 'text/tab-separated-values', json: 'application/json', md: 'text/markdown', html: 'text/html', yaml: 'application/yaml', yml: 'application/yaml' }

function contentTypeOf (key: string, body: Buffer, text: boolean): string {
  if (text) return `${TEXT_TYPES[key.split('.').pop()?.toLowerCase() ?? ''] ?? 'text/plain'}; charset=utf-8`
  return imageType(body) ?? 'application/octet-stream'
}

const outcomeLine = (o: PutOutcome) => o.status === 'written' ? `${o.key}: written (${formatBytes(o.size)})` : `${o.key}: ${o.status}: ${o.reason}`

export const uploadTools = [
  defineTool({
    name: 'bucket_objects_put',
    title: 'Upload small files',
    description: `Writes small files to an S3 bucket with your own role: up to ${MAX_PUT_ITEMS} items, ${MAX_PUT_BYTES / 1024 / 1024} MiB in all, each as text or base64. An existing key is never replaced unless overwrite is true. Larger files: bucket_object_upload_link.`,
    inputSchema: z.object({
      bucket: bucketArg,
      items: z.array(itemArg).min(1).max(MAX_PUT_ITEMS)
        .refine((items) => new Set(items.map((i) => i.key)).size === items.length, 'each key may appear only once')
        .describe(`Files to write (1 to ${MAX_PUT_ITEMS})`),
      overwrite: z.boolean().default(false).describe('Replace objects that already exist (default false: they are left alone and reported)')
    }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    async run ({ bucket, items, overwrite }, ctx) {
      const bodies = items.map((item) => ({ item, body: item.text === undefined ? Buffer.from(item.base64 ?? '', 'base64') : Buffer.from(item.text, 'utf8') }))
      const total = bodies.reduce((sum, { body }) => sum + body.length, 0)
      if (total > MAX_PUT_BYTES) {
        throw new ToolInputError(`The items hold ${formatBytes(total)}, over the ${MAX_PUT_BYTES / 1024 / 1024} MiB a call may carry. Split them over several calls, or get a bucket_object_upload_link for each large file.`)
      }
      const outcomes: PutOutcome[] = []
      // One at a time: a call is one user's, and S3 is not the bottleneck for a hundred small files.
      for (const { item, body } of bodies) {
        outcomes.push(await putObject(ctx.data, bucket, { key: item.key, body, contentType: item.content_type ?? contentTypeOf(item.key, body, item.text !== undefined) }, overwrite))
      }
      const written = outcomes.filter((o) => o.status === 'written').length
      if (written < outcomes.length) {
        ctx.log.info({ tool: 'bucket_objects_put', bucket, written, refused: outcomes.filter((o) => o.status !== 'written').map((o) => o.status) }, 'upload items refused')
      }
      const lines = [`s3://${bucket}: ${written} of ${outcomes.length} written.`, ...bulletList(outcomes, 20, outcomeLine)]
      if (written === 0) throw new ToolInputError(`Nothing written to s3://${bucket}:\n${lines.slice(1).join('\n')}`)
      return { text: lines.join('\n'), data: { bucket, written, refused: outcomes.length - written, items: outcomes } }
    }
  }),

  defineTool({
    name: 'bucket_object_upload_link',
    title: 'Upload link for a large file',
    description: `Makes a presigned HTTPS PUT link to upload one file to S3 with your own role, for files too large for bucket_objects_put. Valid expires_in seconds (at most ${MAX_LINK_SECONDS}). The link replaces an existing object; the answer says if one exists.`,
    inputSchema: z.object({
      s3_uri: s3UriArg.refine((location) => location.versionId === undefined, 'an upload creates a new version: give "s3://bucket/key" without versionId'),
      expires_in: z.int().min(1).max(MAX_LINK_SECONDS).default(UPLOAD_LINK_SECONDS).describe(`Seconds the link stays valid, 1 to ${MAX_LINK_SECONDS} (default ${UPLOAD_LINK_SECONDS})`),
      content_type: contentTypeArg.optional().describe('Content-Type the upload must be sent with (it is signed into the link)')
    }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    async run ({ s3_uri: location, expires_in: expiresIn, content_type: contentType }, ctx) {
      const link = await presignPut(ctx.data, location, expiresIn, contentType)
      const uri = formatS3Uri(location)
      const headers = contentType === undefined ? {} : { 'Content-Type': contentType }
      const curl = `curl -X PUT --upload-file FILE${contentType === undefined ? '' : ` -H 'Content-Type: ${contentType}'`} '${link.url}'`
      const warning = link.exists === true ? ' An object already exists there: uploading replaces it.' : ''
      return {
        text: `Upload link for ${uri}, valid ${link.expires_in} s until ${link.expires_at}; send the file with HTTP PUT${contentType === undefined ? '' : ` and Content-Type: ${contentType}`}.${warning} Anyone holding it can write this key until then:\n${curl}`,
        data: { s3_uri: uri, url: link.url, method: 'PUT', headers, expires_in: link.expires_in, expires_at: link.expires_at, exists: link.exists }
      }
    }
  })
]
