// A real OpenID provider (node-oidc-provider, certified) for the sign-in tests, in a child
// process: it is an ES module, which Jest's CommonJS runtime cannot load. Listens on
// 127.0.0.1 (a free port); reads its configuration as JSON on stdin:
//   { clients: [client metadata], accounts: { [sub]: claims }, jwks: { keys: [private JWK] }, consent?: true }
// and prints { issuer } on its first line of stdout once it listens.
//
// Interactions stand in for a person at the provider's pages: POST /interaction/{uid}/login
// with `sub` (and optional `amr`, comma-separated) signs that account in; POST
// /interaction/{uid}/abort answers the client `access_denied` (a denied consent). Consent is
// granted for the scopes asked; with `consent: true` the provider asks first, on a consent page
// (POST /interaction/{uid}/consent grants the scopes asked). POST /__test/tamper with { idToken } replaces the `id_token`
// of the next token response (what a compromised or mixed-up provider would send).
// GET /__test/client-assertions lists each `client_assertion` the token endpoint received
// (`private_key_jwt` clients), with the status and `error` it answered.
import http from 'node:http';
import Provider from 'oidc-provider';

let text = '';
for await (const chunk of process.stdin) text += chunk;
const { clients, accounts, jwks, consent = false } = JSON.parse(text);

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

let tamperedIdToken = null;
const clientAssertions = [];

const provider = new Provider(issuer, {
  clients,
  jwks,
  cookies: { keys: ['a-test-provider-cookie-key-of-some-length'] },
  // 'cognito:groups' as Cognito puts it in its ID tokens; `amr` (what the login form names) as Azure AD and Okta do.
  claims: { openid: ['sub', 'cognito:groups', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
  features: {
    devInteractions: { enabled: false },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  // The scopes' claims in the ID token itself, as Cognito, Google and Keycloak put them.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  // The provider refuses to call special-use addresses (SSRF protection); the apps under test
  // listen on 127.0.0.1, so its back-channel requests go without that dispatcher.
  fetch: (url, { dispatcher, ...options }) => globalThis.fetch(url, options),
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const claims = accounts[sub];
    if (!claims) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...claims }) };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    if (consent) return undefined;
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.params.scope);
    await grant.save();
    return grant;
  },
});

provider.use(async (ctx, next) => {
  await next();
  const assertion = ctx.path === '/token' ? ctx.oidc?.params?.client_assertion : undefined;
  if (assertion) clientAssertions.push({ assertion, status: ctx.status, error: (ctx.body && typeof ctx.body === 'object' && ctx.body.error) || null });
  if (ctx.path === '/token' && tamperedIdToken && ctx.body && typeof ctx.body === 'object' && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: tamperedIdToken };
    tamperedIdToken = null;
  }
});

for (const name of ['backchannel.error', 'backchannel.success', 'server_error']) {
  provider.on(name, (...args) => process.stderr.write(`${name} ${args.map((arg) => (arg instanceof Error ? `${arg.stack} cause: ${arg.cause?.stack ?? arg.cause}` : '')).join(' ')}\n`));
}

const providerCallback = provider.callback();

function readForm(req) {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => resolve(body));
  });
}

server.on('request', async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    const interaction = /^\/interaction\/([^/]+)(?:\/(login|abort|consent))?$/.exec(url.pathname);
    if (req.method === 'POST' && url.pathname === '/__test/tamper') {
      tamperedIdToken = JSON.parse(await readForm(req)).idToken;
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/__test/client-assertions') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(clientAssertions));
      return;
    }
    if (interaction && req.method === 'GET' && !interaction[2]) {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'consent') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(
          `<h1>Allow access</h1><p id="scopes">${details.params.scope}</p><form method="post" action="/interaction/${details.uid}/consent"><button id="allow">Allow</button></form>`,
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' }).end(
        `<h1>Sign in</h1><form method="post" action="/interaction/${details.uid}/login"><input name="sub"><button>Sign in</button></form>`,
      );
      return;
    }
    if (interaction && req.method === 'POST' && interaction[2] === 'consent') {
      const details = await provider.interactionDetails(req, res);
      const grant = new provider.Grant({ clientId: details.params.client_id, accountId: details.session.accountId });
      grant.addOIDCScope(details.params.scope);
      await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
      return;
    }
    if (interaction && req.method === 'POST' && interaction[2] === 'login') {
      const form = new URLSearchParams(await readForm(req));
      // `amr=none`: a login that names no method (the ID token then carries no `amr`, as Google's).
      const amr = form.get('amr') === 'none' ? undefined : form.get('amr') ? form.get('amr').split(',') : ['pwd'];
      await provider.interactionFinished(req, res, { login: { accountId: form.get('sub'), amr } }, { mergeWithLastSubmission: false });
      return;
    }
    if (interaction && req.method === 'POST' && interaction[2] === 'abort') {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The user denied the request.' }, { mergeWithLastSubmission: false });
      return;
    }
    providerCallback(req, res);
  } catch (error) {
    res.writeHead(500).end(String(error));
  }
});

process.stdout.write(`${JSON.stringify({ issuer })}\n`);
