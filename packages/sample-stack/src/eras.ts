import { readFileSync } from 'node:fs'

/**
 * Registry schema eras the gateway supports, oldest first: each marks a change that matters to the
 * gateway (see README "Registry versions"). The newest equals quiltdata/quilt's tip schema
 * (f7c8bc37) apart from its header line.
 */
export const ERAS = ['2024-10-11', '2025-02-13', '2025-08-22', '2026-04-22', '2026-08-21'] as const

export type Era = typeof ERAS[number]

export const NEWEST_ERA: Era = '2026-08-21'

export const isEra = (value: string): value is Era => (ERAS as readonly string[]).includes(value)

const sdlCache = new Map<Era, string>()

/**
 * The registry's own SDL of that era, vendored in ./schemas (quiltdata/quilt shared/graphql/schema.graphql,
 * Apache-2.0). Read next to this module, so it works from src (tsx) and from dist (the build copies it).
 */
export function eraSdl (era: Era): string {
  let sdl = sdlCache.get(era)
  if (sdl === undefined) {
    sdl = readFileSync(new URL(`./schemas/${era}.graphql`, import.meta.url), 'utf8')
    sdlCache.set(era, sdl)
  }
  return sdl
}
