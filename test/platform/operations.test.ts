import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { buildSchema, Kind, parse, validate } from 'graphql'
import t from 'tap'
import type { Operation, Variables } from '../../src/platform/registry-client.js'

// The registry schema is reference material kept outside the project (see DESIGN.md).
const schemaPath = process.env.QUILT_REGISTRY_SCHEMA ??
  fileURLToPath(new URL('../../../shared/reference/quilt-registry-schema.graphql', import.meta.url))
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
  if (!existsSync(schemaPath)) {
    t.fail(`Registry schema not found at ${schemaPath}. Set QUILT_REGISTRY_SCHEMA to the path of quilt-registry-schema.graphql.`)
    return
  }
  // The reference schema uses an @admin directive on fields; buildSchema needs it declared, which it is.
  const schema = buildSchema(readFileSync(schemaPath, 'utf8'))
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
