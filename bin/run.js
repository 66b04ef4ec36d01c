#!/usr/bin/env node
// Root --help and --version are answered from the manifest without loading oclif.
import {tryLeanDispatch} from '../dist/cli/lean-dispatch.js'

const root = new URL('../', import.meta.url)
if (!tryLeanDispatch(process.argv.slice(2), root)) {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
