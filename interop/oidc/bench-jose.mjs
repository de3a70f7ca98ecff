// node jose jwtVerify on the same ES256 ID token and JWK as benches/identity.rs, with the same checks
// (alg pinned, iss, aud, exp, iat not in the future, nonce, vot) and a warm local JWKS.
// Run: GAAP_NODE_MODULES=$PWD/interop/node_modules node interop/oidc/bench-jose.mjs
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const modules = process.env.GAAP_NODE_MODULES;
if (!modules) {
  console.error('GAAP_NODE_MODULES is not set');
  process.exit(2);
}
const jose = await import(pathToFileURL(join(modules, 'jose/dist/webapi/index.js')).href);

const TOKEN = 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImI5MTYyNjY3LWUwMjUtNGQ5My04YzViLWU1MzhlNmM3OTJhYyIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1cm46ZmRjOmdvdi51azoyMDIyOjU2UDRDTXNHaF8wMllPbFdwZDhQQU9JLTJzVmxCMm5zTlU3bWNMWlloWXc9IiwiYXVkIjoiSEdJT2dobzlISVJoZ29lcGRJT1BGZElVV2dld2kwanciLCJpc3MiOiJodHRwczovL29pZGMuaW50ZWdyYXRpb24uYWNjb3VudC5nb3YudWsvIiwidm90IjoiQ2wuQ20iLCJleHAiOjE3OTU2MDAxMjAsImlhdCI6MTc5NTYwMDAwMCwibm9uY2UiOiJuLTBTNl9XekEyTWoiLCJ2dG0iOiJodHRwczovL29pZGMuaW50ZWdyYXRpb24uYWNjb3VudC5nb3YudWsvdHJ1c3RtYXJrIiwic2lkIjoiNTBhOTA0MWI1ZDU3Y2I1MzYzMmEwZTkyNTk4NjRiNzEiLCJhdXRoX3RpbWUiOjE3OTU1OTk5OTUsImF0X2hhc2giOiJsUk1JVDZicGFDRmwyR2FVQmp1UTB3In0.nMKXOcXW-v8vZhKHfkFajxl0_L9t6xVwZkTqUpiGk0q4z6nS1AeEslQ2OEFZG7us7bcZuiuGQcEi_KRSTMOCZw';
const JWKS = {"keys": [{"kty": "EC", "x": "uXRaWTbTrtOM-huUwEiNoSqa9nJDKG4pvgT6aRiswoA", "y": "2XUh7M27JcTNn-RKRDisYEcXXRVNSFc10pI2axyWYOw", "crv": "P-256", "kid": "b9162667-e025-4d93-8c5b-e538e6c792ac", "alg": "ES256", "use": "sig"}]};
const NOW = 1795600030;
const jwks = jose.createLocalJWKSet(JWKS);

async function verify() {
  const { payload } = await jose.jwtVerify(TOKEN, jwks, {
    algorithms: ['ES256'],
    issuer: 'https://oidc.integration.account.gov.uk/',
    audience: 'HGIOgho9HIRhgoepdIOPFdIUWgewi0jw',
    currentDate: new Date(NOW * 1000),
    clockTolerance: 30,
    requiredClaims: ['iat', 'exp', 'sub', 'nonce', 'vot'],
  });
  if (payload.iat > NOW + 30) throw new Error('issued in the future');
  if (payload.nonce !== 'n-0S6_WzA2Mj') throw new Error('nonce');
  if (payload.vot !== 'Cl.Cm') throw new Error('vot');
  return payload;
}

const batch = 2000;
for (let i = 0; i < batch * 2; i += 1) await verify();
const perOp = [];
for (let round = 0; round < 15; round += 1) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < batch; i += 1) await verify();
  perOp.push(Number(process.hrtime.bigint() - start) / batch / 1000);
}
perOp.sort((a, b) => a - b);
console.error(`node jose ${process.versions.node}: jwtVerify ES256 warm JWKS median ${perOp[7].toFixed(2)} µs/op (15 rounds of ${batch})`);
