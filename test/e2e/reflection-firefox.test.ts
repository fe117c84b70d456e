// Port reflection in real Firefox ESR (the contract in reflection-contract.ts; reflection.test.ts runs it in Chromium).
import { launchFirefoxExtension } from './firefox-harness';
import { describeReflection } from './reflection-contract';

describeReflection('Firefox', (fx) => launchFirefoxExtension({ trustCaPath: fx.pki.caPath }));
