#!/usr/bin/env node
// Build step after `oclif manifest`: composes dist/root-help.json for bin/run.js's fast path.
import {writeLeanAnswers} from '../dist/cli/root-help-answers.js'

writeLeanAnswers(new URL('../', import.meta.url))
