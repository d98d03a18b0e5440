import { readdirSync } from 'node:fs'
import { buildSchema, Kind, parse, validate } from 'graphql'
import t from 'tap'
import type { Operation, Variables } from '../../src/platform/registry-client.js'
import { eraSdl, NEWEST_ERA } from '../../src/sample-registry/eras.js'
const operationsDir = new URL('../../src/platform/operations/', import.meta.url)

function isOperation (value: unknown): value is Operation<Variables, unknown> {
  return typeof value === 'object' && value !== null && 'document' in value && 'kind' in value && 'result' in value && 'name' in value
}

async function loadOperations (): Promise<Array<Operation<Variables, unknown>>> {
  const files = readdirSync(operationsDir).filter((file) => file.endsWith('.ts'))
  const modules = await Promise.all(files.map((file) => import(new URL(file, operationsDir).href) as Promise<Record<string, unknown>>))
  return modules.flatMap((module) => Object.values(module).filter(isOperation))
}

t.test('every operation the gateway sends is valid against the reference registry schema', async (t) => {
  // The vendored schema declares its @admin directive, so buildSchema takes it as is.
  const schema = buildSchema(eraSdl(NEWEST_ERA))
  const operations = await loadOperations()
  t.ok(operations.length >= 12, `found ${operations.length} operations`)
  t.equal(new Set(operations.map((op) => op.name)).size, operations.length, 'operation names are unique')
  for (const op of operations) {
    const document = parse(op.document)
    const definitions = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION)
    t.equal(definitions.length, 1, `${op.name}: one operation per document`)
    t.equal(definitions[0]?.name?.value, op.name, `${op.name}: named after itself`)
    t.equal(definitions[0]?.operation, op.kind, `${op.name}: is a ${op.kind}`)
    t.same(validate(schema, document).map((e) => e.message), [], `${op.name}: valid against the reference schema`)
  }
})
