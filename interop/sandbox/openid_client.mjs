// Drives openid-client (unmodified) through an authorization-code flow against gaap-sandbox's One Login:
// private_key_jwt client authentication (or client_secret_post when GAAP_ONE_LOGIN_CLIENT_SECRET is set: the
// default client must then be registered for it), PKCE S256, ID token validation, userinfo.
// Usage: node openid_client.mjs '<first stdout line of gaap sandbox>'
import * as client from "openid-client";
import { webcrypto } from "node:crypto";

function check(cond, what) {
  if (!cond) {
    console.error(`FAILED: ${what}`);
    process.exit(1);
  }
}

const creds = JSON.parse(process.argv[2]).one_login;
const redirectUri = "http://localhost:8080/oidc/authorization-code/callback";
const pem = creds.private_key_pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
const key = await webcrypto.subtle.importKey(
  "pkcs8", Buffer.from(pem, "base64"), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"],
);

// The secret comes from the environment, never the command line.
const secret = process.env.GAAP_ONE_LOGIN_CLIENT_SECRET;
const method = secret ? "client_secret_post" : "private_key_jwt";
const config = await client.discovery(
  new URL(creds.issuer), creds.client_id, { id_token_signed_response_alg: "ES256" },
  secret ? client.ClientSecretPost(secret) : client.PrivateKeyJwt(key), { execute: [client.allowInsecureRequests] },
);
check(config.serverMetadata().token_endpoint_auth_methods_supported.includes(method), `discovery lists ${method}`);
const verifier = client.randomPKCECodeVerifier();
const challenge = await client.calculatePKCECodeChallenge(verifier);
const nonce = client.randomNonce();
const state = client.randomState();
const authUrl = client.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri, scope: "openid email phone", code_challenge: challenge,
  code_challenge_method: "S256", nonce, state, vtr: '["Cl.Cm"]',
});

// The sandbox's sign-in page is a plain form: pick the first user and submit.
const page = await fetch(authUrl, { redirect: "manual" });
const html = await page.text();
const requestId = html.match(/name="request_id" value="([^"]+)"/)?.[1];
check(requestId, "sign-in page has a request id");
const signIn = await fetch(new URL("authorize/sign-in", creds.issuer), {
  method: "POST", redirect: "manual",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams({ request_id: requestId, user: "0", outcome: "success" }),
});
check(signIn.status === 302, `sign-in redirects (got ${signIn.status})`);
const callback = new URL(signIn.headers.get("location"));

const tokens = await client.authorizationCodeGrant(config, callback, {
  pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true,
});
const claims = tokens.claims();
check(claims.iss === creds.issuer, "ID token iss");
check(claims.aud === creds.client_id, "ID token aud");
check(claims.vot === "Cl.Cm", "ID token vot");
const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
check(info.sub === claims.sub && info.email_verified === true, "userinfo");
console.log(`OK openid-client (${method})`);
