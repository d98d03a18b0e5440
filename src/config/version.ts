import { readFileSync } from 'node:fs'

// Read at start-up from the package itself (same relative place from src/ and dist/), so the version
// reported to MCP clients and in logs is never a second copy to keep in sync.
export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version
