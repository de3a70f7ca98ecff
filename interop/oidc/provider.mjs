// oidc-provider configured like GOV.UK One Login, for the gaap-identity interop test.
//
// Env: GAAP_NODE_MODULES (absolute path of interop/node_modules), PORT, CLIENT_ID, REDIRECT_URI and RP_JWK
// (the relying party's RS256 public JWK, JSON). Prints one JSON line {"ready":true,"issuer":…} on stdout
// when listening. Logins are approved without a form: the subject is SUB, and the vtr sent is echoed as
// vot (credential part only) in the ID token and as the P level in the core identity JWT.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

// stdout carries only the ready line; oidc-provider's notices go to stderr.
console.log = console.error;
console.info = console.error;

const modules = process.env.GAAP_NODE_MODULES;
if (!modules) {
  console.error('GAAP_NODE_MODULES is not set');
  process.exit(2);
}
const { default: Provider } = await import(pathToFileURL(join(modules, 'oidc-provider/lib/index.js')).href);
const jose = await import(pathToFileURL(join(modules, 'jose/dist/webapi/index.js')).href);

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}/`;
const clientId = process.env.CLIENT_ID;
const redirectUri = process.env.REDIRECT_URI;
const rpJwk = JSON.parse(process.env.RP_JWK);
const SUB = 'urn:fdc:gov.uk:2022:56P4CMsGh_02YOlWpd8PAOI-2sVlB2nsNU7mcLZYhYw=';
const VOCAB = 'https://vocab.account.gov.uk/v1/';
const DID = `did:web:127.0.0.1%3A${port}`;

async function privateJwk(alg, kid) {
  const { privateKey } = await jose.generateKeyPair(alg, { extractable: true });
  return { ...(await jose.exportJWK(privateKey)), kid, alg, use: 'sig' };
}

const idTokenKey = await privateJwk('ES256', 'b9162667-e025-4d93-8c5b-e538e6c792ac');
const rsaKey = await privateJwk('RS256', '7334b718-3f29-44ef-8b65-e266a17daea5');
const coreKeyPair = await jose.generateKeyPair('ES256', { extractable: true });
const coreKid = `${DID}#core-identity-1`;
const corePublic = await jose.exportJWK(coreKeyPair.publicKey);

// The vtr of the login in progress (one user at a time in this test).
let lastVtr = '["Cl.Cm"]';
const parseVtr = (raw) => {
  const first = JSON.parse(raw || '["Cl.Cm"]')[0] || 'Cl.Cm';
  const parts = first.split('.');
  const credential = ['Cl', 'Cm'].filter((c) => parts.includes(c)).join('.');
  const level = parts.find((p) => /^P[0-3]$/.test(p));
  return { credential, level };
};

async function coreIdentityJwt(level) {
  const now = Math.floor(Date.now() / 1000);
  return new jose.SignJWT({
    vot: level,
    vtm: `${issuer}trustmark`,
    vc: {
      type: ['VerifiableCredential', 'IdentityCheckCredential'],
      credentialSubject: {
        name: [{ nameParts: [{ value: 'GEOFFREY', type: 'GivenName' }, { value: 'HEARNSHAW', type: 'FamilyName' }] }],
        birthDate: [{ value: '1955-04-19' }],
      },
    },
  })
    .setProtectedHeader({ alg: 'ES256', kid: coreKid })
    .setIssuer(issuer)
    .setAudience(clientId)
    .setSubject(SUB)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 1800)
    .sign(coreKeyPair.privateKey);
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: ['http://localhost:8080/signed-out'],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'RS256',
    id_token_signed_response_alg: 'ES256',
    jwks: { keys: [rpJwk] },
  }],
  jwks: { keys: [idTokenKey, rsaKey] },
  routes: {
    authorization: '/authorize',
    token: '/token',
    userinfo: '/userinfo',
    jwks: '/.well-known/jwks.json',
    end_session: '/logout',
  },
  clientAuthMethods: ['private_key_jwt'],
  cookies: { keys: ['gaap-interop-cookie-key'] },
  conformIdTokenClaims: false,
  extraParams: ['vtr'],
  claims: {
    openid: ['sub', 'vot', 'vtm'],
    email: ['email', 'email_verified'],
    [`${VOCAB}coreIdentityJWT`]: null,
    [`${VOCAB}address`]: null,
    [`${VOCAB}returnCode`]: null,
  },
  features: {
    devInteractions: { enabled: false },
    claimsParameter: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims(use) {
        const { credential, level } = parseVtr(lastVtr);
        const claims = { sub, vot: credential, vtm: `${issuer}trustmark`, email: 'test@example.com', email_verified: true };
        if (use === 'userinfo' && level && level !== 'P0') {
          claims[`${VOCAB}coreIdentityJWT`] = await coreIdentityJwt(level);
        }
        return claims;
      },
    };
  },
});

// The DID document for the core identity key (One Login serves it at /.well-known/did.json).
provider.use(async (ctx, next) => {
  if (ctx.path === '/.well-known/did.json') {
    ctx.set('cache-control', 'max-age=3600, private');
    ctx.body = {
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/jwk/v1'],
      id: DID,
      assertionMethod: [{ type: 'JsonWebKey2020', id: coreKid, controller: DID, publicKeyJwk: { ...corePublic } }],
    };
    return;
  }
  await next();
});

// Headless interactions: approve the login, then the consent with every scope and claim asked for.
provider.use(async (ctx, next) => {
  if (!ctx.path.startsWith('/interaction/')) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  let result;
  if (details.prompt.name === 'login') {
    lastVtr = details.params.vtr || '["Cl.Cm"]';
    result = { login: { accountId: SUB } };
  } else {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    result = { consent: { grantId: await grant.save() } };
  }
  await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
});

provider.on('server_error', (ctx, err) => console.error('server_error', err));

const server = provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ ready: true, issuer })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
