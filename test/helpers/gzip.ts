import { gzipSync } from 'node:zlib'

/**
 * A gzip whose content is `size` bytes of `fill` (a gzip bomb: about a thousandth of its content),
 * built as concatenated 1 MiB members, which gunzip reads as one stream, in milliseconds.
 */
export function gzipOf (size: number, fill: number): Buffer {
  const MiB = 1024 * 1024
  const member = gzipSync(Buffer.alloc(MiB, fill), { level: 9 })
  const members = Array.from({ length: Math.floor(size / MiB) }, () => member)
  const rest = size % MiB
  return Buffer.concat(rest === 0 ? members : [...members, gzipSync(Buffer.alloc(rest, fill), { level: 9 })])
}
