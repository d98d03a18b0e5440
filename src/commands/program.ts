import type { Readable, Writable } from 'node:stream'
import { ConfigError } from '../config/secret-source.js'
import { LocalCredentialsError } from '../local/errors.js'
import { UsageError } from './usage-error.js'

/**
 * All a command may touch of its process. Only the entry (`runAsProcess`) hands in the real streams and
 * environment, so tests run a command in their own process with their own and read the exit code.
 */
export interface CommandIo {
  stdin: Readable
  stdout: Writable
  stderr: Writable
  env: NodeJS.ProcessEnv
}

/** A command resolves once it is running (a server keeps listening after) and throws to fail. */
type Command = (args: string[], io: CommandIo) => Promise<void>

export interface Program {
  /** Prefixes every error line, so the person at the terminal knows whose message it is. */
  name: string
  usage: string
  /** Each command is loaded on use: "token --help" need not load Fastify and the MCP SDK. */
  commands: Record<string, () => Promise<Command>>
  /** Run when the first argument is missing or an option; without one, no argument prints the usage text. */
  defaultCommand?: string
}

/** Errors whose message is written for the person at the terminal (what is wrong, what to do). */
function isExplained (err: unknown): err is Error {
  return err instanceof ConfigError || err instanceof UsageError || err instanceof LocalCredentialsError
}

/** Errors the person at the terminal caused or can fix (not logged in, say): one clear line, exit code 2. */
function isUsageMistake (err: unknown): err is Error {
  return isExplained(err) ||
    (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
}

async function dispatch (program: Program, argv: string[], io: CommandIo): Promise<void> {
  const [first, ...rest] = argv
  if (first === '--help' || first === '-h' || first === 'help' || (first === undefined && program.defaultCommand === undefined)) {
    io.stdout.write(`${program.usage}\n`)
    return
  }
  const name = program.defaultCommand !== undefined && (first === undefined || first.startsWith('-')) ? program.defaultCommand : first as string
  const load = program.commands[name]
  if (load === undefined) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(program.commands).join(', ')}; see --help)`)
  await (await load())(name === first ? rest : argv, io)
}

/**
 * Runs the command line and returns its exit code: 0 once the command is running, 2 for a mistake the
 * person can fix (one line per problem, no stack), 1 for anything else (with its stack).
 */
export async function runProgram (program: Program, argv: string[], io: CommandIo): Promise<number> {
  try {
    await dispatch(program, argv, io)
    return 0
  } catch (err) {
    let text: string
    if (isExplained(err)) text = err.message
    // node:util parseArgs explains at length; its first sentence is the useful part.
    else if (isUsageMistake(err)) text = `${err.message.split('. ')[0]} (see --help)`
    else text = err instanceof Error ? (err.stack ?? err.message) : String(err)
    // One line per problem (a configuration may have several), each saying whose message it is.
    io.stderr.write(text.split('\n').map((line) => `${program.name}: ${line}\n`).join(''))
    return isUsageMistake(err) ? 2 : 1
  }
}

/** The process entry: the real streams and environment in, the exit code out when the command failed. */
export function runAsProcess (run: (argv: string[], io: CommandIo) => Promise<number>): void {
  const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }
  // On success the process lives on while a server listens, and ends by itself when a command is done.
  run(process.argv.slice(2), io).then((code) => { if (code !== 0) process.exit(code) })
}
