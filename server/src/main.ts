// npm start: the companion server on HOST:PORT (127.0.0.1:8080), data in DATA_DIR (./data).
import { ConfigError, loadConfig } from './config.js';
import { createServer } from './app.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`pushuikit-server: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  let server;
  try {
    server = await createServer(config);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`pushuikit-server: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const log = server.app.log;
  if (server.certificates.dryRun) log.warn('no Push Kit certificate configured: pushes are built, validated and recorded, not sent (dry run)');
  else log.info({ certificates: server.certificates.list().map((c) => `${c.name} (${c.source}${c.enabled ? '' : ', disabled'})`) }, 'Push Kit certificates loaded');
  if (!config.certEncryptionKey) log.info('CERT_ENCRYPTION_KEY is not set: certificates cannot be added in the push console');
  await server.app.listen({ host: config.host, port: config.port });
  const stop = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e) => {
  console.error(`pushuikit-server: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
