import {describe, expect, it} from 'vitest'
import {renderRootHelp} from '../../src/cli/root-help.js'

describe('root help', () => {
  const text = renderRootHelp({
    bin: 'geniro-dev',
    description: 'The Geniro chart, locally.',
    versionLine: 'geniro-dev/1.0.0 linux-x64 node-v22.0.0',
    topicSeparator: ' ',
    commands: [
      {id: 'doctor', summary: 'Check this machine.'},
      {id: 'help', description: 'Display help for <%= config.bin %>.\nMore text.'},
      {id: 'autocomplete:script', summary: 'internal', hidden: true},
      {id: 'forward:status', summary: 'Show forwards.'},
      {id: 'secret', summary: 'hidden one', hidden: true},
    ],
  })

  it('lists visible top-level commands with their one-line summaries', () => {
    expect(text).toContain('  doctor  Check this machine.')
    expect(text).toContain('  help    Display help for geniro-dev.')
    expect(text).not.toContain('More text')
    expect(text).not.toContain('hidden one')
    expect(text).not.toContain('autocomplete:script')
  })

  it('ends with the exit-code table', () => {
    expect(text).toMatch(/EXIT CODES\n {2}0 {3}Success\./)
  })
})
