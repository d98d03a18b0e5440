import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { ConfigError, normaliseSecret, type SecretSource } from './secret-source.js'
import { isLoopbackHost, normaliseRegistryUrl, parseHttpUrl } from '../registry-address.js'

/**
 * A Quilt stack this gateway fronts: its catalog's session tokens (the registry's own HS256 JWTs) are
 * accepted and sent, as they are, to its registry.
 */
export interface Stack {
  /** For logs and error messages: the entry's `name`, or `QUILT_REGISTRY_URL` for the default stack. */
  name: string
  /**
   * Host header values that select this stack, lower-cased: `host` matches on any port, `host:port`
   * only on that port. Empty for the default stack, which serves every host no other stack lists.
   */
  hosts: string[]
  /** Registry origin, normalised as tenants' are; GraphQL at `${registryUrl}/graphql`. */
  registryUrl: string
  catalogUrl?: string
  /** The stack's registry secret; undefined means the gateway's own secret (the default stack). */
  secretSource?: SecretSource
  /**
   * The stack's Quilt Connect issuer, as the operator wrote it (Connect spells out `:443`, and clients
   * that compare strings compare it with Connect's own metadata), without a trailing slash.
   */
  connectUrl?: string
}

/** Stack name of the one stack configured by QUILT_REGISTRY_URL. */
const DEFAULT_STACK_NAME = 'QUILT_REGISTRY_URL'

/** A host as the Host header carries it: a name or [IPv6], optionally with a port; no scheme, no path. */
const HOST_PATTERN = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/

/** A registry (or catalog) URL: http(s), no credentials; plain http only on loopback, as for tokens. */
function stackUrl (value: string, ctx: z.RefinementCtx): string {
  const url = parseHttpUrl(value)
  if (url === undefined || url.username !== '' || url.password !== '') {
    ctx.addIssue({ code: 'custom', message: 'must be an http(s) URL without credentials' })
    return z.NEVER
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    ctx.addIssue({ code: 'custom', message: 'must be https (plain http only on loopback)' })
    return z.NEVER
  }
  return normaliseRegistryUrl(url)
}

/** A Quilt Connect issuer: checked as a registry URL is, kept as written (see Stack.connectUrl). */
function connectUrl (value: string, ctx: z.RefinementCtx): string {
  stackUrl(value, ctx)
  return value.trim().replace(/\/+$/, '')
}

const SecretEntrySchema = z.union([
  z.strictObject({ value: z.string() }),
  z.strictObject({ ssm_parameter: z.string().min(1), region: z.string().min(1).optional() })
], { error: 'must be {"value": "..."} or {"ssm_parameter": "...", "region": "..."}' })

const StackEntrySchema = z.strictObject({
  name: z.string().min(1).refine((name) => name !== DEFAULT_STACK_NAME, `is reserved for the ${DEFAULT_STACK_NAME} stack`).optional(),
  hosts: z.array(z.string().trim().toLowerCase().regex(HOST_PATTERN, 'must be a host name or host:port, without scheme or path')).min(1),
  registry_url: z.string().transform(stackUrl),
  catalog_url: z.string().transform(stackUrl).optional(),
  connect_url: z.string().transform(connectUrl).optional(),
  secret: SecretEntrySchema
})

const StacksFileSchema = z.array(StackEntrySchema).min(1, 'must list at least one stack')

export interface StacksSettings {
  registryUrl?: string
  catalogUrl?: string
  connectUrl?: string
  stacksFile?: string
  /** AWS_REGION / AWS_DEFAULT_REGION, for SSM secrets that name no region. */
  region?: string
}

/** Parses one URL variable with the same rules as the stacks file, or stops start-up naming it. */
function urlVariable (name: string, value: string, check = stackUrl): string {
  const parsed = z.string().transform(check).safeParse(value)
  if (!parsed.success) throw new ConfigError(`${name}: ${parsed.error.issues[0]?.message ?? 'invalid URL'}`)
  return parsed.data
}

function readStacksFile (path: string): unknown {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ConfigError(`MCP_STACKS_FILE ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new ConfigError(`MCP_STACKS_FILE ${path}: not valid JSON (${err instanceof Error ? err.message : String(err)})`)
  }
}

/** The stacks of MCP_STACKS_FILE; each error is one line naming the file and the entry. */
function stacksFromFile (path: string, region: string | undefined): Stack[] {
  const parsed = StacksFileSchema.safeParse(readStacksFile(path))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const [index, ...field] = issue.path
    const where = typeof index === 'number' ? `stack ${index}${field.length > 0 ? ` ${field.join('.')}` : ''}` : 'the file'
    throw new ConfigError(`MCP_STACKS_FILE ${path}: ${where}: ${issue.message}`)
  }
  const seen = new Map<string, string>()
  return parsed.data.map((entry, index): Stack => {
    const name = entry.name ?? entry.hosts[0]!
    const where = `MCP_STACKS_FILE ${path}: stack ${index} (${name})`
    for (const key of [`name:${name}`, ...entry.hosts]) {
      const other = seen.get(key)
      if (other !== undefined) throw new ConfigError(`${where}: ${key.startsWith('name:') ? `name "${name}"` : `host ${key}`} is also used by ${other}`)
      seen.set(key, `stack ${index}`)
    }
    let secretSource: SecretSource
    if ('value' in entry.secret) {
      secretSource = { kind: 'value', value: normaliseSecret(entry.secret.value, `${where} secret`) }
    } else {
      const stackRegion = entry.secret.region ?? region
      if (stackRegion === undefined) throw new ConfigError(`${where}: secret.region is required (or set AWS_REGION)`)
      secretSource = { kind: 'ssm', parameter: entry.secret.ssm_parameter, region: stackRegion }
    }
    return { name, hosts: entry.hosts, registryUrl: entry.registry_url, catalogUrl: entry.catalog_url, secretSource, connectUrl: entry.connect_url }
  })
}

/**
 * The stacks to serve: those of MCP_STACKS_FILE, chosen by Host, and the default stack of
 * QUILT_REGISTRY_URL (verified with the gateway's own secret), which serves every other host.
 */
export function loadStacks (settings: StacksSettings): Stack[] {
  const stacks = settings.stacksFile !== undefined ? stacksFromFile(settings.stacksFile, settings.region) : []
  if (settings.registryUrl !== undefined) {
    stacks.push({
      name: DEFAULT_STACK_NAME,
      hosts: [],
      registryUrl: urlVariable('QUILT_REGISTRY_URL', settings.registryUrl),
      catalogUrl: settings.catalogUrl !== undefined ? urlVariable('QUILT_CATALOG_URL', settings.catalogUrl) : undefined,
      connectUrl: settings.connectUrl !== undefined ? urlVariable('QUILT_CONNECT_URL', settings.connectUrl, connectUrl) : undefined
    })
  } else if (settings.catalogUrl !== undefined || settings.connectUrl !== undefined) {
    throw new ConfigError(`${settings.catalogUrl !== undefined ? 'QUILT_CATALOG_URL' : 'QUILT_CONNECT_URL'} is set without QUILT_REGISTRY_URL: set the registry of that stack too`)
  }
  return stacks
}
