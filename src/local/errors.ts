import type { z } from 'zod'

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

export const ENV_REMEDY = 'Alternatively set QUILT_CATALOG_TOKEN and QUILT_REGISTRY_URL (and optionally QUILT_CATALOG_URL) in the environment.'
export const LOGIN_REMEDY = 'Log in with the quilt3 client: `quilt3 login` on the command line, or `quilt3.login()` in Python.'
export const CONFIGURE_REMEDY = 'Point quilt3 at your catalog and log in: `quilt3 config https://your-catalog.example.com` then `quilt3 login` on the command line, or `quilt3.config(\'https://your-catalog.example.com\')` then `quilt3.login()` in Python.'

/** zod issues as one line for an error message: the values themselves (tokens among them) never appear. */
export function formatIssues (error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(file)'} ${issue.message}`).join('; ')
}
