import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from './usage-error.js'

/** A --port value: 0 (any free port) to 65535. */
export function parsePort (flag: string, raw: string): number {
  const port = Number(raw)
  if (raw.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`${flag} must be a port number from 0 to 65535 (got "${raw}")`)
  }
  return port
}

/** A port already taken is the user's to fix, so it becomes a one-line usage error; anything else stays as it is. */
export function explainListenError (err: unknown, flag: string, port: number): unknown {
  if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'EADDRINUSE') {
    return new UsageError(`port ${port} is already in use; pass ${flag} with a free one (or 0 for any)`)
  }
  return err
}

/** How to print a listening address for a person to paste: a wildcard bind is reachable on loopback. */
export function displayHost (host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

const HELP = { help: { type: 'boolean', short: 'h' } } as const

/**
 * Every command's argument parsing: its own options plus -h/--help. Returns undefined after printing
 * the usage text for --help, so a command starts with `const values = parseCommand(...); if (!values) return`.
 */
export function parseCommand<O extends NonNullable<ParseArgsConfig['options']>> (args: string[], options: O, usage: string) {
  const config = { args, options: { ...options, ...HELP }, strict: true as const, allowPositionals: false as const }
  const { values } = parseArgs<typeof config>(config)
  if ((values as { help?: boolean }).help === true) {
    process.stdout.write(`${usage}\n`)
    return undefined
  }
  return values
}
