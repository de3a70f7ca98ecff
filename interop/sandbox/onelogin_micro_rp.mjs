// Drives gaap-sandbox's One Login the way GOV.UK One Login's simulator's own test relying party does: node
// `jose` with its defaults (`SignJWT` with only `alg: RS256` in the header), `exp` and `iat` as fractional
// NumericDates (`Date.now() / 1000`), a form-encoded token request, then userinfo. Every token that comes back
// is verified with jose: the ID token against the JWKS (issuer, audience, nonce, expiry), the core identity
// JWT against the DID document's key. The sandbox must be started with `one_login.auto_sign_in`.
// Usage: node onelogin_micro_rp.mjs '<first stdout line of gaap sandbox>'
import { randomUUID } from "node:crypto";
import { SignJWT, createRemoteJWKSet, decodeProtectedHeader, importJWK, importPKCS8, jwtVerify } from "jose";

function check(cond, what) {
  if (!cond) {
    console.error(`FAILED: ${what}`);
    process.exit(1);
  }
}

const creds = JSON.parse(process.argv[2]).one_login;
const issuer = creds.issuer;
const discovery = await (await fetch(`${issuer}.well-known/openid-configuration`)).json();
check(discovery.issuer === issuer, "discovery issuer");
check(!("registration_endpoint" in discovery), "no registration endpoint advertised");
const redirectUri = "http://localhost:8080/oidc/authorization-code/callback";
const nonce = randomUUID();
const CORE = "https://vocab.account.gov.uk/v1/coreIdentityJWT";
const ADDRESS = "https://vocab.account.gov.uk/v1/address";

const authorize = new URL(discovery.authorization_endpoint);
for (const [k, v] of Object.entries({
  response_type: "code", scope: "openid email phone", client_id: creds.client_id, state: "s1", nonce,
  redirect_uri: redirectUri, vtr: '["Cl.Cm.P2"]', claims: JSON.stringify({ userinfo: { [CORE]: null, [ADDRESS]: null } }),
})) authorize.searchParams.set(k, v);
const auth = await fetch(authorize, { redirect: "manual" });
check(auth.status === 302, `authorize redirects (got ${auth.status})`);
const callback = new URL(auth.headers.get("location"));
check(callback.searchParams.get("state") === "s1", "state comes back");
const code = callback.searchParams.get("code");

async function assertion() {
  const claims = {
    aud: discovery.token_endpoint, iss: creds.client_id, sub: creds.client_id,
    exp: Date.now() / 1000 + 5 * 60, iat: Date.now() / 1000, jti: randomUUID(),
  };
  // The test RP passes "RSA" here, which jose 6 no longer accepts; RS256 is the same key use.
  const key = await importPKCS8(creds.private_key_pem, "RS256");
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256" }).sign(key);
}

const clientAssertion = await assertion();
const form = (c, a) => new URLSearchParams({
  code: c, redirect_uri: redirectUri, client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
  client_assertion: a, grant_type: "authorization_code",
}).toString();
const tokenRes = await fetch(discovery.token_endpoint, {
  method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: form(code, clientAssertion),
});
const tokens = await tokenRes.json();
check(tokenRes.ok, `token request with fractional dates: ${tokenRes.status} ${JSON.stringify(tokens)}`);

const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
const { payload: idToken } = await jwtVerify(tokens.id_token, jwks, { issuer, audience: creds.client_id });
check(idToken.nonce === nonce, "nonce");
check(idToken.vot === "Cl.Cm", `vot ${idToken.vot}`);

const userinfoRes = await fetch(discovery.userinfo_endpoint, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
check(userinfoRes.ok, `userinfo ${userinfoRes.status}`);
const userinfo = JSON.parse(await userinfoRes.text());
check(userinfo.sub === idToken.sub, "userinfo sub is the ID token's");
check(Array.isArray(userinfo[ADDRESS]) && userinfo[ADDRESS][0].postalCode, "address claim");
const did = await (await fetch(`${issuer}.well-known/did.json`)).json();
const kid = decodeProtectedHeader(userinfo[CORE]).kid;
const method = did.assertionMethod.find((m) => m.id === kid);
check(method, `the core identity's kid ${kid} is in the DID document`);
const { payload: identity } = await jwtVerify(userinfo[CORE], await importJWK(method.publicKeyJwk, "ES256"), {
  issuer, audience: creds.client_id, subject: idToken.sub,
});
check(identity.vot === "P2" && identity.vc.credentialSubject.name.length > 0, "core identity");

// The sandbox's deliberate strictness: the same assertion (same jti) is refused the second time, and so is
// the same code.
const again = await fetch(discovery.token_endpoint, {
  method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: form(code, await assertion()),
});
check(again.status === 400 && (await again.json()).error === "invalid_grant", "codes are single use");
console.log("OK One Login micro RP with jose defaults and fractional dates");
