// A link bound to its first visitor's passkey (WebAuthn). The page asks for options, runs the ceremony
// in the browser, and sends the answer; the proxy verifies it (@simplewebauthn/server), binds the
// first passkey it sees, and answers a pass: a random secret the page then carries like an access
// code (proxy/auth/access-code.ts checks it on the look-up and on every tunnel). Only the pass's hash
// is kept, for PASS_TTL_MS. The relying party is the page's own origin, as the browser sent it.
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type AuthenticatorTransport, type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { findLink } from '../auth/access.ts';
import { hashToken, newToken } from '../store/tokens.ts';
import { ApiError } from '../../src/shared/rules/errors.ts';
import { linkRefusal, refusalError } from '../../src/shared/rules/refusals.ts';
import { asObject, extractToken } from '../../src/shared/rules/validate.ts';
import type { LinkRecord } from '../store/store.ts';
import type { RequestContext, Route } from '../services/context.ts';

const CEREMONY_MS = 5 * 60_000;
export const PASS_TTL_MS = 12 * 3600_000;
const FAILED = 'The passkey could not be confirmed. Try again; if it keeps failing, this browser may not hold the passkey this link is bound to.';

/** The link a passkey request names, if it exists, may be used now and binds to a passkey. */
async function passkeyLink(ctx: RequestContext): Promise<LinkRecord> {
  const { token } = asObject(ctx.body);
  const link = await findLink(ctx.store, typeof token === 'string' ? extractToken(token) : '');
  const refused = linkRefusal(link, link ? await ctx.store.getShareableLinks() : true, link?.resource, ctx.now());
  if (refused) {
    ctx.gate.refused(ctx.req.url ?? '/api/link-passkey', refusalError(refused).status, {
      action: 'link.lookup', actor: 'unknown', clientAddress: ctx.gate.clientAddress(ctx.req), outcome: refused.code,
    });
    throw refusalError(refused);
  }
  if (!link!.policy?.passkey) throw new ApiError('bad-request', 'This link does not use a passkey.');
  return link!;
}

/** The page's origin, which the browser names and the proxy already allowed; WebAuthn binds to its host. */
function pageOrigin(ctx: RequestContext): { origin: string; rpID: string } {
  const origin = ctx.req.headers.origin;
  if (!origin) throw new ApiError('bad-request', 'Passkeys work only from a browser page.');
  return { origin, rpID: new URL(origin).hostname };
}

export const passkeyRoutes: Route[] = [
  {
    method: 'POST',
    path: '/api/link-passkey/options',
    handler: async (ctx) => {
      const link = await passkeyLink(ctx);
      const { origin, rpID } = pageOrigin(ctx);
      const register = !link.passkey;
      const options = register
        ? await generateRegistrationOptions({
          rpName: 'Postern', rpID, userName: `visitor of ${link.resourceName}`, userID: new Uint8Array(Buffer.from(link.id)),
          attestationType: 'none', authenticatorSelection: { residentKey: 'discouraged', userVerification: 'preferred' },
        })
        : await generateAuthenticationOptions({
          rpID, userVerification: 'preferred',
          allowCredentials: [{ id: link.passkey!.id, transports: link.passkey!.transports as AuthenticatorTransport[] | undefined }],
        });
      await ctx.store.setPasskeyChallenge(link.id, {
        challenge: options.challenge, origin, register, expiresAt: new Date(ctx.now().getTime() + CEREMONY_MS).toISOString(),
      });
      return { body: { register, options } };
    },
  },
  {
    method: 'POST',
    path: '/api/link-passkey/verify',
    handler: async (ctx) => {
      const link = await passkeyLink(ctx);
      const { origin, rpID } = pageOrigin(ctx);
      const response = asObject(ctx.body).response;
      if (typeof response !== 'object' || response === null) throw new ApiError('bad-request', 'The passkey answer is missing.', 'response');
      const ceremony = await ctx.store.takePasskeyChallenge(link.id);
      if (!ceremony || Date.parse(ceremony.expiresAt) < ctx.now().getTime() || ceremony.origin !== origin) {
        throw new ApiError('bad-request', 'The passkey request expired or was replaced. Try again.');
      }
      const expected = { expectedChallenge: ceremony.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false };
      const refuse = (outcome: string) => {
        ctx.gate.refused('/api/link-passkey/verify', 403, { action: 'link.passkey', actor: 'unknown', clientAddress: ctx.gate.clientAddress(ctx.req), outcome });
        return new ApiError('passkey-required', FAILED);
      };
      try {
        if (ceremony.register) {
          const r = await verifyRegistrationResponse({ response: response as RegistrationResponseJSON, ...expected });
          if (!r.verified) throw refuse('passkey-invalid');
          const { id, publicKey, counter, transports } = r.registrationInfo.credential;
          const bound = await ctx.store.bindPasskey(link.id, {
            id, publicKey: Buffer.from(publicKey).toString('base64url'), counter, transports, boundAt: ctx.now().toISOString(),
          });
          // Someone else's passkey was bound meanwhile: this browser is not the one.
          if (!bound) throw refuse('passkey-taken');
        } else {
          const key = link.passkey!;
          const r = await verifyAuthenticationResponse({
            response: response as AuthenticationResponseJSON, ...expected,
            credential: { id: key.id, publicKey: Buffer.from(key.publicKey, 'base64url'), counter: key.counter, transports: key.transports as AuthenticatorTransport[] | undefined },
          });
          if (!r.verified) throw refuse('passkey-invalid');
          await ctx.store.setPasskeyCounter(link.id, r.authenticationInfo.newCounter);
        }
      } catch (e) {
        if (e instanceof ApiError) throw e;
        throw refuse('passkey-invalid'); // a malformed or forged answer: the library's reason stays out of the page
      }
      const pass = newToken();
      await ctx.store.addLinkPass(link.id, hashToken(pass), new Date(ctx.now().getTime() + PASS_TTL_MS));
      return { body: { pass } };
    },
  },
];
