/**
 * Lints the container and deployment files; prints one line per finding and exits 1 if there is any.
 *
 *   npx tsx scripts/lint-container.ts        (from the repository root)
 *
 * - Dockerfile: dockerfile-utils (the validator behind the VS Code Docker language server: flags,
 *   arguments, ports, signals, stage names) with every optional check set to error, then the policy
 *   below, the hadolint rules that matter here (hadolint itself is a Haskell binary that no package
 *   registry we use ships).
 * - docker-compose.yml: dclint (compose-spec JSON schema plus best-practice rules), warnings included.
 * - deploy/*.json: valid JSON, envsubst-style placeholders only, task definitions that keep the
 *   shutdown and security promises.
 * - Shell scripts: shellcheck, when it is installed (Debian package `shellcheck`).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DCLinter } from 'dclint'
import { DockerfileParser, type Instruction } from 'dockerfile-ast'
import { validate, ValidationSeverity } from 'dockerfile-utils'

interface Finding { file: string, line: number, rule: string, message: string }
const findings: Finding[] = []
const report = (file: string, line: number, rule: string, message: string) => { findings.push({ file, line, rule, message }) }

// ---- Dockerfile -------------------------------------------------------------------------------------

function lintDockerfile (file: string): void {
  const content = readFileSync(file, 'utf8')
  const error = ValidationSeverity.ERROR
  for (const d of validate(content, {
    deprecatedMaintainer: error,
    directiveCasing: error,
    emptyContinuationLine: error,
    instructionCasing: error,
    instructionCmdMultiple: error,
    instructionEntrypointMultiple: error,
    instructionHealthcheckMultiple: error,
    instructionJSONInSingleQuotes: error,
    instructionWorkdirRelative: error
  })) {
    report(file, d.range.start.line + 1, `dockerfile-utils/${String(d.code ?? 'check')}`, typeof d.message === 'string' ? d.message : d.message.value)
  }
  dockerfilePolicy(file, content)
}

const lineOf = (instruction: Instruction) => (instruction.getRange().start.line + 1)

function jsonArray (text: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string') ? value : undefined
  } catch {
    return undefined
  }
}

function dockerfilePolicy (file: string, content: string): void {
  const dockerfile = DockerfileParser.parse(content)
  const globalArgs = new Map<string, string>()
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty()
    const name = property?.getName()
    if (name !== undefined) globalArgs.set(name, property?.getValue() ?? '')
  }
  const expand = (text: string) => text.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => globalArgs.get(name) ?? '')

  const stages: string[] = []
  let finalStage: Instruction[] = []
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword()
    const args = instruction.getArgumentsContent() ?? ''
    const line = lineOf(instruction)
    if (keyword === 'FROM') {
      const words = args.trim().split(/\s+/).filter((word) => !word.startsWith('--'))
      const image = expand(words[0] ?? '')
      if (!stages.includes(image.toLowerCase()) && image !== 'scratch') {
        const digest = image.includes('@sha256:')
        const tag = /:([^/@]+)(@|$)/.exec(image)?.[1]
        if (!digest && tag === undefined) report(file, line, 'policy/base-image-tag', `pin the base image by tag or digest: ${image}`)
        else if (tag === 'latest') report(file, line, 'policy/base-image-tag', `"latest" is not a pin: ${image}`)
      }
      if (words[1]?.toUpperCase() === 'AS' && words[2] !== undefined) stages.push(words[2].toLowerCase())
      finalStage = []
      continue
    }
    finalStage.push(instruction)
    if (keyword === 'ADD') report(file, line, 'policy/no-add', 'use COPY (ADD also fetches URLs and unpacks archives)')
    if (keyword === 'RUN') {
      if (/\bnpm (install|i)\b/.test(args)) report(file, line, 'policy/npm-ci', 'install with `npm ci` (lockfile, reproducible)')
      if (/\bapt-get install\b/.test(args) && !/(\s-y\b|--yes\b|-[a-z]*y)/.test(args)) report(file, line, 'policy/apt-get', 'apt-get install needs -y')
      if (/\bapt-get install\b/.test(args) && !args.includes('--no-install-recommends')) report(file, line, 'policy/apt-get', 'apt-get install needs --no-install-recommends')
      if (/(^|[;&|]\s*)sudo\b/.test(args)) report(file, line, 'policy/no-sudo', 'do not use sudo in RUN')
    }
  }

  const last = (keyword: string) => finalStage.filter((i) => i.getKeyword() === keyword).at(-1)
  const fileEnd = content.split('\n').length
  const user = last('USER')
  const userName = user?.getArgumentsContent()?.trim().split(':')[0]
  if (user === undefined) report(file, fileEnd, 'policy/non-root', 'the final stage must switch to a non-root USER')
  else if (userName === 'root' || userName === '0') report(file, lineOf(user), 'policy/non-root', 'the final stage must not run as root')

  const cmd = last('CMD')
  if (cmd === undefined) {
    report(file, fileEnd, 'policy/exec-form', 'the final stage needs a CMD')
  } else {
    const argv = jsonArray(cmd.getArgumentsContent() ?? '')
    if (argv === undefined) report(file, lineOf(cmd), 'policy/exec-form', 'CMD must be a JSON array (exec form), so SIGTERM reaches the process; invalid JSON silently becomes shell form')
    else if (['npm', 'yarn', 'pnpm', 'sh', 'bash', '/bin/sh'].includes(argv[0] ?? '')) report(file, lineOf(cmd), 'policy/exec-form', `CMD starts ${argv[0]}, which does not pass SIGTERM on to node; run node directly`)
  }
  const entrypoint = last('ENTRYPOINT')
  if (entrypoint !== undefined && jsonArray(entrypoint.getArgumentsContent() ?? '') === undefined) {
    report(file, lineOf(entrypoint), 'policy/exec-form', 'ENTRYPOINT must be a JSON array (exec form)')
  }

  const healthcheck = last('HEALTHCHECK')
  if (healthcheck === undefined) {
    report(file, fileEnd, 'policy/healthcheck', 'the final stage needs a HEALTHCHECK')
  } else {
    const probe = /\bCMD\s+(.*)$/s.exec(healthcheck.getArgumentsContent() ?? '')?.[1]
    if (probe === undefined || jsonArray(probe) === undefined) report(file, lineOf(healthcheck), 'policy/healthcheck', 'HEALTHCHECK CMD must be a JSON array (slim images may lack a shell tool such as curl)')
  }
}

// ---- docker-compose.yml -----------------------------------------------------------------------------

function lintCompose (file: string): void {
  // Services are listed in start-up order (localstack, ssm-init, gateway, ...), which reads better
  // than the alphabetical order dclint would like.
  const linter = new DCLinter({ rules: { 'services-alphabetical-order': 0 }, quiet: false, debug: false, exclude: [] })
  for (const result of linter.lintFiles([file], false)) {
    for (const message of result.messages) report(file, message.line, `dclint/${message.rule}`, message.message)
  }
}

// ---- deploy/*.json ----------------------------------------------------------------------------------

interface ContainerDefinition {
  name?: string
  essential?: boolean
  user?: string
  readonlyRootFilesystem?: boolean
  stopTimeout?: number
  healthCheck?: { command?: string[] }
  environment?: Array<{ name: string, value: string }>
  secrets?: Array<{ name: string, valueFrom: string }>
}

function lintDeployJson (file: string): void {
  const text = readFileSync(file, 'utf8')
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch (err) {
    report(file, 1, 'json/syntax', (err as Error).message)
    return
  }
  text.split('\n').forEach((line, index) => {
    // Only ${NAME} placeholders, which `envsubst` fills in; anything else with $ would be rendered wrong.
    if (/\$(?!\{[A-Z][A-Z0-9_]*\})/.test(line)) report(file, index + 1, 'json/placeholder', 'use placeholders of the form $' + '{UPPER_CASE} only')
  })
  const containers = (document as { containerDefinitions?: ContainerDefinition[] }).containerDefinitions
  if (containers === undefined) return
  for (const container of containers) {
    const env = new Map((container.environment ?? []).map(({ name, value }) => [name, value]))
    const secrets = new Set((container.secrets ?? []).map(({ name }) => name))
    // Sidecars (the OpenTelemetry collector) must never take the gateway down with them.
    if (container.name !== 'gateway') {
      if (container.essential !== false) report(file, 1, 'ecs/sidecar-essential', `sidecar "${container.name ?? '?'}" must be "essential": false`)
      continue
    }
    // The Redis URL can carry an AUTH token: like the JWT secret, it comes from secrets/valueFrom.
    if (env.has('MCP_RATE_LIMIT_REDIS_URL')) report(file, 1, 'ecs/redis-url-secret', 'put MCP_RATE_LIMIT_REDIS_URL in secrets/valueFrom, not in plain environment')
    const deadlineMs = Number(env.get('MCP_SHUTDOWN_TIMEOUT_MS') ?? 25000)
    if (container.stopTimeout === undefined || container.stopTimeout * 1000 <= deadlineMs) {
      report(file, 1, 'ecs/stop-timeout', `stopTimeout must exceed MCP_SHUTDOWN_TIMEOUT_MS (${deadlineMs} ms), or ECS kills in-flight requests`)
    }
    if (container.user === undefined || container.user === 'root' || container.user === '0') report(file, 1, 'ecs/non-root', 'set "user" to a non-root user (node)')
    if (container.readonlyRootFilesystem !== true) report(file, 1, 'ecs/read-only', 'set readonlyRootFilesystem: true')
    if (container.healthCheck?.command === undefined) report(file, 1, 'ecs/health-check', 'add a container healthCheck')
    const sources = [env.has('MCP_JWT_SECRET_SSM_PARAMETER'), env.has('MCP_JWT_SECRET'), secrets.has('MCP_JWT_SECRET')].filter(Boolean).length
    if (sources !== 1) report(file, 1, 'ecs/secret-source', 'give exactly one of MCP_JWT_SECRET_SSM_PARAMETER and MCP_JWT_SECRET (secrets/valueFrom)')
    if (env.has('MCP_JWT_SECRET')) report(file, 1, 'ecs/secret-source', 'never put MCP_JWT_SECRET in plain environment; use secrets/valueFrom')
  }
}

// ---- shell scripts ----------------------------------------------------------------------------------

function lintShell (files: string[]): void {
  const probe = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' })
  if (probe.error !== undefined || probe.status !== 0) {
    process.stdout.write('lint-container: shellcheck not installed, shell scripts not checked (apt-get install shellcheck)\n')
    return
  }
  const result = spawnSync('shellcheck', ['--format=gcc', ...files], { encoding: 'utf8' })
  for (const line of result.stdout.split('\n')) {
    const match = /^(.*?):(\d+):\d+: (\w+): (.*) \[(SC\d+)\]$/.exec(line)
    if (match !== null) report(match[1] ?? '', Number(match[2]), `shellcheck/${match[5] ?? ''}`, `${match[3] ?? ''}: ${match[4] ?? ''}`)
  }
  if (result.status !== 0 && !findings.some((f) => f.rule.startsWith('shellcheck/'))) {
    report(files.join(' '), 1, 'shellcheck', `shellcheck failed: ${result.stderr.trim()}`)
  }
}

// ---- run --------------------------------------------------------------------------------------------

const listed = (dir: string, suffix: string) => existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(suffix)).map((name) => join(dir, name)).sort() : []

lintDockerfile('Dockerfile')
lintCompose('docker-compose.yml')
for (const file of listed('deploy', '.json')) lintDeployJson(file)
lintShell(['.ci/run', ...listed('deploy', '.sh'), ...listed('scripts', '.sh')].filter((file) => existsSync(file)))

for (const f of findings) process.stdout.write(`${f.file}:${f.line}: ${f.rule}: ${f.message}\n`)
process.stdout.write(`lint-container: ${findings.length === 0 ? 'no findings' : `${findings.length} finding(s)`}\n`)
process.exitCode = findings.length === 0 ? 0 : 1
