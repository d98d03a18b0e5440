/** A small seeded generator for fuzzing: the same seed gives the same cases, so a failure reproduces. */
export interface Random {
  /** Uniform in [0, 1). */
  next: () => number
  /** Integer in [0, n). */
  int: (n: number) => number
  chance: (p: number) => boolean
  pick: <T>(items: readonly T[]) => T
  /** Printable ASCII. */
  text: (length: number) => string
  /** Code points from all planes, including emoji and lone surrogates. */
  unicode: (length: number) => string
  /** Bytes 0x20-0xff as a latin1 string: what node:http lets through in a header value. */
  latin1: (length: number) => string
  bytes: (length: number) => Buffer
}

/** mulberry32 (Tommy Ettinger): 32 bits of state, good enough statistics for test inputs. */
export function mulberry32 (seed: number): Random {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6D2B79F5) >>> 0
    let x = state
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const string = (length: number, codePoint: () => number) => Array.from({ length }, () => String.fromCodePoint(codePoint())).join('')
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => items[int(items.length)]!,
    text: (length) => string(length, () => 0x20 + int(0x5f)),
    unicode: (length) => string(length, () => [0x20 + int(0x60), 0xa0 + int(0x700), 0x4e00 + int(0x5000), 0x1f300 + int(0x300), 0xd800 + int(0x800)][int(5)]!),
    latin1: (length) => string(length, () => 0x20 + int(0xe0)).replace(/\x7f/g, ' '),
    bytes: (length) => Buffer.from(Array.from({ length }, () => int(256)))
  }
}
