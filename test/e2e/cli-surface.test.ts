/**
 * The CLI's surface — every command, its arguments and flags (name, short form, kind, choices,
 * default, environment variable) — against the committed test/fixtures/cli-surface.txt, read
 * from the manifest the build generates. A renamed or removed flag, a changed default or a new
 * command shows as a diff to review; when the change is meant, `npx vitest run --project tools
 * test/e2e/cli-surface.test.ts -u` writes the new surface.
 */
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'

interface ManifestFlag {
  name: string
  char?: string
  type: 'boolean' | 'option'
  options?: string[]
  multiple?: boolean
  default?: unknown
  env?: string
  hidden?: boolean
  allowNo?: boolean
}

interface ManifestCommand {
  args: Record<string, {name: string; required?: boolean}>
  flags: Record<string, ManifestFlag>
  strict?: boolean
  hidden?: boolean
}

const manifest = JSON.parse(
  readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8'),
) as {commands: Record<string, ManifestCommand>}

function flagLine(flag: ManifestFlag): string {
  const name = `${flag.char ? `-${flag.char}, ` : ''}--${flag.allowNo ? '[no-]' : ''}${flag.name}`
  const facts = [
    flag.type === 'option' ? `value${flag.multiple ? '…' : ''}` : 'switch',
    flag.options ? `one of ${flag.options.join('|')}` : undefined,
    flag.default !== undefined ? `default ${JSON.stringify(flag.default)}` : undefined,
    flag.env ? `env ${flag.env}` : undefined,
    flag.hidden ? 'hidden' : undefined,
  ].filter(Boolean)
  return `  ${name}  (${facts.join('; ')})`
}

function surface(): string {
  return Object.entries(manifest.commands)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, command]) => {
      const args = Object.values(command.args).map((arg) =>
        arg.required ? `<${arg.name}>` : `[${arg.name}]`,
      )
      const flags = Object.values(command.flags)
        .sort((a, b) => a.name.localeCompare(b.name))
        .map(flagLine)
      const strict = command.strict === false ? ' (takes more arguments)' : ''
      return [`${id.replaceAll(':', ' ')} ${args.join(' ')}${strict}`.trimEnd(), ...flags].join(
        '\n',
      )
    })
    .join('\n\n')
}

describe('the CLI surface', () => {
  it('is what test/fixtures/cli-surface.txt records', async () => {
    await expect(`${surface()}\n`).toMatchFileSnapshot('../fixtures/cli-surface.txt')
  })
})
