#!/usr/bin/env node
// The sample stack's own command line: the demo (gateway + sample registry, S3 and Athena) and the
// sample registry alone. It lives outside the gateway's package so that production images carry none of it.
import { ConfigError } from '../../../src/config/secret-source.js'
import { UsageError } from '../../../src/commands/usage-error.js'

const USAGE = `Usage: sample-stack <command> [options]

Commands:
  demo             Run the gateway with the sample registry, S3 and Athena, and print a ready token
  sample-registry  Run only the sample registry (demo data over GraphQL)

Run "sample-stack <command> --help" for a command's options.`

// Loaded on use: "sample-registry --help" need not load the gateway.
const commands: Record<string, () => Promise<(args: string[]) => Promise<void>>> = {
  demo: async () => (await import('./demo.js')).demo,
  'sample-registry': async () => (await import('./registry-command.js')).sampleRegistry
}

async function main (argv: string[]): Promise<void> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const load = commands[name]
  if (load === undefined) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(commands).join(', ')}; see --help)`)
  await (await load())(rest)
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const explained = err instanceof ConfigError || err instanceof UsageError ||
    (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
  const text = !explained ? (err instanceof Error ? (err.stack ?? err.message) : String(err)) : err.message.split('. ')[0]
  process.stderr.write(text.split('\n').map((line) => `sample-stack: ${line}\n`).join(''))
  process.exit(explained ? 2 : 1)
})
