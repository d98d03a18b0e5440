import { runProgram, type CommandIo } from '../../../src/commands/program.js'

const USAGE = `Usage: sample-stack <command> [options]

Commands:
  demo             Run the gateway with the sample registry, S3 and Athena, and print a ready token
  sample-registry  Run only the sample registry (demo data over GraphQL)

Run "sample-stack <command> --help" for a command's options.`

/** The sample stack's command line, run in this process with the given streams and environment: the exit code. */
export function run (argv: string[], io: CommandIo): Promise<number> {
  return runProgram({
    name: 'sample-stack',
    usage: USAGE,
    // Loaded on use: "sample-registry --help" need not load the gateway.
    commands: {
      demo: async () => (await import('./demo.js')).demo,
      'sample-registry': async () => (await import('./registry-command.js')).sampleRegistry
    }
  }, argv, io)
}
