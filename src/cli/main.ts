import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig } from '../config.js';
import { createContext } from '../context.js';
import { createWorkspace } from '../app/workspace.service.js';
import { isAppError } from '../domain/errors.js';
import { startParley, type Role } from '../main.js';
import { runSmscConsole } from '../carriers/smpp/smsc/smsc-console.js';

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) {
    throw new InvalidArgumentError('port must be an integer from 0 to 65535');
  }
  return parsed;
}

function milliseconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('must be a whole number of milliseconds');
  return parsed;
}

async function readPem(program: Command, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    return program.error(`parley: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { exitCode: 2 });
  }
}

/** The `parley` command. Each command builds the one context it needs and closes it. */
export async function runCli(argv: string[]): Promise<void> {
  const program = new Command()
    .name('parley')
    .description('Parley: self-hosted two-way business SMS')
    .showHelpAfterError();

  program
    .command('start')
    .description('start the HTTP API and/or the send workers (applies pending migrations first)')
    .option('--port <port>', 'port to listen on (default: PORT or 3000)', port)
    .addOption(new Option('--role <role>', 'which parts to run').choices(['all', 'api', 'worker']).default('all'))
    .action(async (options: { port?: number; role: Role }) => {
      const config = loadConfig(process.env, options.port === undefined ? {} : { port: options.port });
      const running = await startParley(config, options.role);
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals): void => {
        signals += 1;
        if (signals > 1) {
          running.ctx.log.warn({ signal }, 'second signal: exiting now');
          process.exit(1);
        }
        running.ctx.log.info({ signal }, 'signal received');
        running.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            running.ctx.log.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      const ctx = createContext(loadConfig(process.env, { logLevel: 'warn' }));
      try {
        const applied = await ctx.db.migrate();
        console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Already up to date.');
      } finally {
        await ctx.db.close();
      }
    });

  const workspace = program.command('workspace').description('manage workspaces');
  workspace
    .command('create')
    .description('create a workspace and its first API key (works with the server running or stopped)')
    .requiredOption('--name <name>', 'workspace name')
    .option('--country <iso>', 'default country for national phone numbers', 'US')
    .option('--json', 'print {"workspace":{…},"apiKey":"…"} as JSON')
    .action(async (options: { name: string; country: string; json?: boolean }) => {
      const ctx = createContext(loadConfig(process.env, { logLevel: 'warn' }));
      try {
        await ctx.db.migrate();
        const created = await createWorkspace(ctx, { name: options.name, defaultCountry: options.country });
        if (options.json) {
          console.log(
            JSON.stringify({
              workspace: {
                id: created.workspace.id,
                name: created.workspace.name,
                defaultCountry: created.workspace.defaultCountry,
              },
              apiKey: created.apiKey,
            }),
          );
        } else {
          console.log(`Workspace "${created.workspace.name}" created (${created.workspace.id}).`);
          console.log(`API key (shown once, keep it safe): ${created.apiKey}`);
        }
      } finally {
        await ctx.db.close();
      }
    });

  program
    .command('smsc')
    .description('run a local SMSC for trying the SMPP path; type handset replies on stdin')
    .option('--port <port>', 'port to listen on (0 picks a free one)', port, 2775)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--system-id <id>', 'system_id ESMEs bind with', 'parley')
    .option('--password <password>', 'password ESMEs bind with', 'secret')
    .option('--receipt-delay <ms>', 'delay before each delivery receipt', milliseconds, 1000)
    .addOption(new Option('--message-ids <format>', 'format of assigned message ids').choices(['hex', 'decimal']).default('hex'))
    .option('--tls-key <file>', 'serve SMPP over TLS with this PEM private key (needs --tls-cert)')
    .option('--tls-cert <file>', 'PEM certificate for --tls-key')
    .action(
      async (options: {
        port: number;
        host: string;
        systemId: string;
        password: string;
        receiptDelay: number;
        messageIds: 'hex' | 'decimal';
        tlsKey?: string;
        tlsCert?: string;
      }) => {
        if ((options.tlsKey === undefined) !== (options.tlsCert === undefined)) {
          program.error('parley smsc: --tls-key and --tls-cert go together', { exitCode: 2 });
        }
        const running = await runSmscConsole({
          port: options.port,
          host: options.host,
          accounts: [{ systemId: options.systemId, password: options.password }],
          receiptDelayMs: options.receiptDelay,
          messageIdFormat: options.messageIds,
          ...(options.tlsKey && options.tlsCert
            ? { tls: { key: await readPem(program, options.tlsKey), cert: await readPem(program, options.tlsCert) } }
            : {}),
        });
        let stopping = false;
        const onSignal = (): void => {
          // A second Ctrl-C skips the orderly unbind, for an ESME that never answers it.
          if (stopping) process.exit(1);
          stopping = true;
          running.stop().then(
            () => process.exit(0),
            (error: unknown) => {
              console.error(`parley smsc: ${error instanceof Error ? error.message : String(error)}`);
              process.exit(1);
            },
          );
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      },
    );

  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof ConfigError || isAppError(error)) {
      console.error(`parley: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}
