import { readdirSync } from 'node:fs'
import { Kind, parse, validate } from 'graphql'
import t from 'tap'
import { isEraOperation, type EraOperation, type Operation, type Variables } from '../../src/platform/operation.js'
import { capabilitiesOf, eraSchema, ERAS } from '../helpers/eras.js'

const operationsDir = new URL('../../src/platform/operations/', import.meta.url)

type AnyOperation = Operation<Variables, unknown> | EraOperation<Variables, unknown>

function isOperation (value: unknown): value is AnyOperation {
  return typeof value === 'object' && value !== null && 'kind' in value && 'result' in value && 'name' in value && ('document' in value || 'shape' in value)
}

async function loadOperations (): Promise<AnyOperation[]> {
  const files = [...readdirSync(operationsDir).filter((file) => file.endsWith('.ts')).map((file) => new URL(file, operationsDir).href), new URL('../../src/platform/capabilities.ts', import.meta.url).href]
  const modules = await Promise.all(files.map((file) => import(file) as Promise<Record<string, unknown>>))
  return modules.flatMap((module) => Object.values(module).filter(isOperation))
}

t.test('every operation the gateway sends is valid against every supported era, in the shape it sends there', async (t) => {
  const operations = await loadOperations()
  t.ok(operations.length >= 15, `found ${operations.length} operations`)
  t.equal(new Set(operations.map((op) => op.name)).size, operations.length, 'operation names are unique')
  t.ok(operations.filter(isEraOperation).length >= 5, 'search and bucket listing vary by era')
  const names = operations.map((op) => op.name)
  for (const dataOperation of ['PackagePromote', 'TabulatorTables']) t.ok(names.includes(dataOperation), `the data tools' ${dataOperation} is checked too`)
  for (const era of ERAS) {
    const schema = eraSchema(era)
    const capabilities = capabilitiesOf(era)
    for (const op of operations) {
      // Never sent to a registry that lacks it (the tool says so instead).
      if (isEraOperation(op) && op.available?.(capabilities) === false) continue
      const { document: source } = isEraOperation(op) ? op.shape(capabilities) : op
      const document = parse(source)
      const definitions = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION)
      t.equal(definitions.length, 1, `${op.name}: one operation per document`)
      t.equal(definitions[0]?.name?.value, op.name, `${op.name}: named after itself`)
      t.equal(definitions[0]?.operation, op.kind, `${op.name}: is a ${op.kind}`)
      t.same(validate(schema, document).map((e) => e.message), [], `${op.name}: valid against the ${era} schema`)
    }
  }
})

t.test('one document for all eras would not do: the newest search shape fails on the oldest registry', async (t) => {
  const { searchPackagesQuery } = await import('../../src/platform/operations/search.js')
  const newest = parse(searchPackagesQuery.shape(capabilitiesOf('2026-08-21')).document)
  t.not(validate(eraSchema('2024-10-11'), newest).length, 0)
})
