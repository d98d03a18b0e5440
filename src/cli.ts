#!/usr/bin/env node
import { ConfigError } from './config.js'
import { serve } from './commands/serve.js'
import { token } from './commands/token.js'
import { UsageError } from './commands/usage-error.js'

const USAGE = `Usage: quilt-mcp-gateway <command> [options]

Commands:
  serve    Run the HTTP gateway as configured by the environment (default)
  token    Mint a gateway token for testing

Run "quilt-mcp-gateway <command> --help" for a command's options.`

const commands: Record<string, (args: string[]) => Promise<void>> = { serve, token }

async function main (argv: string[]): Promise<void> {
  const [first, ...rest] = argv
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const name = first === undefined || first.startsWith('-') ? 'serve' : first
  const command = commands[name]
  if (command === undefined) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(commands).join(', ')}; see --help)`)
  await command(first === name ? rest : argv)
}

/** Errors the person at the terminal caused: one clear line, exit code 2. */
function isUsageMistake (err: unknown): err is Error {
  return err instanceof ConfigError || err instanceof UsageError ||
    (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
}

main(process.argv.slice(2)).catch((err: unknown) => {
  let text: string
  if (err instanceof ConfigError || err instanceof UsageError) text = err.message
  // node:util parseArgs explains at length; its first sentence is the useful part.
  else if (isUsageMistake(err)) text = `${err.message.split('. ')[0]} (see --help)`
  else text = err instanceof Error ? (err.stack ?? err.message) : String(err)
  process.stderr.write(`quilt-mcp-gateway: ${text}\n`)
  process.exit(isUsageMistake(err) ? 2 : 1)
})
