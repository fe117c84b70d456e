// Starts the collector from environment variables and shuts it down cleanly on SIGTERM/SIGINT.
import { openSqliteStore } from './store-sqlite';
import { openPostgresStore } from './store-postgres';
import type { Store } from './store';
import { createApp } from './app';
import { createCatalogSigner, loadCatalogFile, parsePrivateKey } from './catalog-signer';
import type { CatalogSigner } from './catalog-signer';
import { readConfig } from './config';
import type { StorageConfig } from './config';
import { createIpLocationGeo } from './geo';
import { listen } from './http-server';
import { startLocalRelay } from './local-relay';
import type { RunningCoturn } from './coturn';
import { createJsonLogger } from './logger';
import { createTokenBucketLimiter } from './rate-limit';
import { rejudge } from '../core/rejudge';
import type { Catalog } from '../core/catalog';
import { ENGINE_VERSION } from '../core/verdict';
import { errorText } from '../core/error-text';

const logger = createJsonLogger();

function openStore(storage: StorageConfig): Promise<Store> {
  switch (storage.kind) {
    case 'sqlite':
      return Promise.resolve(openSqliteStore(storage.file, { synchronous: storage.synchronous }));
    case 'postgres':
      return openPostgresStore(storage.url);
    default: {
      const unreachable: never = storage;
      throw new Error(`unknown storage ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Judges the stored reports again with this collector's engine; the figures of every day follow. */
async function rejudgeStored(store: Store, catalog: Catalog): Promise<void> {
  const started = Date.now();
  logger.info('judging stored reports again', { engine: ENGINE_VERSION });
  const result = await store.rejudgeAll(ENGINE_VERSION, (report) => rejudge(catalog, report));
  logger.info('stored reports judged again', { engine: ENGINE_VERSION, ...result, ms: Date.now() - started });
}

/** `npm run collector -- rejudge`: the same pass as at startup after an engine change, then exit. */
async function rejudgeCommand(): Promise<void> {
  const config = readConfig(process.env);
  const catalog = await loadCatalogFile(config.catalogPath);
  if (!catalog.ok) throw new Error(`rejudge needs the catalog the reports refer to: ${catalog.error}`);
  const store = await openStore(config.storage);
  try {
    await rejudgeStored(store, catalog.catalog);
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const config = readConfig(process.env);
  const store = await openStore(config.storage);
  const geo = createIpLocationGeo();
  geo.ready.catch((error: unknown) => {
    logger.error('geo databases failed to load; reports are stored as ZZ/AS0', {
      message: errorText(error),
    });
  });

  let signer: CatalogSigner | undefined;
  if (config.catalogSigningKey === undefined) {
    logger.warn('CATALOG_SIGNING_KEY is not set: GET /v1/catalog answers 503');
  } else {
    signer = createCatalogSigner(parsePrivateKey(config.catalogSigningKey));
    logger.info('catalog signing key loaded', { publicKey: signer.publicKeyBase64 });
  }
  const catalog = await loadCatalogFile(config.catalogPath);
  if (!catalog.ok) logger.warn('no catalog to serve: GET /v1/catalog answers 503', { reason: catalog.error });

  let relay = config.relay;
  let localCoturn: RunningCoturn | undefined;
  if (relay === null && config.localRelay) {
    const local = await startLocalRelay();
    if (local.relay === null) {
      logger.warn('no call-test relay: GET /v1/turn-credentials answers 503', { reason: local.reason });
    } else {
      relay = local.relay;
      localCoturn = local.coturn;
      logger.info('started a local coturn as the call-test relay; it stops with the collector', {
        host: relay.host,
        port: relay.port,
        pid: local.coturn.pid ?? null,
      });
    }
  } else if (relay === null) {
    logger.warn('no call-test relay configured (CIC_TURN_SECRET, CIC_TURN_HOST): GET /v1/turn-credentials answers 503');
  }

  let generation = 0;
  const app = createApp({
    statsGeneration: () => generation,
    store,
    geo,
    rateLimit: config.rateLimit === null ? null : createTokenBucketLimiter(config.rateLimit),
    logger,
    ...(catalog.ok ? { catalog: catalog.catalog } : {}),
    ...(signer === undefined ? {} : { signer }),
    relay,
    trustProxy: config.trustProxy,
  });
  const server = await listen(app, config.host, config.port, { maxConnections: config.maxConnections });
  logger.info('listening', {
    host: server.host,
    port: server.port,
    storage: config.storage.kind,
    ...(config.storage.kind === 'sqlite' ? { synchronous: config.storage.synchronous } : {}),
    trustProxy: config.trustProxy,
    catalog: catalog.ok ? catalog.catalog.version : null,
    relay: relay === null ? null : relay.host,
  });

  // Retention: raw reports go after RETENTION_DAYS (by hour of receipt); the day counts stay.
  const retention = async () => {
    const before = new Date(Date.now() - config.retentionDays * 86_400_000);
    before.setUTCMinutes(0, 0, 0);
    try {
      const deleted = await store.deleteReportsReceivedBefore(before.toISOString().replace(/\.\d{3}Z$/, 'Z'));
      if (deleted > 0) logger.info('retention', { deleted, retentionDays: config.retentionDays });
    } catch (error) {
      logger.warn('retention failed; retrying in an hour', { message: errorText(error).slice(0, 300) });
    }
  };
  void retention();
  const retentionTimer = setInterval(() => void retention(), 3_600_000);
  retentionTimer.unref();

  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    clearInterval(retentionTimer);
    logger.info('shutting down', { signal });
    server
      .stop(config.shutdownTimeoutMs)
      // The store closes only after the last request has finished with it.
      .then(() => Promise.all([store.close(), localCoturn?.stop()]))
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error('shutdown failed', { message: errorText(error) });
        process.exit(1);
      });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  // After an engine change the stored verdicts are judged again, while the collector serves. Only once the signal
  // handlers are in place: a SIGTERM right after "listening" (a rolling restart) must still shut down cleanly.
  if (catalog.ok && (await store.judgedEngine()) < ENGINE_VERSION) {
    rejudgeStored(store, catalog.catalog)
      .then(() => {
        generation += 1;
      })
      .catch((error: unknown) => {
        logger.error('judging stored reports again failed; it runs again at the next start', {
          message: errorText(error).slice(0, 300),
        });
      });
  }
}

if (process.argv[2] === 'rejudge') {
  rejudgeCommand().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error('rejudge failed', { message: errorText(error) });
      process.exit(1);
    },
  );
} else {
  main().catch((error: unknown) => {
    logger.error('collector failed to start', { message: errorText(error) });
    process.exit(1);
  });
}
