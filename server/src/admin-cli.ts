// npm run admin -- <command>: console administrators, from the machine the server runs on (there is no
// sign-up page: whoever can run this can already read the database).
//   create <name>         asks for a password (twice at a terminal; the first line of stdin otherwise)
//   set-password <name>   the same, and ends that administrator's console sessions
//   delete <name>
//   list
// DATA_DIR chooses the database as for `npm start`.
import readline from 'node:readline';
import { Writable } from 'node:stream';
import { ConfigError, loadConfig } from './config.js';
import { openDb } from './db.js';
import { Passwords } from './auth.js';
import { AdminError, Admins } from './admin/accounts.js';

const USAGE = 'usage: npm run admin -- create <name> | set-password <name> | delete <name> | list';

/** A password typed at a terminal is not echoed; one piped in is the first line of stdin. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const rl = readline.createInterface({ input: process.stdin, terminal: false });
    for await (const line of rl) {
      rl.close();
      return line;
    }
    throw new AdminError('no password on stdin');
  }
  const ask = async (prompt: string) => {
    let muted = false;
    const output = new Writable({ write(chunk, _encoding, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    } });
    const rl = readline.createInterface({ input: process.stdin, output, terminal: true });
    const answer = new Promise<string>((resolve) => rl.question(prompt, resolve));
    muted = true;
    const text = await answer;
    rl.close();
    process.stdout.write('\n');
    return text;
  };
  const first = await ask('Password: ');
  if (first !== await ask('Password again: ')) throw new AdminError('the passwords differ');
  return first;
}

async function main(args: string[]): Promise<number> {
  const [command, name] = args;
  const config = loadConfig();
  const db = openDb(config.dataDir, { busyTimeoutMs: config.dbBusyTimeoutMs });
  try {
    const admins = new Admins(db, new Passwords(), config.adminSessionTtlSeconds);
    if (command === 'list' && name === undefined) {
      for (const a of admins.list()) console.log(`${a.name}\tcreated ${new Date(a.createdAt).toISOString()}`);
      return 0;
    }
    if (name === undefined || args.length !== 2) {
      console.error(USAGE);
      return 2;
    }
    if (command === 'create') {
      admins.checkNewName(name);
      await admins.create(name, await readPassword());
      console.log(`administrator ${name} created in ${config.dataDir}: sign in at http://${config.host}:${config.port}/console`);
    } else if (command === 'set-password') {
      admins.checkExists(name);
      await admins.setPassword(name, await readPassword());
      console.log(`password of ${name} changed; their console sessions are ended`);
    } else if (command === 'delete') {
      admins.remove(name);
      console.log(`administrator ${name} deleted`);
    } else {
      console.error(USAGE);
      return 2;
    }
    return 0;
  } finally {
    db.close();
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
  if (e instanceof AdminError || e instanceof ConfigError) {
    console.error(`pushuikit admin: ${e.message}`);
    process.exit(2);
  }
  console.error(`pushuikit admin: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
