import t from 'tap'
import { buildTestApp } from '../helpers/app.js'

t.test('metadata names the public MCP URL exactly, at both well-known paths', async (t) => {
  const { app } = await buildTestApp(t, { publicUrl: 'https://catalog.example.com' })
  for (const url of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 200)
    t.match(res.json(), { resource: 'https://catalog.example.com/mcp', bearer_methods_supported: ['header'] })
  }
})

t.test('without MCP_PUBLIC_URL the proxy headers decide, and 401s point at the metadata', async (t) => {
  const { app } = await buildTestApp(t, { mcpPath: '/quilt/mcp' })
  const headers = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'catalog.example.com', host: 'internal:8000' }
  const res = await app.inject({ url: '/.well-known/oauth-protected-resource/quilt/mcp', headers })
  t.equal(res.json().resource, 'https://catalog.example.com/quilt/mcp')
  const unauthenticated = await app.inject({ method: 'POST', url: '/quilt/mcp', headers, payload: {} })
  t.match(unauthenticated.headers['www-authenticate'], /resource_metadata="https:\/\/catalog\.example\.com\/\.well-known\/oauth-protected-resource\/quilt\/mcp"$/)
  const direct = await app.inject({ url: '/.well-known/oauth-protected-resource', headers: { host: 'gateway.local:8000' } })
  t.equal(direct.json().resource, 'http://gateway.local:8000/quilt/mcp')
})
