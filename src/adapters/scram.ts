// A role's password as CREATE/ALTER ROLE takes it: a SCRAM-SHA-256 verifier built here
// where it can be, so the plain text never reaches the server's log.
import {createHash, createHmac, pbkdf2Sync, randomBytes} from 'node:crypto'
import {UserError} from '../core/errors.js'

/**
 * The password as CREATE/ALTER ROLE takes it (no bind parameters there). A printable-ASCII
 * password goes as a SCRAM-SHA-256 verifier, so the plain text never reaches the server's
 * statement log; anything else goes as an escaped literal for the server to hash (it applies
 * SASLprep, which a verifier built here would have to match).
 */
export function passwordLiteral(
  password: string,
  escapeLiteral: (value: string) => string,
): string {
  if (password === '') throw new UserError('the database role password is empty')
  if (password.includes('\0')) throw new UserError('the database role password contains a NUL byte')
  return escapeLiteral(/^[\x20-\x7e]+$/.test(password) ? scramVerifier(password) : password)
}

/** RFC 5802/7677 stored form, as PostgreSQL's own pg_fe_scram_build_secret writes it. */
function scramVerifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16)
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256')
  const clientKey = createHmac('sha256', salted).update('Client Key').digest()
  const storedKey = createHash('sha256').update(clientKey).digest()
  const serverKey = createHmac('sha256', salted).update('Server Key').digest()
  const b64 = (buffer: Buffer) => buffer.toString('base64')
  return `SCRAM-SHA-256$${iterations}:${b64(salt)}$${b64(storedKey)}:${b64(serverKey)}`
}
