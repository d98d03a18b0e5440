import { buildSchema, graphqlSync, type GraphQLSchema } from 'graphql'
import { capabilitiesQuery } from '../../src/platform/capabilities.js'
import type { RegistryCapabilities } from '../../src/platform/operation.js'
import { eraSdl, type Era } from '../../packages/sample-stack/src/eras.js'

export { ERAS, NEWEST_ERA, type Era } from '../../packages/sample-stack/src/eras.js'

const schemas = new Map<Era, GraphQLSchema>()

/** The vendored registry schema of an era, built once per test process. */
export function eraSchema (era: Era): GraphQLSchema {
  let schema = schemas.get(era)
  if (schema === undefined) {
    schema = buildSchema(eraSdl(era))
    schemas.set(era, schema)
  }
  return schema
}

/** What the gateway learns from a registry of that era: its own introspection query, run on the schema. */
export function capabilitiesOf (era: Era): RegistryCapabilities {
  const result = graphqlSync({ schema: eraSchema(era), source: capabilitiesQuery.document })
  if (result.errors !== undefined) throw new Error(`introspection failed on ${era}: ${result.errors.map((e) => e.message).join('; ')}`)
  return capabilitiesQuery.result.parse(result.data)
}
