// A throwaway self-signed certificate for `srv --tls auto`: the key pair comes
// from node:crypto (native, fast), the X.509 certificate from node-forge
// (loaded only when needed). No I/O.
import { generateKeyPairSync, randomBytes } from 'node:crypto';

export interface CertificatePair {
  key: string;
  cert: string;
}

/** A self-signed RSA-2048 certificate for `hostname` (and 127.0.0.1, ::1, localhost), valid for a day. */
export async function selfSignedCertificate(hostname: string, now = new Date()): Promise<CertificatePair> {
  const { default: forge } = await import('node-forge');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + 24 * 3600_000);
  const attrs = [{ name: 'commonName', value: hostname }, { name: 'organizationName', value: 'blaze srv (self-signed)' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: hostname },
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
      ],
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey) as never, forge.md.sha256.create());
  return { key: privateKey, cert: forge.pki.certificateToPem(cert) };
}
