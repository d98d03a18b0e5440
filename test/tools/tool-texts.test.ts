import t from 'tap'
import { startGateway } from '../helpers/app.js'
import { startFakeRegistry } from '../helpers/fake-registry.js'
import { connectClient } from '../helpers/mcp-client.js'
import { signToken } from '../helpers/tokens.js'

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Sentences in `text` that call `arg` optional: "optional commit message", "message (optional)". An
 * argument is named as written (`package_name`) or in words ("package name"), and for a one-word
 * argument, as the last word of a phrase ("commit message").
 */
function callsOptional (text: string, arg: string): string[] {
  const name = `(?:${escape(arg)}|${escape(arg.replace(/_/g, ' '))})`
  const patterns = [
    new RegExp(`\\boptional(?:ly)?\\b[^.;:,()]{0,40}?\\b${name}\\b`, 'i'),
    new RegExp(`\\b${name}\\b\\s*\\((?:optional|if any)\\)`, 'i')
  ]
  return text.split(/(?<=[.;])\s+/).filter((sentence) => patterns.some((pattern) => pattern.test(sentence)))
}

t.test('no tool text calls a required argument optional (issue 16: package_create\'s message)', async (t) => {
  const registry = await startFakeRegistry(t)
  const { url } = await startGateway(t)
  const client = await connectClient(t, url, signToken({ registry_url: registry.url, sub: 'reader' }))
  const { tools } = await client.listTools()
  t.ok(tools.length > 10, `${tools.length} tools listed`)
  const wrong: string[] = []
  for (const tool of tools) {
    const properties = tool.inputSchema.properties as Record<string, { description?: string }> | undefined ?? {}
    for (const arg of tool.inputSchema.required ?? []) {
      for (const sentence of callsOptional(tool.description ?? '', arg)) wrong.push(`${tool.name}: "${sentence}" (${arg} is required)`)
      const own = properties[arg]?.description ?? ''
      if (/^\s*optional\b|\(optional\)/i.test(own)) wrong.push(`${tool.name}.${arg}: "${own}" (required)`)
    }
  }
  t.same(wrong, [], 'required arguments are never called optional')
  t.same(callsOptional('Creates a package, with an optional commit message, metadata and workflow.', 'message'), ['Creates a package, with an optional commit message, metadata and workflow.'], 'the check finds the old package_create text')
  t.same(callsOptional('The bucket (optional) to use.', 'bucket'), ['The bucket (optional) to use.'])

  const deleteTool = tools.find((tool) => tool.name === 'package_delete')!
  t.match(deleteTool.annotations, { destructiveHint: true, idempotentHint: false }, 'package_delete is not idempotent: each repeat without a hash deletes more')
})
