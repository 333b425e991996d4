// The WebAuthn ceremony for a link bound to a passkey, loaded only when such a link is opened: the
// proxy's options, the browser's dialog (@simplewebauthn/browser), and the proxy's pass in return.
import { startAuthentication, startRegistration, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { ApiClient } from '../api/client';

export class PasskeyCancelled extends Error {
  constructor(register: boolean) {
    super(register
      ? 'No passkey was registered: the request was cancelled or this browser cannot make one. Try again.'
      : 'This browser did not confirm the passkey this link is bound to. The link opens only where that passkey is (the browser or device of the person who first opened it).');
    this.name = 'PasskeyCancelled';
  }
}

export async function provePasskey(token: string): Promise<string> {
  const api = new ApiClient();
  const { register, options } = await api.linkPasskeyOptions(token);
  let response: unknown;
  try {
    response = register
      ? await startRegistration({ optionsJSON: options as PublicKeyCredentialCreationOptionsJSON })
      : await startAuthentication({ optionsJSON: options as PublicKeyCredentialRequestOptionsJSON });
  } catch {
    throw new PasskeyCancelled(register);
  }
  return (await api.linkPasskeyVerify(token, response)).pass;
}
