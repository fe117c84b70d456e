// A throw-away test PKI made with openssl: a test CA, a server certificate it signs, one for the wrong name, and a self-signed one from an unknown CA.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertPair {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

export interface TestPki {
  dir: string;
  caPath: string;
  caPem: string;
  /** Valid for the given names and addresses, signed by the test CA. */
  server: CertPair;
  /** Signed by the test CA but for another name: ssl_invalid_hostname. */
  wrongHost: CertPair;
  /** Self-signed, not in any trust store: ssl_unknown_authority. */
  unknownCa: CertPair;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: 'pipe' });
  } catch (error) {
    throw new Error(`openssl ${args[0]} failed (is the openssl package installed?): ${String(error)}`);
  }
}

function leaf(dir: string, name: string, san: string, ca: { cert: string; key: string } | null): CertPair {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
  const signing = ca
    ? ['-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial']
    : ['-signkey', keyPath];
  openssl(['x509', '-req', '-in', `${name}.csr`, ...signing, '-days', '30', '-sha256', '-extfile', ext, '-out', certPath], dir);
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath, keyPath };
}

/** Creates the PKI in `dir`. `names` are DNS names and `ips` addresses the server certificate covers. */
export function makeTestPki(dir: string, names: string[], ips: string[]): TestPki {
  mkdirSync(dir, { recursive: true });
  const caKey = join(dir, 'ca.key');
  const caPath = join(dir, 'ca.pem');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', caKey, '-out', caPath, '-days', '30', '-subj', '/CN=Can I Call test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  const ca = { cert: caPath, key: caKey };
  const san = [...names.map((n) => `DNS:${n}`), ...ips.map((ip) => `IP:${ip}`)].join(',');
  return {
    dir,
    caPath,
    caPem: readFileSync(caPath, 'utf8'),
    server: leaf(dir, 'server', san, ca),
    wrongHost: leaf(dir, 'wrong-host', 'DNS:wrong-host.invalid', ca),
    unknownCa: leaf(dir, 'unknown-ca', san, null),
  };
}

/** Creates an NSS database in `dir` (if none is there) that trusts `caPath` for TLS servers. */
function trustInNssDir(dir: string, caPath: string): void {
  mkdirSync(dir, { recursive: true });
  try {
    if (!existsSync(join(dir, 'cert9.db'))) execFileSync('certutil', ['-d', `sql:${dir}`, '-N', '--empty-password'], { stdio: 'pipe' });
    execFileSync('certutil', ['-d', `sql:${dir}`, '-A', '-n', 'can-i-call-test-ca', '-t', 'C,,', '-i', caPath], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`certutil failed (install it with "apt-get install libnss3-tools"): ${String(error)}`);
  }
}

/**
 * Makes an NSS database under `home/.pki/nssdb` that trusts the test CA: Chromium on Linux reads it from $HOME,
 * so a browser started with HOME=home trusts our servers without switching certificate checks off.
 */
export function trustInNssDb(home: string, caPath: string): void {
  trustInNssDir(join(home, '.pki', 'nssdb'), caPath);
}

/**
 * Firefox keeps its trust store in the profile itself (cert9.db, key4.db): a CA added there before the first start
 * is trusted as if the user had imported it, with certificate checks left on.
 */
export function trustInFirefoxProfile(profileDir: string, caPath: string): void {
  trustInNssDir(profileDir, caPath);
}
