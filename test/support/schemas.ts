import {readFileSync} from 'node:fs'
import {Ajv} from 'ajv'
import {expect} from 'vitest'

/** A JSON schema of schemas/, compiled. */
export function schema(name: string) {
  return new Ajv({allErrors: true}).compile(
    JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8')),
  )
}

export const upResultSchema = schema('up-result.schema.json')

/** Parses an `up --json` / `bridge --json` result and checks it against its schema. */
export function expectUpResult(stdout: string): unknown {
  const result: unknown = JSON.parse(stdout)
  expect(upResultSchema(result), JSON.stringify(upResultSchema.errors)).toBe(true)
  return result
}
