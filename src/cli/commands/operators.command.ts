import { Command } from 'commander';
import type { DatabaseHandle } from '#src/storage/dialect';
import { CliError } from '../cli-error';

type WithDatabase = <T>(work: (handle: DatabaseHandle) => Promise<T>) => Promise<T>;

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY)
    throw new CliError(
      'give the password on standard input, e.g.: printf "%s" "$PASSWORD" | npm run cli -- operators create EMAIL',
    );
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text.split('\n')[0]!.replace(/\r$/, '');
}

/** `operators …`: who may sign in to the operator pages. */
export function operatorsCommand(withDatabase: WithDatabase): Command {
  const command = new Command('operators').description('create and list operators (who may sign in at /operator)');
  command
    .command('create')
    .description(
      'create an operator; the password (12 characters or more) is read from standard input and stored as an argon2id hash',
    )
    .argument('<email>', "the operator's email, used to sign in")
    .option(
      '--role <role>',
      'admin (everything), moderator (the officials roster) or organizer (campaigns, exports)',
      'admin',
    )
    .action((email: string, options: { role: string }) =>
      withDatabase(async (handle) => {
        // A wrong role is said before the password is asked for.
        const { isRole, ROLES } = await import('#src/features/operators/permissions');
        if (!isRole(options.role))
          throw new CliError(`--role: "${options.role}" is not a role: give ${ROLES.join(', ')}`);
        const password = await readPassword();
        const { OperatorError, Operators } = await import('#src/features/operators/operators.service');
        try {
          await new Operators(handle.db).create(email, password, options.role);
        } catch (error) {
          if (error instanceof OperatorError) throw new CliError(error.message);
          throw error;
        }
        process.stdout.write(
          `operator ${email.trim().toLowerCase()} (${options.role}) created: sign in at /operator/login\n`,
        );
      }),
    );
  command
    .command('role')
    .description('give an operator another role: admin, moderator or organizer')
    .argument('<email>', "the operator's email")
    .argument('<role>', 'admin, moderator or organizer')
    .action((email: string, role: string) =>
      withDatabase(async (handle) => {
        const { OperatorError, Operators } = await import('#src/features/operators/operators.service');
        try {
          await new Operators(handle.db).setRole(email, role);
        } catch (error) {
          if (error instanceof OperatorError) throw new CliError(error.message);
          throw error;
        }
        process.stdout.write(`operator ${email.trim().toLowerCase()} is now ${role}\n`);
      }),
    );
  command
    .command('list')
    .description('the operators, as JSON')
    .action(() =>
      withDatabase(async (handle) => {
        const { Operators } = await import('#src/features/operators/operators.service');
        process.stdout.write(JSON.stringify(await new Operators(handle.db).list(), null, 2) + '\n');
      }),
    );
  return command;
}
