// Runs the call-test relay (coturn) from the collector's own relay settings, so the secret lives in one place; --print-config writes the config instead.
import { readConfig } from '../src/collector/config';
import { coturnConfig, findTurnserver, runCoturn, type CoturnOptions } from '../src/collector/coturn';
import { errorText } from '../src/core/error-text';

function fail(message: string): never {
  console.error(`relay: ${message}`);
  process.exit(1);
}

function relayOptions(): CoturnOptions {
  let config;
  try {
    config = readConfig(process.env);
  } catch (error) {
    fail(errorText(error));
  }
  const relay = config.relay;
  if (relay === null) fail('no relay is configured: set CIC_TURN_SECRET (or CIC_TURN_SECRET_FILE) and CIC_TURN_HOST, the same values the collector reads');
  const env = process.env;
  const listenIps = (env.CIC_RELAY_LISTEN_IPS ?? '').split(',').map((ip) => ip.trim()).filter(Boolean);
  const cert = env.CIC_TURN_CERT ?? '';
  const key = env.CIC_TURN_KEY ?? '';
  if (relay.tlsPort !== null && (cert === '' || key === '')) {
    fail(`TLS on port ${relay.tlsPort} needs CIC_TURN_CERT and CIC_TURN_KEY (PEM files), or CIC_TURN_TLS_PORT=0 for no turns: URL`);
  }
  return {
    secret: relay.secret,
    realm: env.CIC_TURN_REALM || relay.host,
    listenIps,
    port: relay.port,
    tlsPort: relay.tlsPort,
    ...(relay.tlsPort === null ? {} : { tls: { certPath: cert, keyPath: key } }),
    ...(env.CIC_RELAY_EXTERNAL_IP ? { externalIp: env.CIC_RELAY_EXTERNAL_IP } : {}),
    relayPorts: { min: 49152, max: 65535 },
    ...(env.CIC_RELAY_LOG ? { logFile: env.CIC_RELAY_LOG } : {}),
  };
}

async function main(): Promise<void> {
  const options = relayOptions();
  if (process.argv.includes('--print-config')) {
    process.stdout.write(coturnConfig(options));
    return;
  }
  const binary = findTurnserver();
  if (binary === undefined) fail('turnserver not found: install coturn (apt-get install coturn) or set TURNSERVER_PATH');
  const coturn = await runCoturn(binary, options);
  console.log(`relay: coturn (pid ${coturn.pid ?? '?'}) on ${options.listenIps.join(', ') || 'all addresses'}, TURN ${options.port} UDP/TCP${options.tlsPort === null ? '' : `, TLS ${options.tlsPort}`}`);
  const stop = () => {
    coturn
      .stop()
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => fail(errorText(error)));
