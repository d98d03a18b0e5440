import { z } from 'zod'
import { RegistryInputError, RegistryQueryError } from './registry-errors.js'

/**
 * The registry reports expected failures as typed arms of result unions rather than GraphQL `errors`.
 * Every operation with such a union selects these arms and passes the result through `unwrapArms`,
 * so an error arm can never be mistaken for an empty success.
 */
const INVALID_INPUT_ARM = '... on InvalidInput { errors { path message name } }'
export const ERROR_ARMS = `${INVALID_INPUT_ARM} ... on OperationError { message name }`

/** The error arms of a union that gained `OperationError` only in later eras (the search unions). */
export const errorArmsWhere = (hasOperationError: boolean) => hasOperationError ? ERROR_ARMS : INVALID_INPUT_ARM

export const InvalidInputArm = z.object({
  __typename: z.literal('InvalidInput'),
  errors: z.array(z.object({ path: z.string().nullable(), message: z.string(), name: z.string() }))
})

export const OperationErrorArm = z.object({
  __typename: z.literal('OperationError'),
  message: z.string(),
  name: z.string()
})

type ErrorArm = z.infer<typeof InvalidInputArm> | z.infer<typeof OperationErrorArm>

/**
 * Returns the success arm, or throws: `InvalidInput` as a RegistryInputError naming each bad input,
 * `OperationError` as a RegistryQueryError that says what could not be done (`action`, e.g.
 * "search packages") and that this is a registry-side failure.
 */
export function unwrapArms<T extends { __typename: string }> (operation: string, action: string, value: T): Exclude<T, ErrorArm> {
  const arm = value as T | ErrorArm
  if (arm.__typename === 'InvalidInput') throw new RegistryInputError(operation, (arm as z.infer<typeof InvalidInputArm>).errors)
  if (arm.__typename === 'OperationError') {
    const { message, name } = arm as z.infer<typeof OperationErrorArm>
    throw new RegistryQueryError(`The registry could not ${action}: ${message} (${name}). This is a failure on the registry side, not an empty result; retry later, or narrow the request if it keeps failing.`)
  }
  return value as Exclude<T, ErrorArm>
}
