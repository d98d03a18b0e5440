#!/usr/bin/env node
// The sample stack's own command line: the demo (gateway + sample registry, S3 and Athena) and the
// sample registry alone. It lives outside the gateway's package so that production images carry none of it.
import { runAsProcess } from '../../../src/commands/program.js'
import { run } from './run.js'

runAsProcess(run)
