import { randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { newToken, tokenHash } from '#src/security/supporter-crypto';
import { isRole, ROLES, type Role } from './permissions';

const SESSION_DAYS = 7;
/** A hash to verify against when the email is unknown, so that timing does not tell which emails exist. */
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$Ld6nJj8eTF3Au7aDqo3VCw$gOxjYGMyaRZOjs1hi73LL8WyA6ViLeJXUg10SD0uwfM';

export class OperatorError extends Error {
  override readonly name = 'OperatorError';
}

/** Operators: created from the CLI, passwords hashed with argon2id, sessions as random tokens stored hashed. */
export class Operators {
  constructor(private readonly db: Kysely<Database>) {}

  async create(email: string, password: string, role: Role = 'admin'): Promise<string> {
    const normalized = email.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+$/.test(normalized)) throw new OperatorError(`"${email}" is not an email address`);
    if (password.length < 12) throw new OperatorError('the password must have at least 12 characters');
    if (await this.db.selectFrom('operators').select('id').where('email', '=', normalized).executeTakeFirst())
      throw new OperatorError(`an operator ${normalized} exists already`);
    const id = randomUUID();
    await this.db
      .insertInto('operators')
      .values({
        id,
        email: normalized,
        password_hash: await hash(password),
        created_at: new Date().toISOString(),
        role,
      })
      .execute();
    return id;
  }

  /** A new session token for the right email and password, or null. */
  async signIn(
    email: string,
    password: string,
    now = new Date(),
  ): Promise<{ token: string; operatorId: string } | null> {
    const operator = await this.db
      .selectFrom('operators')
      .selectAll()
      .where('email', '=', email.trim().toLowerCase())
      .executeTakeFirst();
    const ok = await verify(operator?.password_hash ?? DUMMY_HASH, password).catch(() => false);
    if (!operator || !ok) return null;
    const session = newToken();
    await this.db
      .insertInto('operator_sessions')
      .values({
        token_hash: session.hash,
        operator_id: operator.id,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + SESSION_DAYS * 86_400_000).toISOString(),
      })
      .execute();
    return { token: session.token, operatorId: operator.id };
  }

  /** The operator a session token belongs to, while it has not expired. */
  async session(token: string | null, now = new Date()): Promise<{ id: string; email: string; role: string } | null> {
    if (!token) return null;
    const row = await this.db
      .selectFrom('operator_sessions as s')
      .innerJoin('operators as o', 'o.id', 's.operator_id')
      .select(['o.id', 'o.email', 'o.role', 's.expires_at'])
      .where('s.token_hash', '=', tokenHash(token))
      .executeTakeFirst();
    if (!row || row.expires_at <= now.toISOString()) return null;
    return { id: row.id, email: row.email, role: row.role };
  }

  async signOut(token: string): Promise<void> {
    await this.db.deleteFrom('operator_sessions').where('token_hash', '=', tokenHash(token)).execute();
  }

  list() {
    return this.db.selectFrom('operators').select(['id', 'email', 'role', 'created_at']).orderBy('email').execute();
  }

  /** Gives an operator another role; it holds from their next request. */
  async setRole(email: string, role: string): Promise<void> {
    if (!isRole(role)) throw new OperatorError(`"${role}" is not a role: give ${ROLES.join(', ')}`);
    const normalized = email.trim().toLowerCase();
    const result = await this.db
      .updateTable('operators')
      .set({ role })
      .where('email', '=', normalized)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new OperatorError(`no operator is ${normalized}`);
  }
}
