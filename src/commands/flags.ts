import type { Writable } from 'node:stream'
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

/**
 * A port already taken (or not ours to bind) is the user's to fix, so it becomes a one-line usage error;
 * anything else stays as it is. `setting` names what chooses the port: a flag, or PORT for serve.
 */
export function explainListenError (err: unknown, setting: string, port: number, host?: string): unknown {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined
  const choose = setting.startsWith('--') ? `pass ${setting} with` : `set ${setting} to`
  if (code === 'EADDRINUSE') return new UsageError(`port ${port} is already in use; ${choose} a free one (or 0 for any)`)
  if (code === 'EACCES') return new UsageError(`port ${port} needs privileges this process lacks; ${choose} a port above 1023`)
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new UsageError(`cannot listen on host ${host ?? '?'}: not an address of this machine (0.0.0.0 listens on all)`)
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
 * the usage text to `stdout` for --help, so a command starts with `const values = parseCommand(...); if (!values) return`.
 */
export function parseCommand<O extends NonNullable<ParseArgsConfig['options']>> (args: string[], options: O, usage: string, stdout: Writable) {
  const config = { args, options: { ...options, ...HELP }, strict: true as const, allowPositionals: false as const }
  const { values } = parseArgs<typeof config>(config)
  if ((values as { help?: boolean }).help === true) {
    stdout.write(`${usage}\n`)
    return undefined
  }
  return values
}
