import { serve } from '#src/cli/commands/serve.command';
import { ConfigError } from '#src/config/config';

// `npm start`: serve the app on the embedded database, loaded with the bundled data on a first start.
try {
  await serve();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
