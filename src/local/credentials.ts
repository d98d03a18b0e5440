/**
 * Credentials for the single-user stdio mode: QUILT_CATALOG_TOKEN + QUILT_REGISTRY_URL from the
 * environment, or the login the quilt3 Python client saved on disk.
 */
import { z } from 'zod'
import { formatIssues, LocalCredentialsError } from './errors.js'
import { nonBlank, type Env } from './quilt3-data-dir.js'
import { httpUrl, readQuilt3Login, stripTrailingSlashes, type LocalCredentials, type Quilt3LoginOptions } from './quilt3-login.js'

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
