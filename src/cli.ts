#!/usr/bin/env node
import { ConfigError } from './config/secret-source.js'
import { UsageError } from './commands/usage-error.js'
import { LocalCredentialsError } from './local/errors.js'

const USAGE = `Usage: quilt-mcp-gateway <command> [options]

Commands:
  serve            Run the HTTP gateway as configured by the environment (default)
  stdio            Serve the tools over MCP stdio to one local user (desktop MCP clients)
  token            Mint a gateway token for testing

Run "quilt-mcp-gateway <command> --help" for a command's options.`

// Each command is loaded on use: "token --help" need not load Fastify and the MCP SDK.
const commands: Record<string, () => Promise<(args: string[]) => Promise<void>>> = {
  serve: async () => (await import('./commands/serve.js')).serve,
  stdio: async () => (await import('./commands/stdio.js')).stdio,
  token: async () => (await import('./commands/token.js')).token
}

async function main (argv: string[]): Promise<void> {
  const [first, ...rest] = argv
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const name = first === undefined || first.startsWith('-') ? 'serve' : first
  const load = commands[name]
  if (load === undefined) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(commands).join(', ')}; see --help)`)
  await (await load())(first === name ? rest : argv)
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

main(process.argv.slice(2)).catch((err: unknown) => {
  let text: string
  if (isExplained(err)) text = err.message
  // node:util parseArgs explains at length; its first sentence is the useful part.
  else if (isUsageMistake(err)) text = `${err.message.split('. ')[0]} (see --help)`
  else text = err instanceof Error ? (err.stack ?? err.message) : String(err)
  // One line per problem (a configuration may have several), each saying whose message it is.
  process.stderr.write(text.split('\n').map((line) => `quilt-mcp-gateway: ${line}\n`).join(''))
  process.exit(isUsageMistake(err) ? 2 : 1)
})
