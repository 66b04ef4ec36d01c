#!/usr/bin/env node
// Chart docs: from the annotations in <chart>/values.yaml, regenerates the parameters tables in
// <chart>/README.md and writes a strict, self-contained draft-07 <chart>/values.schema.json.
// The annotation parser and the README tables are @bitnami/readme-generator-for-helm's
// (config: helm/readme-generator.json); the schema is its output, post-processed here.
//
//   node scripts/chart-docs.mjs                       # regenerate helm/geniro
//   node scripts/chart-docs.mjs --check               # CI: exit 1 if either file is stale
//   node scripts/chart-docs.mjs --chart DIR [--check]  # another chart (tests use fixtures)
//
// Exit codes: 0 written or current, 1 stale (--check, which never writes), 2 annotation or
// usage error (one line per problem, e.g. a value without a @param annotation).
//
// Annotations in values.yaml, one `##` comment line each (only the order of @section matters):
//   ## @section Title                     starts a README table; the next params belong to it
//   ## @param a.b.c Description           documents a value; every leaf value needs one
//   ## @param a.b [mod, mod] Description  modifiers:
//       [string] [array] [object]   the type when the default is empty or null
//       [nullable]                  null is allowed too ("type": [T, "null"]); a null default
//                                   needs a type modifier as well, e.g. [string, nullable]
//       [default: X]                the README shows X instead of the values.yaml default
//   ## @extra a.b Description             documents an intermediate object (README row, schema
//                                         description)
//   ## @skip a.b                          leaves a subtree undocumented and unchecked
//   Arrays of objects: either [array] on the list (items unchecked) or one @param per field of
//   the first element: ## @param ingress.hosts[0].host ... (items then checked strictly).
//
// Enums: put `(one of: A, B, C)` in a @param description, once; usually at the end, but text
// may follow ("(one of: ClusterIP, LoadBalancer); NodePort is not offered"). The README keeps
// the text; the schema gets "enum" typed like the default (a [nullable] param also accepts
// null), and the default must be one of them.
//
// Strict vs free-form objects: an object with annotated children (image, service, a component
// block, the root) gets "additionalProperties": false, so a misspelled key fails helm
// lint/install. An object annotated itself, with [object] (podAnnotations, nodeSelector,
// resources, extraEnv maps), is free-form and stays open, as do @skip subtrees, `global` and
// the block of each Chart.yaml dependency: Helm merges globals and the subchart's own defaults
// into those before it validates, and the subchart's schema checks its block.
//
// Removed keys: `## @removed a.b Hint` keeps a key of an earlier layout (e.g. Bitnami's
// postgresql.auth) in the schema as an untyped property, so that instead of a bare "additional
// property" error the chart's own validation fails the render naming the new key (the hint).
//
// Types: integer defaults give "integer", other numbers "number". Output is sorted by key,
// 2-space indented, with a trailing newline, so reruns are byte-identical.
//
// README markers: the tool owns the `## Parameters` heading's section (any level from ##; the
// title is regexp.paramsSectionTitle in the config). Everything from that heading down to the
// section's last table line is replaced; prose after the last table, and the next heading of
// the same level onwards, is kept. Put intro text in a @descriptionStart/@descriptionEnd block.
import {copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {Ajv} from 'ajv'
import YAML from 'yaml'

const require = createRequire(import.meta.url)
const {runReadmeGenerator} = require('@bitnami/readme-generator-for-helm')
// Not part of the package's index, but it is the parser the tool itself uses, so the schema
// reads the annotations exactly as the README tables do.
const {parseMetadataComments} = require('@bitnami/readme-generator-for-helm/lib/parser')

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CONFIG = path.join(ROOT, 'helm', 'readme-generator.json')
const DEFAULT_CHART = path.join(ROOT, 'helm', 'geniro')
const COMMAND = 'node scripts/chart-docs.mjs'
const USAGE = `usage: ${COMMAND} [--chart DIR] [--check]`
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#'
const TYPE_MODIFIERS = ['string', 'array', 'object']
const ENUM = /\(one of:([^()]*)\)/g

/** Problems the user fixes in the chart; each line is printed as is and the exit code is 2. */
class ChartError extends Error {
  constructor(lines) {
    super(lines.join('\n'))
    this.lines = lines
  }
}

/** A path relative to the working directory when it is inside it, for short messages. */
function show(file) {
  const relative = path.relative(process.cwd(), file)
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file
}

/** `a.b[0].c` -> ['a', 'b', '[]', 'c']: schema paths do not care which array element. */
function segments(name) {
  return [...name.matchAll(/\[\d*\]|[^.[\]]+/g)].map(([s]) => (s.startsWith('[') ? '[]' : s))
}

const keyOf = (name) => segments(name).join('.')
const childKey = (key, segment) => (key ? `${key}.${segment}` : segment)

/** The values.yaml value at a schema path (first element of arrays). */
function lookup(values, key) {
  let value = values
  for (const segment of segments(key)) {
    if (value === null || typeof value !== 'object') return undefined
    value = segment === '[]' ? value[0] : value[segment]
  }
  return value
}

/** The JSON schema type of a YAML value; null has none of its own (see [nullable]). */
function jsonType(value) {
  if (value === null || value === undefined) return undefined
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

/** Items of a list without per-field annotations: typed only when the default says so. */
function arrayItems(value) {
  if (!Array.isArray(value) || value.length === 0) return {}
  const types = new Set(value.map(jsonType))
  if (types.has('integer') && types.has('number')) types.delete('integer')
  const [type] = types
  return types.size === 1 && type !== 'object' && type !== 'array' ? {type} : {}
}

/** The node at a schema path, created (as an object) along the way when missing. */
function place(root, key, replacement) {
  let node = root
  const parts = segments(key)
  parts.forEach((segment, index) => {
    const last = index === parts.length - 1
    if (segment === '[]') {
      node.type = 'array'
      if (last && replacement) node.items = replacement
      node.items ??= {type: 'object', properties: {}}
      node = node.items
    } else {
      node.properties ??= {}
      if (last && replacement) node.properties[segment] = replacement
      node.properties[segment] ??= {type: 'object', properties: {}}
      node = node.properties[segment]
    }
  })
  return node
}

/** Maps what the tool prints and throws to one line per problem. */
function toolErrors(logged, error, valuesFile, readmeFile, config) {
  const lines = []
  for (const line of logged) {
    const missing = /^ERROR: Missing metadata for key: (.+)$/.exec(line)
    if (missing) lines.push(`${valuesFile}: ${missing[1]} has no @param annotation`)
    const stray = /^ERROR: Metadata provided for non existing key: (.+)$/.exec(line)
    if (stray) lines.push(`${valuesFile}: @param ${stray[1]} names a key that is not in the file`)
  }
  if (lines.length > 0) return lines
  const message = String(error?.message ?? error)
  const nil = /^Invalid type 'nil' for the following values: (.+)$/.exec(message)
  if (nil) {
    return nil[1]
      .split(', ')
      .map((key) => `${valuesFile}: ${key} defaults to null: annotate it e.g. [string, nullable]`)
  }
  const modifier = /^Unknown modifier: (.+) for parameter (.+)$/.exec(message)
  if (modifier) {
    const known = 'string, array, object, nullable, default: X'
    return [`${valuesFile}: ${modifier[2]}: unknown modifier [${modifier[1]}] (known: ${known})`]
  }
  if (message.includes('Parameters section')) {
    const title = config.regexp.paramsSectionTitle
    return [`${readmeFile}: needs exactly one "## ${title}" heading for the tables to go under`]
  }
  return [`${valuesFile}: ${message.split('\n')[0]}`]
}

/** Runs the generator on scratch copies, so --check and failures never touch the chart. */
function runTool(valuesPath, readmePath, config) {
  const scratch = mkdtempSync(path.join(tmpdir(), 'chart-docs-'))
  const readme = path.join(scratch, 'README.md')
  const schema = path.join(scratch, 'values.schema.json')
  const logged = []
  const log = console.log
  copyFileSync(readmePath, readme)
  // The tool reports through console.log, then throws; keep its chatter out of our output.
  console.log = (...args) => logged.push(args.join(' '))
  try {
    runReadmeGenerator({values: valuesPath, readme, schema, config: CONFIG})
    return {readme: readFileSync(readme, 'utf8'), schema: JSON.parse(readFileSync(schema, 'utf8'))}
  } catch (error) {
    throw new ChartError(toolErrors(logged, error, show(valuesPath), show(readmePath), config))
  } finally {
    console.log = log
    rmSync(scratch, {recursive: true, force: true})
  }
}

/** `(one of: A, B)` in a description, typed like the param. */
function parseEnum(param, type, nullable, valuesFile, errors) {
  const matches = [...param.description.matchAll(ENUM)]
  if (matches.length === 0) return undefined
  if (matches.length > 1) {
    errors.push(`${valuesFile}: ${param.name}: more than one "(one of: ...)" in the description`)
    return undefined
  }
  const [match] = matches
  const words = match[1].split(',').map((word) => word.trim().replace(/^`(.*)`$/, '$1'))
  const values = []
  for (const word of words.filter(Boolean)) {
    if (type === 'string') values.push(word)
    else if ((type === 'integer' || type === 'number') && word !== '' && !isNaN(Number(word))) {
      values.push(Number(word))
    } else if (type === 'boolean' && (word === 'true' || word === 'false')) {
      values.push(word === 'true')
    } else {
      errors.push(`${valuesFile}: ${param.name}: enum value "${word}" is not a ${type}`)
    }
  }
  if (values.length === 0) errors.push(`${valuesFile}: ${param.name}: "(one of: )" lists nothing`)
  return nullable ? [...values, null] : values
}

/**
 * The tool's OpenAPI-flavoured schema made strict and draft-07: typed from the real defaults,
 * with the [object] maps and @skip subtrees it leaves out put back as open objects.
 */
function buildSchema(toolSchema, values, metadata, dependencies, valuesFile) {
  const errors = []
  const params = new Map()
  const extras = new Map()
  const replaced = new Set()
  const open = new Set(['global', ...dependencies])
  const defaults = new Map([
    ['global', 'Global values, shared with every subchart'],
    ...dependencies.map((name) => [name, `Values of the ${name} subchart, checked by its schema`]),
  ])
  for (const param of metadata.parameters) {
    const key = keyOf(param.name)
    if (param.skip) {
      replaced.add(key)
      open.add(key)
    } else if (param.extra) extras.set(key, param.description)
    else params.set(key, param)
  }

  // Freshly parsed from the tool's output, so it is ours to complete in place.
  const tree = toolSchema
  for (const [key, param] of params) {
    if (param.modifiers.includes('object')) {
      replaced.add(key)
      open.add(key)
    }
    place(tree, key, replaced.has(key) ? {} : undefined)
  }
  for (const key of replaced) if (!params.has(key)) place(tree, key, {})
  // Helm puts these at the root before validating, whether values.yaml has them or not.
  for (const key of open) if (!key.includes('.')) place(tree, key)

  const isOpen = (key) => [...open].some((o) => key === o || key.startsWith(`${o}.`))
  const hasAnnotatedChildren = (key) =>
    [...params.keys()].some((k) => key === '' || k.startsWith(`${key}.`))

  function convert(node, key) {
    const param = params.get(key)
    const out = {}
    const description = param ? param.description.trim() : (extras.get(key) ?? defaults.get(key))
    if (description) out.description = description
    if (!param && replaced.has(key)) {
      // @skip: only the kind of value is known.
      const type = jsonType(lookup(values, key))
      if (type) out.type = type
      return out
    }
    if (!param) {
      out.type = node.type ?? 'object'
      if (out.type === 'array') {
        out.items = node.items?.properties ? convert(node.items, `${key}.[]`) : {}
      }
      const children = Object.keys(node.properties ?? {}).sort()
      if (out.type === 'object' && children.length > 0) {
        out.properties = {}
        for (const child of children) {
          out.properties[child] = convert(node.properties[child], childKey(key, child))
        }
        if (!isOpen(key) && hasAnnotatedChildren(key)) out.additionalProperties = false
      }
      return out
    }

    const value = lookup(values, key)
    const modifier = param.modifiers.findLast((m) => TYPE_MODIFIERS.includes(m))
    const nullable = param.modifiers.includes('nullable')
    const type = modifier ?? jsonType(value)
    if (!type) {
      errors.push(
        `${valuesFile}: ${param.name} defaults to null: say its type, e.g. [string, nullable]`,
      )
      return out
    }
    out.type = nullable ? [type, 'null'] : type
    const choices = parseEnum(param, type, nullable, valuesFile, errors)
    if (choices) {
      out.enum = choices
      if (!choices.includes(value)) {
        errors.push(
          `${valuesFile}: ${param.name} defaults to ${JSON.stringify(value)}, not one of its enum`,
        )
      }
    }
    // Array elements have no defaults of their own.
    if (!key.includes('[]')) out.default = value
    if (type === 'array') {
      out.items = node.items?.properties ? convert(node.items, `${key}.[]`) : arrayItems(value)
    }
    return out
  }

  const properties = convert(tree, '')
  if (errors.length > 0) throw new ChartError(errors)
  return {$schema: DRAFT_07, title: 'Chart Values', ...properties}
}

/** Lets each `## @removed` key through the schema, described by its migration hint. */
function allowRemovedKeys(schema, valuesText, valuesFile) {
  const errors = []
  for (const [, name, hint] of valuesText.matchAll(/^\s*## @removed (\S+) (.+)$/gm)) {
    const parts = segments(name)
    let node = schema
    for (const part of parts.slice(0, -1)) node = node?.properties?.[part]
    if (!node?.properties) {
      errors.push(`${valuesFile}: @removed ${name}: its parent is not a documented block`)
      continue
    }
    node.properties[parts.at(-1)] = {description: `Removed: ${hint.trim()}`}
  }
  if (errors.length > 0) throw new ChartError(errors)
}

/** The chart's own defaults must pass, or the schema (or an annotation) is wrong. */
function selfCheck(schema, values, valuesFile) {
  const ajv = new Ajv({strict: true, allErrors: true, allowUnionTypes: true})
  const validate = ajv.compile(schema)
  if (validate(values)) return
  throw new ChartError(
    validate.errors.map((e) => {
      const extra = e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ''
      return `${valuesFile}: ${e.instancePath || '/'} ${e.message}${extra}`
    }),
  )
}

/** The README and schema the chart should have, as [{file, text}]. Never writes to the chart. */
function generate(chartDir) {
  const valuesPath = path.join(chartDir, 'values.yaml')
  const readmePath = path.join(chartDir, 'README.md')
  const chartPath = path.join(chartDir, 'Chart.yaml')
  for (const file of [valuesPath, readmePath]) {
    if (!existsSync(file)) throw new ChartError([`${show(file)}: not found`])
  }
  const config = JSON.parse(readFileSync(CONFIG, 'utf8'))
  const tool = runTool(valuesPath, readmePath, config)
  const values = YAML.parse(readFileSync(valuesPath, 'utf8')) ?? {}
  const chart = existsSync(chartPath) ? (YAML.parse(readFileSync(chartPath, 'utf8')) ?? {}) : {}
  const dependencies = (chart.dependencies ?? []).map((d) => d.alias ?? d.name).filter(Boolean)
  const metadata = parseMetadataComments(valuesPath, config)
  const schema = buildSchema(tool.schema, values, metadata, dependencies, show(valuesPath))
  allowRemovedKeys(schema, readFileSync(valuesPath, 'utf8'), show(valuesPath))
  selfCheck(schema, values, show(valuesPath))
  return [
    {file: readmePath, text: tool.readme.replace(/\s*$/, '\n')},
    {file: path.join(chartDir, 'values.schema.json'), text: `${JSON.stringify(schema, null, 2)}\n`},
  ]
}

function main(argv) {
  let options
  try {
    options = parseArgs({
      args: argv,
      options: {chart: {type: 'string'}, check: {type: 'boolean'}, help: {type: 'boolean'}},
    }).values
  } catch (error) {
    console.error(`${error.message}\n${USAGE}`)
    return 2
  }
  if (options.help) {
    console.log(USAGE)
    return 0
  }
  const chartDir = options.chart ? path.resolve(options.chart) : DEFAULT_CHART
  const fix = options.chart ? `${COMMAND} --chart ${options.chart}` : COMMAND

  let outputs
  try {
    outputs = generate(chartDir)
  } catch (error) {
    // Exit 1 means stale, so even a crash must not end with it.
    const lines = error instanceof ChartError ? error.lines : [String(error?.stack ?? error)]
    for (const line of lines) console.error(line)
    return 2
  }

  let stale = 0
  for (const {file, text} of outputs) {
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined
    if (current === text) {
      if (!options.check) console.log(`${show(file)} is up to date`)
    } else if (options.check) {
      console.error(`${show(file)} is ${current === undefined ? 'missing' : 'stale'}: run ${fix}`)
      stale++
    } else {
      writeFileSync(file, text)
      console.log(`wrote ${show(file)}`)
    }
  }
  return stale > 0 ? 1 : 0
}

process.exitCode = main(process.argv.slice(2))
