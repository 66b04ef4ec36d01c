import {describe, expect, it} from 'vitest'
import {planBridgeDatabases} from '../../src/core/bridge-databases.js'
import {
  judgeOwnership,
  NotOursError,
  ownerMark,
  readMark,
  type BridgeOwner,
  type CatalogFacts,
} from '../../src/core/bridge-ownership.js'
import {UserError} from '../../src/core/errors.js'

const TEAM_A: BridgeOwner = {context: 'kind-geniro-dev', namespace: 'team-a', release: 'geniro'}
const TEAM_B: BridgeOwner = {...TEAM_A, namespace: 'team-b'}
const ADDRESS = '127.0.0.1:5439'
const STACK_DATABASES = [
  {name: 'app', owner: 'app', comment: null},
  {name: 'postgres', owner: 'app', comment: null},
  {name: 'template0', owner: 'app', comment: null},
  {name: 'template1', owner: 'app', comment: null},
]

function facts(extra: Partial<CatalogFacts> = {}): CatalogFacts {
  return {admin: 'app', databases: STACK_DATABASES, ...extra}
}

/** The three planned databases, as a run for `owner` leaves them. */
function created(role: string, suffix: string, owner: BridgeOwner | null) {
  return ['geniro', 'keycloak', 'litellm'].map((base) => ({
    name: `${base}${suffix}`,
    owner: role,
    comment: owner ? ownerMark(owner) : null,
  }))
}

function refusal(run: () => unknown): NotOursError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(NotOursError)
    return error as NotOursError
  }
  throw new Error('expected a NotOursError')
}

describe('ownerMark and readMark', () => {
  it('writes a fixed prefix and JSON with the keys in one order, whatever the input order', () => {
    const mark = ownerMark({release: 'r', namespace: 'n', context: 'kind-x'})
    expect(mark).toBe('geniro-dev bridge {"context":"kind-x","namespace":"n","release":"r"}')
  })

  it('reads its own mark as ours, another release’s as that owner, nothing as unmarked', () => {
    expect(readMark(ownerMark(TEAM_A), TEAM_A)).toEqual({kind: 'ours'})
    expect(readMark(ownerMark(TEAM_A), TEAM_B)).toEqual({kind: 'other', owner: TEAM_A})
    expect(readMark(null, TEAM_A)).toEqual({kind: 'unmarked'})
    expect(readMark('', TEAM_A)).toEqual({kind: 'unmarked'})
  })

  it('keeps owners apart by context, namespace and release', () => {
    for (const other of [
      {...TEAM_A, context: 'minikube'},
      {...TEAM_A, namespace: 'team-b'},
      {...TEAM_A, release: 'geniro2'},
    ]) {
      expect(readMark(ownerMark(other), TEAM_A)).toEqual({kind: 'other', owner: other})
    }
  })

  it.each([
    'the app database',
    'geniro-dev bridge ',
    'geniro-dev bridge {',
    'geniro-dev bridge null',
    'geniro-dev bridge []',
    'geniro-dev bridge "text"',
    'geniro-dev bridge {"context":1,"namespace":"n","release":"r"}',
    'geniro-dev bridge {"__proto__":{"context":"x"},"namespace":"n","release":"r"}',
    // The same owner in another spelling is no mark this version writes (the cleanup SQL
    // matches exactly), so it is not adopted either.
    'geniro-dev bridge {"release":"geniro","namespace":"team-a","context":"kind-geniro-dev"}',
    'geniro-dev bridge { "context": "kind-geniro-dev", "namespace": "team-a", "release": "geniro" }',
    `geniro-dev bridge ${'['.repeat(100_000)}`,
  ])('reads a comment that is no mark of its as foreign, without throwing: %s', (comment) => {
    expect(readMark(comment, TEAM_A)).toEqual({kind: 'foreign', comment})
  })
})

describe('judgeOwnership', () => {
  const plan = planBridgeDatabases({reserved: []})
  const dev = planBridgeDatabases({suffix: '_dev', reserved: []})

  it('plans everything on a server that has none of the names', () => {
    expect(judgeOwnership(plan, TEAM_A, facts(), ADDRESS)).toEqual({
      createRole: true,
      create: plan.databases,
      mark: [],
    })
  })

  it('plans nothing on a re-run for the same owner', () => {
    const state = facts({
      role: {comment: ownerMark(TEAM_A)},
      databases: [...STACK_DATABASES, ...created('geniro_k8s', '_k8s', TEAM_A)],
    })
    expect(judgeOwnership(plan, TEAM_A, state, ADDRESS)).toEqual({
      createRole: false,
      create: [],
      mark: [],
    })
  })

  it('refuses an unmarked role that owns the app database (the --db-suffix _dev takeover)', () => {
    const state = facts({
      role: {comment: null},
      databases: STACK_DATABASES.map((d) => (d.name === 'app' ? {...d, owner: 'geniro_dev'} : d)),
    })
    const error = refusal(() => judgeOwnership(dev, TEAM_A, state, ADDRESS))
    expect(error.message).toBe(
      `role geniro_dev (no geniro-dev mark; owns database app) at ${ADDRESS} is not geniro-dev's ` +
        'for release "geniro" in namespace "team-a" of kube context "kind-geniro-dev"; bridge mode only changes a role or database it created for it',
    )
    expect(error.hint).toBe('choose other names with --db-suffix SUFFIX')
    expect(error.exitCode).toBe(new UserError('x').exitCode)
    expect(error.toJSON().refused).toEqual([
      {kind: 'role', name: 'geniro_dev', finding: {kind: 'unmarked'}, owns: ['app']},
    ])
  })

  it("refuses --database naming the stack's own database, though no list reserves it", () => {
    const withApp = planBridgeDatabases({database: 'app', reserved: []})
    const state = facts({
      role: {comment: ownerMark(TEAM_A)},
      databases: [...STACK_DATABASES, ...created('geniro_k8s', '_k8s', TEAM_A)],
    })
    const error = refusal(() => judgeOwnership(withApp, TEAM_A, state, ADDRESS))
    expect(error.message).toMatch(/^database app \(no geniro-dev mark; owned by role app\) at /)
    expect(error.hint).toBe(
      'choose other names with --database NAME (the API database) or --db-suffix SUFFIX',
    )
  })

  it('refuses a second bridge (another namespace) on the same names, naming the first owner', () => {
    const state = facts({
      role: {comment: ownerMark(TEAM_A)},
      databases: [...STACK_DATABASES, ...created('geniro_k8s', '_k8s', TEAM_A)],
    })
    const error = refusal(() => judgeOwnership(plan, TEAM_B, state, ADDRESS))
    expect(error.message).toContain(
      'role geniro_k8s (created by geniro-dev for release "geniro" in namespace "team-a" of kube context "kind-geniro-dev"; owns databases geniro_k8s, keycloak_k8s, litellm_k8s)',
    )
    expect(error.message).toContain('database litellm_k8s (created by geniro-dev for release')
    expect(error.message).toContain('for release "geniro" in namespace "team-b"')
    expect(error.hint).toBe(
      'another bridge uses these names: choose other names with --db-suffix SUFFIX',
    )
  })

  it('refuses a second cluster whose role does not exist yet but whose database does', () => {
    const other = {...TEAM_A, context: 'minikube'}
    const state = facts({databases: [...STACK_DATABASES, created('x', '_k8s', other)[1]!]})
    const error = refusal(() => judgeOwnership(plan, TEAM_A, state, ADDRESS))
    expect(error.message).toMatch(
      /^database keycloak_k8s \(created by geniro-dev for release .*"minikube"; owned by role x\)/,
    )
  })

  it('marks an unmarked database only when its own marked role owns it (a run stopped half-way)', () => {
    const [api, keycloak, litellm] = created('geniro_k8s', '_k8s', TEAM_A)
    const state = facts({
      role: {comment: ownerMark(TEAM_A)},
      databases: [...STACK_DATABASES, api!, {...keycloak!, comment: null}, litellm!],
    })
    expect(judgeOwnership(plan, TEAM_A, state, ADDRESS)).toEqual({
      createRole: false,
      create: [],
      mark: ['keycloak_k8s'],
    })
  })

  it('offers the SQL to adopt what an older geniro-dev left (unmarked role owning only planned databases)', () => {
    const state = facts({
      role: {comment: null},
      databases: [...STACK_DATABASES, ...created('geniro_k8s', '_k8s', null)],
    })
    const error = refusal(() => judgeOwnership(plan, TEAM_A, state, ADDRESS))
    expect(error.hint).toBe(
      'choose other names with --db-suffix SUFFIX; if an older geniro-dev created them for this release, adopt them with ' +
        '`COMMENT ON ROLE "geniro_k8s" IS \'geniro-dev bridge {"context":"kind-geniro-dev","namespace":"team-a","release":"geniro"}\'` (its databases follow on the next run)',
    )
    // Once adopted, the role is ours and its unmarked databases are marked, nothing else.
    const adopted = {...state, role: {comment: ownerMark(TEAM_A)}}
    expect(judgeOwnership(plan, TEAM_A, adopted, ADDRESS).mark).toEqual([
      'geniro_k8s',
      'keycloak_k8s',
      'litellm_k8s',
    ])
  })

  it('offers no adoption SQL when the unmarked role owns anything else', () => {
    const state = facts({
      role: {comment: null},
      databases: [
        ...STACK_DATABASES,
        ...created('geniro_k8s', '_k8s', null),
        {name: 'other', owner: 'geniro_k8s', comment: null},
      ],
    })
    expect(refusal(() => judgeOwnership(plan, TEAM_A, state, ADDRESS)).hint).not.toContain(
      'COMMENT',
    )
  })

  it('quotes a foreign comment in the refusal and escapes quotes in the adoption SQL', () => {
    const odd: BridgeOwner = {context: "it's", namespace: 'n', release: 'r'}
    const state = facts({
      role: {comment: null},
      databases: [...STACK_DATABASES, ...created('geniro_k8s', '_k8s', null)],
    })
    expect(refusal(() => judgeOwnership(plan, odd, state, ADDRESS)).hint).toContain(
      `IS 'geniro-dev bridge {"context":"it''s","namespace":"n","release":"r"}'`,
    )
    const foreign = facts({role: {comment: 'login role of the "billing" app'}})
    expect(refusal(() => judgeOwnership(plan, TEAM_A, foreign, ADDRESS)).message).toContain(
      'role geniro_k8s (its comment "login role of the \\"billing\\" app" is no geniro-dev mark)',
    )
  })

  it('refuses a database marked for this release but owned by another role', () => {
    const state = facts({
      role: {comment: ownerMark(TEAM_A)},
      databases: [...STACK_DATABASES, ...created('geniro_k8s', '_k8s', TEAM_A)],
    })
    const renamed = planBridgeDatabases({suffix: '_x', database: 'geniro_k8s', reserved: []})
    const error = refusal(() =>
      judgeOwnership(renamed, TEAM_A, {...state, role: undefined}, ADDRESS),
    )
    expect(error.message).toMatch(
      /^database geniro_k8s \(marked for this release; owned by role geniro_k8s\) at /,
    )
  })

  it('refuses the admin user itself as the role', () => {
    const error = (() => {
      try {
        judgeOwnership(plan, TEAM_A, facts({admin: 'geniro_k8s'}), ADDRESS)
      } catch (error) {
        return error as UserError
      }
    })()
    expect(error?.message).toContain('lock the Compose stack out')
  })
})
