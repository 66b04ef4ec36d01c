/**
 * What the forward supervisor and its kubectl children get of the user's environment: what
 * kubectl needs to find the cluster (PATH, HOME, KUBECONFIG), the locale and time zone, the
 * proxy settings, and geniro-dev's own GENIRO_* variables (the supervisor reads none itself;
 * a kubectl wrapper may, as the test fakes read GENIRO_FAKE_*). Nothing else: a long-lived
 * background process must not carry the shell's secrets (PGPASSWORD, tokens) around.
 */
const PASSED = new Set([
  'PATH',
  'HOME',
  'KUBECONFIG',
  'LANG',
  'LANGUAGE',
  'TZ',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
])

export function supervisorEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const kept: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue
    if (PASSED.has(name) || name.startsWith('LC_') || name.startsWith('GENIRO_')) kept[name] = value
  }
  return kept
}
