// Independent check with the npm `paseto` package (panva, v3): verify a Licensor token with the
// signing key's k4.public, then sign a token with the Licensor signing secret for licensorctl to verify.
import { V4 } from 'paseto';
import { readFileSync, writeFileSync } from 'fs';
import { createPublicKey, createPrivateKey } from 'crypto';
const b64u = (s) => Buffer.from(s, 'base64url');
const [,, publicPaserk, secretPaserk, tokenFile, outFile] = process.argv;
const pub = b64u(publicPaserk.replace('k4.public.', ''));
const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pub]);
const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
const token = readFileSync(tokenFile, 'utf8').trim();
const payload = await V4.verify(token, publicKey, { assertion: 'licensor:license:v1', complete: true, clockTolerance: '1y' });
console.log('npm paseto verified licensor token:', JSON.stringify(payload.payload.sub), 'footer', payload.footer.toString());
const seed = b64u(secretPaserk.replace('k4.secret.', '')).subarray(0, 32);
const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
const claims = { iss: 'npm-paseto', sub: 'lic_from_node', iat: '2026-11-22T00:00:00Z', nbf: '2026-11-22T00:00:00Z', exp: '2027-11-22T00:00:00Z',
  product: 'editor', tier: 'pro', kind: 'paid', email: 'bob@example.com', seats: 1, features: [] };
const signed = await V4.sign(claims, privateKey, { footer: JSON.stringify({ kid: payload.footer.toString().match(/"kid":"([^"]+)"/)[1] }), assertion: 'licensor:license:v1', iat: false });
writeFileSync(outFile, signed);
console.log('npm paseto signed a token');
