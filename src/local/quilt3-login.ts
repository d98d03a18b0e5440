/**
 * Credentials for the single-user stdio mode: QUILT_CATALOG_TOKEN + QUILT_REGISTRY_URL from the environment,
 * or the login the quilt3 Python client saved on disk. The files are quilt3's: they are only read, never
 * written, and no token ever appears in an error message.
 *
 * What quilt3 does (quiltdata/quilt, api/python/quilt3):
 * - util.py: BASE_PATH = platformdirs.user_data_dir('Quilt', 'QuiltData'), CONFIG_PATH = BASE_PATH/config.yml,
 *   written with yaml.dump and read with yaml.safe_load; `registryUrl` and `navigator_url` come from the
 *   catalog's config.json when the user runs `quilt3 config <catalog-url>`.
 * - session.py: auth.json maps the registry URL (exactly as in config.yml) to
 *   { refresh_token, access_token, expires_at }; the registry, GraphQL included, gets
 *   `Authorization: Bearer <access_token>`, refreshed through <registryUrl>/api/token when it expires
 *   within 60 seconds.
 */
import { readFile, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { z } from 'zod'

export interface LocalCredentials {
  /** Bearer credential for the registry. Never logged. */
  catalogToken: string
  /** Registry origin (and path, if any) without a trailing slash; GraphQL lives at `${registryUrl}/graphql`. */
  registryUrl: string
  catalogUrl?: string
  /** Seconds since the epoch at which a quilt3 access token stops working; absent for env credentials. */
  expiresAt?: number
}

export type Env = Readonly<Record<string, string | undefined>>

export interface Quilt3LoginOptions {
  /** Read this directory instead of the one quilt3 would use. */
  dataDir?: string
  /** Milliseconds since the epoch, like Date.now. */
  now?: () => number
  /** Used to find the data directory; default process.env, process.platform, os.homedir(). */
  env?: Env
  platform?: NodeJS.Platform
  home?: string
}

/** Local credentials are configured inconsistently or quilt3's files cannot be read. */
export class LocalCredentialsError extends Error {
  override name = 'LocalCredentialsError'
}

export type NotLoggedInReason = 'no_data_dir' | 'no_config' | 'no_catalog' | 'no_auth' | 'expired'

/** No usable quilt3 login; the message tells the user what to run. */
export class NotLoggedInError extends LocalCredentialsError {
  override name = 'NotLoggedInError'
  readonly reason: NotLoggedInReason
  /** The quilt3 data directory that was searched (the first one, when several were). */
  readonly dataDir: string

  constructor (reason: NotLoggedInReason, dataDir: string, message: string) {
    super(message)
    this.reason = reason
    this.dataDir = dataDir
  }
}

const APP_NAME = 'Quilt'
const APP_AUTHOR = 'QuiltData'

// quilt3 treats a token expiring within this many seconds as already expired and refreshes it instead
// (session.py `_create_auth`), so it would never send such a token; neither do we.
const EXPIRY_MARGIN_SECONDS = 60

const ENV_REMEDY = 'Alternatively set QUILT_CATALOG_TOKEN and QUILT_REGISTRY_URL (and optionally QUILT_CATALOG_URL) in the environment.'
const LOGIN_REMEDY = 'Log in with the quilt3 client: `quilt3 login` on the command line, or `quilt3.login()` in Python.'
const CONFIGURE_REMEDY = 'Point quilt3 at your catalog and log in: `quilt3 config https://your-catalog.example.com` then `quilt3 login` on the command line, or `quilt3.config(\'https://your-catalog.example.com\')` then `quilt3.login()` in Python.'

function nonBlank (value: string | undefined): string | undefined {
  const trimmed = value?.trim()
  return trimmed === undefined || trimmed === '' ? undefined : trimmed
}

/**
 * Every directory some supported quilt3 install may use, most likely first. quilt3 accepts any
 * platformdirs >= 2, and newer platformdirs honour more overrides (XDG_DATA_HOME on macOS since 4.6.0,
 * WIN_PD_OVERRIDE_LOCAL_APPDATA on Windows since 4.8.0), so with such a variable set the older location
 * is still a candidate.
 */
export function quilt3DataDirCandidates (env: Env = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string[] {
  if (platform === 'win32') {
    // platformdirs asks Windows for FOLDERID_LocalAppData, which LOCALAPPDATA mirrors; then appauthor\appname.
    const localAppData = nonBlank(env.LOCALAPPDATA) ?? path.win32.join(home, 'AppData', 'Local')
    const override = nonBlank(env.WIN_PD_OVERRIDE_LOCAL_APPDATA)
    const bases = override !== undefined && override !== localAppData ? [override, localAppData] : [localAppData]
    return bases.map((base) => path.win32.join(base, APP_AUTHOR, APP_NAME))
  }
  const xdg = nonBlank(env.XDG_DATA_HOME)
  if (platform === 'darwin') {
    const macDefault = path.posix.join(home, 'Library', 'Application Support', APP_NAME)
    return xdg !== undefined ? [path.posix.join(xdg, APP_NAME), macDefault] : [macDefault]
  }
  // Linux and the other Unixes: platformdirs' Unix class, which has honoured XDG_DATA_HOME since 2.0.
  return [path.posix.join(xdg ?? path.posix.join(home, '.local', 'share'), APP_NAME)]
}

/** The directory quilt3 (with a current platformdirs) keeps config.yml and auth.json in. */
export function quilt3DataDir (env: Env = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  return quilt3DataDirCandidates(env, platform, home)[0] as string
}

export type FlatYamlScalar = string | number | boolean | null
export type FlatYamlEntry = { ok: true, value: FlatYamlScalar } | { ok: false, reason: string }

const YAML_NULLS = new Set(['~', 'null', 'Null', 'NULL'])
// YAML 1.1 booleans as PyYAML resolves them.
const YAML_TRUE = new Set(['yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'])
const YAML_FALSE = new Set(['no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'])
const DOUBLE_QUOTE_ESCAPES: Readonly<Record<string, string>> = {
  0: '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029'
}
const HEX_ESCAPE_LENGTHS: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 }
// PyYAML separates tokens with spaces only; a tab there is a syntax error to it.
const TRAILER = /^(?: +#.*)? *$/

const MULTI_LINE_QUOTE = 'a quoted value that spans several lines'

function unsupported (reason: string): FlatYamlEntry {
  return { ok: false, reason }
}

/** Index of the quote that closes a quoted scalar continued on this line, or -1. */
function closingQuote (line: string, quote: string): number {
  for (let i = 0; i < line.length; i++) {
    if (quote === '"' && line[i] === '\\') i++
    else if (line[i] === quote && quote === '\'' && line[i + 1] === '\'') i++
    else if (line[i] === quote) return i
  }
  return -1
}

function parseSingleQuoted (raw: string): FlatYamlEntry {
  let out = ''
  for (let i = 1; i < raw.length; i++) {
    if (raw[i] !== '\'') {
      out += raw[i]
    } else if (raw[i + 1] === '\'') {
      out += '\''
      i++
    } else {
      return TRAILER.test(raw.slice(i + 1)) ? { ok: true, value: out } : unsupported('text after a quoted value')
    }
  }
  return unsupported(MULTI_LINE_QUOTE)
}

function parseDoubleQuoted (raw: string): FlatYamlEntry {
  let out = ''
  for (let i = 1; i < raw.length; i++) {
    const ch = raw[i] as string
    if (ch === '"') {
      return TRAILER.test(raw.slice(i + 1)) ? { ok: true, value: out } : unsupported('text after a quoted value')
    }
    if (ch !== '\\') {
      out += ch
      continue
    }
    const esc = raw[i + 1]
    if (esc === undefined) return unsupported(MULTI_LINE_QUOTE)
    const simple = DOUBLE_QUOTE_ESCAPES[esc]
    const hexLength = HEX_ESCAPE_LENGTHS[esc]
    if (simple !== undefined) {
      out += simple
      i++
    } else if (hexLength !== undefined) {
      const hex = raw.slice(i + 2, i + 2 + hexLength)
      if (!new RegExp(`^[0-9A-Fa-f]{${hexLength}}$`).test(hex)) return unsupported(`a bad \\${esc} escape`)
      const codePoint = Number.parseInt(hex, 16)
      if (codePoint > 0x10ffff) return unsupported(`a bad \\${esc} escape`)
      out += String.fromCodePoint(codePoint)
      i += 1 + hexLength
    } else {
      return unsupported(`an unknown escape \\${esc}`)
    }
  }
  return unsupported(MULTI_LINE_QUOTE)
}

function parseValue (raw: string): FlatYamlEntry {
  if (raw === '' || raw.startsWith('#')) return { ok: true, value: null }
  if (raw.startsWith('\'')) return parseSingleQuoted(raw)
  if (raw.startsWith('"')) return parseDoubleQuoted(raw)
  // Flow collections, anchors, aliases, tags, block scalars, reserved and block indicators: not a flat scalar.
  if (/^[[\]{},&*!|>%@`]/.test(raw) || /^[-?:](?: |$)/.test(raw)) return unsupported('not a plain scalar')
  const comment = / #/.exec(raw)
  const plain = (comment === null ? raw : raw.slice(0, comment.index)).replace(/ +$/, '')
  if (plain.includes('\t')) return unsupported('a tab, which YAML does not allow here')
  if (/:(?: |$)/.test(plain)) return unsupported('a nested mapping')
  if (YAML_NULLS.has(plain)) return { ok: true, value: null }
  if (YAML_TRUE.has(plain)) return { ok: true, value: true }
  if (YAML_FALSE.has(plain)) return { ok: true, value: false }
  if (/^[-+]?(?:0|[1-9][0-9_]*)$/.test(plain)) return { ok: true, value: Number(plain.replaceAll('_', '')) }
  // Floats, octal/hex/binary/sexagesimal ints, timestamps, .inf/.nan: YAML would not read these as the
  // string they look like, and no key read here holds one.
  if (/^[-+]?[0-9.]/.test(plain) || plain === '=') return unsupported('a number or date YAML reads differently')
  return { ok: true, value: plain }
}

/**
 * Reads a YAML document made of top-level `key: scalar` lines: what quilt3's `yaml.dump` of its flat
 * config dict produces. No YAML library is a dependency and one file of flat scalars does not justify
 * adding one; so instead of guessing, anything beyond flat scalars (nesting, lists, multi-line or
 * numeric-looking values) is returned as `{ ok: false }` for that key, and only a line that cannot be
 * attributed to a key throws.
 */
export function parseFlatYaml (text: string): Map<string, FlatYamlEntry> {
  const entries = new Map<string, FlatYamlEntry>()
  let lastKey: string | undefined
  let started = false
  // NEL, LS and PS are line breaks to YAML 1.1 too.
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|[\n\r\x85\u2028\u2029]/)
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string
    if (/^[ \t]*(?:#.*)?$/.test(line)) continue
    if (!started && /^---(?: +#.*)? *$/.test(line)) {
      started = true
      continue
    }
    started = true
    // Indented lines and PyYAML's indentless `- item` lists belong to the previous key's value.
    if (/^[ \t]/.test(line) || /^-(?: |$)/.test(line)) {
      if (lastKey === undefined) throw new Error(`line ${index + 1}: indented line before any key`)
      entries.set(lastKey, unsupported('a value that spans several lines'))
      continue
    }
    const match = /^([A-Za-z_][A-Za-z0-9_.-]*) *:(?: +(.*))?$/.exec(line)
    if (match === null) throw new Error(`line ${index + 1}: not a "key: value" line`)
    lastKey = match[1] as string
    const raw = match[2] ?? ''
    const entry = parseValue(raw)
    entries.set(lastKey, entry)
    if (!entry.ok && entry.reason === MULTI_LINE_QUOTE) {
      // Skip to the closing quote so that text inside the quotes is never read as keys.
      const quote = raw[0] as string
      let close = -1
      while (close < 0 && ++index < lines.length) close = closingQuote(lines[index] as string, quote)
      if (close < 0) throw new Error(`line ${index}: unterminated quoted value`)
      if (!TRAILER.test((lines[index] as string).slice(close + 1))) throw new Error(`line ${index + 1}: text after a quoted value`)
    }
  }
  return entries
}

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })

const ConfigSchema = z.object({
  navigator_url: httpUrl.nullish(),
  registryUrl: httpUrl.nullish()
})

const AuthEntrySchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().optional(),
  expires_at: z.number()
})

function stripTrailingSlashes (url: string): string {
  return url.replace(/\/+$/, '')
}

function errorCode (err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined
}

async function readOptional (file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined
    throw new LocalCredentialsError(`Cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
}

async function isDirectory (dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory()
  } catch (err) {
    if (errorCode(err) === 'ENOENT' || errorCode(err) === 'ENOTDIR') return false
    throw new LocalCredentialsError(`Cannot read ${dir}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
}

function formatIssues (error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(file)'} ${issue.message}`).join('; ')
}

/** Picks the first candidate quilt3 has configured, else the first that exists. */
async function locateDataDir (candidates: string[]): Promise<{ dir: string, config?: string }> {
  let existing: string | undefined
  for (const dir of candidates) {
    if (!(await isDirectory(dir))) continue
    const config = await readOptional(path.join(dir, 'config.yml'))
    if (config !== undefined) return { dir, config }
    existing ??= dir
  }
  if (existing !== undefined) return { dir: existing }
  const first = candidates[0] as string
  const searched = candidates.length === 1 ? first : `${first} (also searched: ${candidates.slice(1).join(', ')})`
  throw new NotLoggedInError('no_data_dir', first, `No quilt3 login found: the quilt3 data directory ${searched} does not exist. ${CONFIGURE_REMEDY} ${ENV_REMEDY}`)
}

function readConfig (text: string, configPath: string): z.infer<typeof ConfigSchema> {
  let entries: Map<string, FlatYamlEntry>
  try {
    entries = parseFlatYaml(text)
  } catch (err) {
    throw new LocalCredentialsError(`Cannot parse ${configPath} (${err instanceof Error ? err.message : String(err)}); it is not the flat file quilt3 writes. Run \`quilt3 config https://your-catalog.example.com\` to rewrite it.`, { cause: err })
  }
  const picked: Record<string, FlatYamlScalar> = {}
  for (const key of ['navigator_url', 'registryUrl']) {
    const entry = entries.get(key)
    if (entry === undefined) continue
    if (!entry.ok) throw new LocalCredentialsError(`Cannot read ${key} in ${configPath}: it holds ${entry.reason}, not a URL. Run \`quilt3 config https://your-catalog.example.com\` to rewrite it.`)
    picked[key] = entry.value
  }
  const parsed = ConfigSchema.safeParse(picked)
  if (!parsed.success) throw new LocalCredentialsError(`Invalid ${configPath}: ${formatIssues(parsed.error)}. Run \`quilt3 config https://your-catalog.example.com\` to rewrite it.`)
  return parsed.data
}

/**
 * The bearer token quilt3 itself would send to its configured registry, read from quilt3's files. Throws
 * NotLoggedInError when there is no usable login, LocalCredentialsError when the files are unreadable.
 */
export async function readQuilt3Login (opts: Quilt3LoginOptions = {}): Promise<LocalCredentials> {
  const now = opts.now ?? Date.now
  const candidates = opts.dataDir !== undefined ? [opts.dataDir] : quilt3DataDirCandidates(opts.env, opts.platform, opts.home)
  const { dir, config } = await locateDataDir(candidates)
  const configPath = path.join(dir, 'config.yml')
  if (config === undefined) {
    throw new NotLoggedInError('no_config', dir, `quilt3 is not configured for a catalog: ${configPath} does not exist. ${CONFIGURE_REMEDY} ${ENV_REMEDY}`)
  }
  const { navigator_url: navigatorUrl, registryUrl } = readConfig(config, configPath)
  // quilt3 needs registryUrl for login; navigator_url alone (set by hand) is not enough.
  if (registryUrl == null) {
    const what = navigatorUrl == null ? 'no catalog (navigator_url and registryUrl are empty)' : `navigator_url ${navigatorUrl} but no registryUrl`
    throw new NotLoggedInError('no_catalog', dir, `quilt3 has ${what} in ${configPath}. ${CONFIGURE_REMEDY} ${ENV_REMEDY}`)
  }
  const catalogUrl = navigatorUrl == null ? undefined : stripTrailingSlashes(navigatorUrl)
  const catalog = catalogUrl ?? registryUrl

  const authPath = path.join(dir, 'auth.json')
  const authText = await readOptional(authPath)
  let auth: unknown = {}
  if (authText !== undefined) {
    try {
      auth = JSON.parse(authText)
    } catch (err) {
      throw new LocalCredentialsError(`Cannot parse ${authPath} as JSON. ${LOGIN_REMEDY}`, { cause: err })
    }
  }
  if (typeof auth !== 'object' || auth === null || Array.isArray(auth)) {
    throw new LocalCredentialsError(`${authPath} is not the JSON object quilt3 writes. ${LOGIN_REMEDY}`)
  }
  // Keyed by registryUrl exactly as written in config.yml, as quilt3 looks it up (`logged_in`, `_create_auth`).
  const raw = Object.hasOwn(auth, registryUrl) ? (auth as Record<string, unknown>)[registryUrl] : undefined
  if (raw === undefined || raw === null) {
    throw new NotLoggedInError('no_auth', dir, `quilt3 is configured for ${catalog} but not logged in: ${authPath} has no login for the registry ${registryUrl}. ${LOGIN_REMEDY} ${ENV_REMEDY}`)
  }
  const entry = AuthEntrySchema.safeParse(raw)
  if (!entry.success) {
    throw new LocalCredentialsError(`The login for ${registryUrl} in ${authPath} is not in the format quilt3 writes (${formatIssues(entry.error)}). ${LOGIN_REMEDY}`)
  }
  const { access_token: accessToken, expires_at: expiresAt } = entry.data
  if (expiresAt < now() / 1000 + EXPIRY_MARGIN_SECONDS) {
    // quilt3 would now trade the refresh token at <registryUrl>/api/token and save the new pair to auth.json.
    // Doing that here without saving could leave quilt3 holding a refresh token the registry has replaced,
    // and these files are never written here; so quilt3 has to do the refresh.
    const when = Number.isFinite(expiresAt) ? new Date(expiresAt * 1000).toISOString() : String(expiresAt)
    throw new NotLoggedInError('expired', dir, `The quilt3 access token for ${registryUrl} in ${authPath} expired at ${when} (or expires within a minute). quilt3 refreshes it itself the next time it calls the registry, but this gateway only reads quilt3's files: refresh it with \`python -c "import quilt3.session; quilt3.session.get_session()"\` (any quilt3 call that contacts the catalog does it) or log in again with \`quilt3 login\`, then restart. ${ENV_REMEDY}`)
  }
  return { catalogToken: accessToken, registryUrl: stripTrailingSlashes(registryUrl), catalogUrl, expiresAt }
}

const EnvCredentialsSchema = z.object({
  QUILT_CATALOG_TOKEN: z.string(),
  QUILT_REGISTRY_URL: httpUrl,
  QUILT_CATALOG_URL: httpUrl.optional()
})

/**
 * Environment first: QUILT_CATALOG_TOKEN and QUILT_REGISTRY_URL together (QUILT_CATALOG_URL optional);
 * with none of them set, the saved quilt3 login. A partial set is an error rather than a silent fallback,
 * which would talk to a different stack than the one the user meant.
 */
export async function resolveLocalCredentials (env: Env = process.env, opts: Omit<Quilt3LoginOptions, 'env'> = {}): Promise<LocalCredentials> {
  const token = nonBlank(env.QUILT_CATALOG_TOKEN)
  const registry = nonBlank(env.QUILT_REGISTRY_URL)
  const catalog = nonBlank(env.QUILT_CATALOG_URL)
  if (token === undefined && registry === undefined) {
    if (catalog !== undefined) {
      throw new LocalCredentialsError('QUILT_CATALOG_URL is set but QUILT_CATALOG_TOKEN and QUILT_REGISTRY_URL are not. Set both of them too, or unset QUILT_CATALOG_URL to use your quilt3 login.')
    }
    return await readQuilt3Login({ ...opts, env })
  }
  if (token === undefined || registry === undefined) {
    const [set, missing] = token === undefined ? ['QUILT_REGISTRY_URL', 'QUILT_CATALOG_TOKEN'] : ['QUILT_CATALOG_TOKEN', 'QUILT_REGISTRY_URL']
    throw new LocalCredentialsError(`${set} is set but ${missing} is not: set both (QUILT_CATALOG_URL is optional), or unset ${set} to use your quilt3 login.`)
  }
  const parsed = EnvCredentialsSchema.safeParse({ QUILT_CATALOG_TOKEN: token, QUILT_REGISTRY_URL: registry, QUILT_CATALOG_URL: catalog })
  if (!parsed.success) throw new LocalCredentialsError(`Invalid local credentials: ${formatIssues(parsed.error)}.`)
  const { QUILT_REGISTRY_URL: registryUrl, QUILT_CATALOG_URL: catalogUrl } = parsed.data
  return {
    catalogToken: token,
    registryUrl: stripTrailingSlashes(registryUrl),
    catalogUrl: catalogUrl === undefined ? undefined : stripTrailingSlashes(catalogUrl)
  }
}
