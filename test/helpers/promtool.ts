import { spawnSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

const INSTALL_HINT = 'install Debian\'s `prometheus` package (`bash scripts/ensure-promtool.sh`, run by `npm test` and .ci/run), or set PROMTOOL_BIN to a promtool binary'

function isExecutable (file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** PROMTOOL_BIN, else promtool on PATH: Prometheus's own parser and rule checker. */
function findPromtool (env: NodeJS.ProcessEnv = process.env): string {
  if (env.PROMTOOL_BIN !== undefined && env.PROMTOOL_BIN !== '') {
    if (isExecutable(env.PROMTOOL_BIN)) return env.PROMTOOL_BIN
    throw new Error(`PROMTOOL_BIN=${env.PROMTOOL_BIN} is not an executable file; unset it or ${INSTALL_HINT}`)
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter((d) => d !== '')) {
    if (isExecutable(join(dir, 'promtool'))) return join(dir, 'promtool')
  }
  throw new Error(`promtool is not installed: ${INSTALL_HINT}`)
}

/** Runs promtool; status and the combined output, for assertions that show what it said. */
export function promtool (args: string[], cwd?: string, input?: string): { status: number | null, output: string } {
  const result = spawnSync(findPromtool(), args, { cwd, input, encoding: 'utf8', timeout: 60_000 })
  if (result.error !== undefined) throw result.error
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}
