#!/usr/bin/env node
import { runAsProcess } from './commands/program.js'
import { run } from './commands/run.js'

runAsProcess(run)
