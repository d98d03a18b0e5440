/**
 * The login the quilt3 Python client saved on disk, for the single-user stdio mode. The files are
 * quilt3's: they are only read, never written, and no token ever appears in an error message.
 *
 * What quilt3 does (quiltdata/quilt, api/python/quilt3):
 * - util.py: CONFIG_PATH = BASE_PATH/config.yml, written with yaml.dump and read with yaml.safe_load;
 *   `registryUrl` and `navigator_url` come from the catalog's config.json when the user runs
 *   `quilt3 config <catalog-url>`.
 * - session.py: auth.json maps the registry URL (exactly as in config.yml) to
 *   { refresh_token, access_token, expires_at }; the registry, GraphQL included, gets
 *   `Authorization: Bearer <access_token>`, refreshed through <registryUrl>/api/token when it expires
 *   within 60 seconds.
 */
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { CONFIGURE_REMEDY, ENV_REMEDY, formatIssues, LOGIN_REMEDY, LocalCredentialsError, NotLoggedInError } from './errors.js'
import { quilt3DataDirCandidates, type Env } from './quilt3-data-dir.js'

export interface LocalCredentials {
  /** Bearer credential for the registry. Never logged. */
  catalogToken: string
  /** Registry origin (and path, if any) without a trailing slash; GraphQL lives at `${registryUrl}/graphql`. */
  registryUrl: string
  catalogUrl?: string
  /** Seconds since the epoch at which a quilt3 access token stops working; absent for env credentials. */
  expiresAt?: number
}

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

// quilt3 treats a token expiring within this many seconds as already expired and refreshes it instead
// (session.py `_create_auth`), so it would never send such a token; neither do we.
const EXPIRY_MARGIN_SECONDS = 60

const REWRITE_CONFIG = 'Run `quilt3 config https://your-catalog.example.com` to rewrite it.'

export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })

// quilt3's config.yml is a flat mapping; only these two keys matter here, the others are left unread.
const ConfigSchema = z.object({
  navigator_url: httpUrl.nullish(),
  registryUrl: httpUrl.nullish()
}, { error: 'must be the "key: value" mapping quilt3 writes' })

const AuthEntrySchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().optional(),
  expires_at: z.number()
})

export function stripTrailingSlashes (url: string): string {
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
  let document: unknown
  try {
    // PyYAML reads YAML 1.1 (yes/no are booleans) and lets a repeated key win, as yaml.dump never writes one.
    document = parseYaml(text, { version: '1.1', uniqueKeys: false })
  } catch (err) {
    throw new LocalCredentialsError(`Cannot parse ${configPath} (${err instanceof Error ? err.message : String(err)}); it is not the file quilt3 writes. ${REWRITE_CONFIG}`, { cause: err })
  }
  // An empty file is an empty mapping to PyYAML's safe_load (None), and to quilt3.
  const parsed = ConfigSchema.safeParse(document ?? {})
  if (!parsed.success) throw new LocalCredentialsError(`Invalid ${configPath}: ${formatIssues(parsed.error)}. ${REWRITE_CONFIG}`)
  return parsed.data
}

/** auth.json's entry for the registry, keyed exactly as config.yml spells it (quilt3's `logged_in`, `_create_auth`). */
async function readAuthEntry (dir: string, registryUrl: string, catalog: string): Promise<z.infer<typeof AuthEntrySchema>> {
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
  const raw = Object.hasOwn(auth, registryUrl) ? (auth as Record<string, unknown>)[registryUrl] : undefined
  if (raw === undefined || raw === null) {
    throw new NotLoggedInError('no_auth', dir, `quilt3 is configured for ${catalog} but not logged in: ${authPath} has no login for the registry ${registryUrl}. ${LOGIN_REMEDY} ${ENV_REMEDY}`)
  }
  const entry = AuthEntrySchema.safeParse(raw)
  if (!entry.success) {
    throw new LocalCredentialsError(`The login for ${registryUrl} in ${authPath} is not in the format quilt3 writes (${formatIssues(entry.error)}). ${LOGIN_REMEDY}`)
  }
  return entry.data
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
  const { access_token: accessToken, expires_at: expiresAt } = await readAuthEntry(dir, registryUrl, catalogUrl ?? registryUrl)
  if (expiresAt < now() / 1000 + EXPIRY_MARGIN_SECONDS) {
    // quilt3 would now trade the refresh token at <registryUrl>/api/token and save the new pair to auth.json.
    // Doing that here without saving could leave quilt3 holding a refresh token the registry has replaced,
    // and these files are never written here; so quilt3 has to do the refresh.
    const when = Number.isFinite(expiresAt) ? new Date(expiresAt * 1000).toISOString() : String(expiresAt)
    throw new NotLoggedInError('expired', dir, `The quilt3 access token for ${registryUrl} in ${path.join(dir, 'auth.json')} expired at ${when} (or expires within a minute). quilt3 refreshes it itself the next time it calls the registry, but this gateway only reads quilt3's files: refresh it with \`python -c "import quilt3.session; quilt3.session.get_session()"\` (any quilt3 call that contacts the catalog does it) or log in again with \`quilt3 login\`, then restart. ${ENV_REMEDY}`)
  }
  return { catalogToken: accessToken, registryUrl: stripTrailingSlashes(registryUrl), catalogUrl, expiresAt }
}
