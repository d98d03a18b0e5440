import { z } from 'zod'
import { isBucketName, parseS3Uri } from '../data/s3-location.js'

/** Accepts `name` or `s3://name` (what users paste from the catalog) and yields the bare name. */
export const bucketArg = z.string().trim()
  .transform((value) => value.replace(/^s3:\/\//i, '').replace(/\/+$/, ''))
  .pipe(z.string().refine(isBucketName, 'must be an S3 bucket name such as "my-bucket" or "s3://my-bucket"'))
  .describe('S3 bucket name, with or without the s3:// prefix, e.g. "quilt-example"')

/** An object as users write it (`s3://bucket/key[?versionId=...]`, key unencoded), parsed into an S3Location. */
export const s3UriArg = z.string().trim()
  .transform((uri, ctx) => parseS3Uri(uri) ?? (ctx.addIssue({ code: 'custom', message: 'must be "s3://bucket/key", optionally with "?versionId=..." (URL-encoded: a "%" only as an escape such as %2B)' }), z.NEVER))
  .describe('The object: "s3://bucket/key", or "s3://bucket/key?versionId=..." for one version')

/** Quilt package names are exactly `namespace/name`, each part letters, digits, `_` or `-` (as quilt3 checks). */
export const packageNameArg = z.string().trim()
  .regex(/^[\w-]+\/[\w-]+$/, 'must be "namespace/name", e.g. "examples/penguins"')
  .describe('Package name in "namespace/name" form, e.g. "examples/penguins"')

// Lower-cased first: models often copy hashes in upper case, and the registry's hashes are lower-case hex.
export const hashArg = z.string().trim().toLowerCase()
  .regex(/^([0-9a-f]{6,64}|latest)$/, 'must be a revision hash (6 to 64 hex characters, a prefix is fine) or "latest"')

/**
 * Why a logical path (inside a package or bucket) is refused, or undefined. Empty means the top level
 * and one trailing "/" marks a folder; otherwise every segment is a real name. Keys are S3 keys and
 * catalog links, so nothing may smuggle in another path: no "..", "." or empty segments, no
 * backslashes (read as separators on Windows, "..\\"), no NUL or control characters.
 */
function logicalPathProblem (path: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\x00-\x1f\x7f]/.test(path)) return 'must not contain NUL or control characters'
  if (path.includes('\\')) return 'must use "/" between segments, never "\\"'
  if (path.startsWith('/')) return 'must be relative: no leading "/"'
  const segments = (path.endsWith('/') ? path.slice(0, -1) : path).split('/')
  if (path !== '' && segments.includes('')) return 'must not contain empty segments ("a//b")'
  if (segments.includes('..') || segments.includes('.')) return 'must not contain "." or ".." segments'
  return undefined
}

/** A logical path inside a package or bucket: relative, one name per segment (see logicalPathProblem). */
export const logicalPathArg = z.string().trim().superRefine((value, ctx) => {
  const problem = logicalPathProblem(value)
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
})
