import type { ServerResponse } from 'node:http'

/** What s3rver's file store lists: keys with their intrinsic metadata. */
interface StoredObject { key: string, size: number, lastModifiedDate: Date, metadata: Record<string, string> }
export interface ObjectStore {
  listObjects (bucket: string, options: { prefix?: string, maxKeys?: number }): Promise<{ objects: StoredObject[] }>
}

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`)

/** The opaque cursor: where the previous page ended (a key, or a common prefix whose keys are done). */
const encodeToken = (after: string) => Buffer.from(after, 'utf8').toString('base64url')
const decodeToken = (token: string) => Buffer.from(token, 'base64url').toString('utf8')

type Entry = { prefix: string } | { object: StoredObject }
const nameOf = (entry: Entry) => 'prefix' in entry ? entry.prefix : entry.object.key

/**
 * ListObjectsV2 as S3 answers it, served from s3rver's store: s3rver's own listing drops common
 * prefixes that hold only deeper keys, and its continuation tokens use DES, which the OpenSSL 3 in
 * Node 17+ refuses (every truncated listing fails with InternalError). Keys and common prefixes
 * count together toward max-keys, in key order, as on S3.
 */
export async function listObjectsV2 (store: ObjectStore, bucket: string, query: URLSearchParams, res: ServerResponse): Promise<void> {
  const prefix = query.get('prefix') ?? ''
  const delimiter = query.get('delimiter') ?? ''
  const maxKeys = Math.min(1000, Number(query.get('max-keys') ?? 1000))
  const token = query.get('continuation-token')
  const after = token === null ? query.get('start-after') ?? '' : decodeToken(token)
  const { objects } = await store.listObjects(bucket, { prefix, maxKeys: Infinity })
  const entries: Entry[] = []
  const seen = new Set<string>()
  for (const object of [...objects].sort((a, b) => a.key < b.key ? -1 : 1)) {
    const at = delimiter === '' ? -1 : object.key.indexOf(delimiter, prefix.length)
    const common = at === -1 ? undefined : object.key.slice(0, at + delimiter.length)
    // A page that ended on a common prefix has listed every key under it.
    if (object.key <= after || (common !== undefined && (common <= after || after.startsWith(common)))) continue
    if (common === undefined) entries.push({ object })
    else if (!seen.has(common)) {
      seen.add(common)
      entries.push({ prefix: common })
    }
  }
  const page = entries.slice(0, maxKeys)
  const truncated = entries.length > maxKeys
  const last = page.at(-1)
  const tag = (name: string, value: string | number) => `<${name}>${escapeXml(String(value))}</${name}>`
  const body = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
    tag('Name', bucket), tag('Prefix', prefix), tag('KeyCount', page.length), tag('MaxKeys', maxKeys),
    delimiter === '' ? '' : tag('Delimiter', delimiter),
    tag('IsTruncated', String(truncated)),
    token === null ? '' : tag('ContinuationToken', token),
    truncated && last !== undefined ? tag('NextContinuationToken', encodeToken(nameOf(last))) : '',
    ...page.map((entry) => 'prefix' in entry
      ? `<CommonPrefixes>${tag('Prefix', entry.prefix)}</CommonPrefixes>`
      : `<Contents>${tag('Key', entry.object.key)}${tag('LastModified', entry.object.lastModifiedDate.toISOString())}${tag('ETag', entry.object.metadata.etag ?? '')}${tag('Size', entry.object.size)}${tag('StorageClass', 'STANDARD')}</Contents>`),
    '</ListBucketResult>'
  ].join('')
  res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}
