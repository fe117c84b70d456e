// Port reflection in real Chromium (the contract in reflection-contract.ts; reflection-firefox.test.ts runs it in Firefox).
import { launchExtension } from '../../tools/chromium-extension';
import { describeReflection } from './reflection-contract';

describeReflection('Chromium', (fx) => launchExtension({ trustCaPath: fx.pki.caPath }));
