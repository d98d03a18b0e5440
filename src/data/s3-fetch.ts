import type { DataAccess } from './data-access.js'
import { DataInputError } from './errors.js'
import { headObject, readAtMost, streamObject } from './s3.js'
import { formatS3Uri, type S3Location } from './s3-location.js'

export type ImageType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp'

/**
 * The image type the bytes themselves declare (objects uploaded without a Content-Type are common,
 * and a Content-Type can lie), or undefined for anything else.
 */
export function imageType (bytes: Buffer): ImageType | undefined {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png'
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg'
  const ascii = bytes.subarray(0, 12).toString('latin1')
  if (ascii.startsWith('GIF87a') || ascii.startsWith('GIF89a')) return 'image/gif'
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return 'image/webp'
  return undefined
}

/** Thrown when the object is larger than the caller allowed; carries the size for the message. */
export class ObjectTooLargeError extends DataInputError {
  readonly size: number
  constructor (message: string, size: number) {
    super(message)
    this.size = size
  }
}

export interface FetchedObject {
  bytes: Buffer
  contentType: string | null
}

/**
 * An object's whole bytes, when there are at most `maxBytes` of them. The size is checked first (a
 * HEAD), and the body is read as a range with a ceiling as well, so an object that grew in between, or a server
 * that sends more than it announced, still costs no more than `maxBytes`; the read stops when the
 * caller goes away.
 */
export async function fetchObject (access: DataAccess, location: S3Location, maxBytes: number): Promise<FetchedObject> {
  const where = formatS3Uri(location)
  const info = await headObject(access, location)
  if (info.size > maxBytes) throw new ObjectTooLargeError(`${where} is ${info.size} bytes, over max_bytes (${maxBytes})`, info.size)
  // S3 refuses any range of an empty object (416), and there is nothing to read.
  if (info.size === 0) return { bytes: Buffer.alloc(0), contentType: info.content_type }
  return streamObject(access, location, 0, maxBytes + 1, async ({ body, contentType }) => {
    const bytes = await readAtMost(body, maxBytes + 1)
    if (bytes.length > maxBytes) throw new ObjectTooLargeError(`${where} grew past max_bytes (${maxBytes}) while being read`, bytes.length)
    return { bytes, contentType: contentType ?? info.content_type }
  })
}
