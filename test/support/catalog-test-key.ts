// A key pair for signing catalogs in tests ONLY. Test builds (vite --mode test) trust its public half; shipped builds never do.

export const TEST_CATALOG_PUBLIC_KEY = 'w5cNPZ4reWEaqPd8ZybCxhKDhKhwmA4yosk4t+4gXSg=';

export const TEST_CATALOG_PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIMAP3USjTc2t5uexdcHVynbfm0szrDUvN+JdY1To0dEO
-----END PRIVATE KEY-----
`;
