import {readdirSync, readFileSync} from 'node:fs'
import {Ajv, type ValidateFunction} from 'ajv'
import {expect} from 'vitest'
import {runCli, type CliRun} from './run-cli.js'

/** What JSON.parse returns: the tests read a checked result as they read JSON.parse's. */
type Json = ReturnType<typeof JSON.parse>

const SCHEMAS = new URL('../../schemas/', import.meta.url)

/** The schema files of schemas/, by file name. */
export const schemaFiles = readdirSync(SCHEMAS)
  .filter((file) => file.endsWith('.json'))
  .sort()

/** One Ajv with every schema of schemas/ added, so the `$ref`s between the files resolve. */
const ajv = new Ajv({allErrors: true})
for (const file of schemaFiles) {
  ajv.addSchema(JSON.parse(readFileSync(new URL(file, SCHEMAS), 'utf8')) as object)
}

/** A JSON schema of schemas/ (e.g. `status.schema.json`), compiled. */
export function schema(name: string): ValidateFunction {
  const validate = ajv.getSchema(`geniro-dev/${name}`)
  if (!validate) throw new Error(`no schema geniro-dev/${name} in schemas/`)
  return validate
}

/** Checks a value against a schema of schemas/, failing with Ajv's errors; returns it. */
export function expectMatches(name: string, value: unknown): Json {
  const validate = schema(name)
  const ok = validate(value)
  expect(
    ok,
    `${name}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(validate.errors, null, 2)}`,
  ).toBe(true)
  return value
}

/** Parses a command's `--json` stdout and checks it against its schema; returns the result. */
export function expectJson(name: string, stdout: string): Json {
  return expectMatches(name, JSON.parse(stdout))
}

/** `logs --json`: one object per line, each checked against the schema; returns them. */
export function expectJsonLines(name: string, stdout: string): Json[] {
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => expectMatches(name, JSON.parse(line)))
}

export const upResultSchema = schema('up-result.schema.json')

/** Parses an `up --json` / `bridge --json` result and checks it against its schema. */
export function expectUpResult(stdout: string): unknown {
  return expectJson('up-result.schema.json', stdout)
}

/** The schema of each command's `--json` output, by its words (`logs`: of one line). */
const COMMAND_SCHEMAS: Record<string, string> = {
  bridge: 'up-result.schema.json',
  build: 'build-result.schema.json',
  doctor: 'doctor-report.schema.json',
  down: 'down-result.schema.json',
  forward: 'forward-result.schema.json',
  'forward status': 'forward-status.schema.json',
  'forward stop': 'forward-stop.schema.json',
  image: 'image-list.schema.json',
  'image load': 'image-load.schema.json',
  'image reset': 'image-reset.schema.json',
  logs: 'logs-line.schema.json',
  open: 'open-result.schema.json',
  ports: 'ports-report.schema.json',
  status: 'status.schema.json',
  up: 'up-result.schema.json',
  values: 'values.schema.json',
}

/** The schema of the `--json` output of the command these CLI arguments run. */
export function commandSchema(args: readonly string[]): string | undefined {
  const [first, second] = args
  if (first === undefined) return undefined
  return (second && COMMAND_SCHEMAS[`${first} ${second}`]) || COMMAND_SCHEMAS[first]
}

/**
 * Checks the output of a CLI run against its command's schema when it ran with `--json` and
 * succeeded (`ports` also with exit 1: a conflict, reported in full); returns it parsed (for
 * `logs`, the lines), undefined otherwise.
 */
export function expectCliJson(args: readonly string[], run: CliRun): Json {
  if (!args.includes('--json')) return undefined
  const name = commandSchema(args)
  if (!name) return undefined
  const succeeded = run.code === 0 || (args[0] === 'ports' && run.code === 1)
  if (!succeeded) return undefined
  return name === 'logs-line.schema.json'
    ? expectJsonLines(name, run.stdout)
    : expectJson(name, run.stdout)
}

/** runCli, with every successful `--json` run checked against its command's schema. */
export async function runCliChecked(
  args: string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  const run = await runCli(args, env)
  expectCliJson(args, run)
  return run
}
