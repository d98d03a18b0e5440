import {
  buildSchema, isEnumType, isInputObjectType, isInterfaceType, isNonNullType, isObjectType, isUnionType,
  type GraphQLArgument, type GraphQLInputField, type GraphQLSchema
} from 'graphql'
import t from 'tap'
import { eraSdl, NEWEST_ERA } from '../../src/sample-registry/eras.js'
import { sampleRegistrySdl } from '../../src/sample-registry/schema.js'

type Input = GraphQLArgument | GraphQLInputField

const required = (input: Input) => isNonNullType(input.type) && input.defaultValue === undefined

/**
 * Differences that would let a document pass the sample registry and fail the real one: anything of
 * ours missing or typed differently there, and anything required there that ours does not ask for.
 */
function compareInputs (where: string, ours: readonly Input[], theirs: readonly Input[]): string[] {
  const problems: string[] = []
  for (const input of ours) {
    const match = theirs.find((other) => other.name === input.name)
    if (!match) problems.push(`${where}(${input.name}): not in the reference`)
    else if (String(match.type) !== String(input.type)) problems.push(`${where}(${input.name}): ${String(input.type)}, reference ${String(match.type)}`)
    else if (JSON.stringify(match.defaultValue) !== JSON.stringify(input.defaultValue)) {
      problems.push(`${where}(${input.name}): default ${JSON.stringify(input.defaultValue)}, reference ${JSON.stringify(match.defaultValue)}`)
    }
  }
  for (const input of theirs) {
    if (required(input) && !ours.some((o) => o.name === input.name)) problems.push(`${where}(${input.name}): required in the reference, missing here`)
  }
  return problems
}

function compareSchemas (ours: GraphQLSchema, reference: GraphQLSchema): string[] {
  const problems: string[] = []
  for (const type of Object.values(ours.getTypeMap())) {
    if (type.name.startsWith('__')) continue
    const theirs = reference.getType(type.name)
    if (!theirs) {
      problems.push(`${type.name}: not in the reference`)
      continue
    }
    if (theirs.constructor !== type.constructor) {
      problems.push(`${type.name}: ${type.constructor.name}, reference ${theirs.constructor.name}`)
      continue
    }
    if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(theirs) || isInterfaceType(theirs))) {
      const fields = theirs.getFields()
      for (const field of Object.values(type.getFields())) {
        const match = fields[field.name]
        if (!match) problems.push(`${type.name}.${field.name}: not in the reference`)
        else if (String(match.type) !== String(field.type)) problems.push(`${type.name}.${field.name}: ${String(field.type)}, reference ${String(match.type)}`)
        else problems.push(...compareInputs(`${type.name}.${field.name}`, field.args, match.args))
      }
    } else if (isInputObjectType(type) && isInputObjectType(theirs)) {
      problems.push(...compareInputs(type.name, Object.values(type.getFields()), Object.values(theirs.getFields())))
    } else if (isUnionType(type) && isUnionType(theirs)) {
      const members = theirs.getTypes().map((member) => member.name)
      for (const member of type.getTypes()) {
        if (!members.includes(member.name)) problems.push(`${type.name}: member ${member.name} not in the reference`)
      }
    } else if (isEnumType(type) && isEnumType(theirs)) {
      const values = theirs.getValues().map((value) => value.name)
      for (const value of type.getValues()) {
        if (!values.includes(value.name)) problems.push(`${type.name}.${value.name}: not in the reference`)
      }
    }
  }
  return problems
}

t.test('the sample registry SDL is a faithful subset of the reference registry schema', async (t) => {
  const ours = buildSchema(sampleRegistrySdl)
  // The reference declares its own @admin directive, so it builds as is.
  const reference = buildSchema(eraSdl(NEWEST_ERA))
  t.same(compareSchemas(ours, reference), [], 'no type, field, argument, default or union member differs')
  for (const name of ['Datetime', 'Json', 'JsonRecord', 'PackageContentsFlatMap', 'PackageConstructResult', 'PackageRevisionDeleteResult', 'SearchHitPackage']) {
    t.ok(ours.getType(name), `covers ${name}`)
  }
})

t.test('the comparison catches a drifted field, argument default and union member', async (t) => {
  const reference = buildSchema(sampleRegistrySdl)
  const drifted = buildSchema(sampleRegistrySdl
    .replace('totalEntries: Int\n', 'totalEntries: Int!\n')
    .replace('perPage: Int = 10', 'perPage: Int = 20')
    .replace('PackageRevisionDeleteSuccess | OperationError', 'PackageRevisionDeleteSuccess | OperationError | InvalidInput'))
  t.same(compareSchemas(drifted, reference).sort(), [
    'PackageRevision.totalEntries: Int!, reference Int',
    'PackageRevisionDeleteResult: member InvalidInput not in the reference',
    'PackageRevisionList.page(perPage): default 20, reference 10'
  ])
})
