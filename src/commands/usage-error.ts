/** A mistake on the command line: reported as one line, exit code 2, no stack. */
export class UsageError extends Error {
  override name = 'UsageError'
}
