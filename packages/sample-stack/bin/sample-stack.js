#!/usr/bin/env node
// The sample stack runs from its TypeScript source (it is never compiled or shipped): tsx loads it.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli.ts')
