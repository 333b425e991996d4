// The address people open: the configured public URL (behind a reverse proxy), else the one the proxy
// listens on. Worked out from the settings alone, so `--signin-url` can print a URL for the Postern
// that is already running with the same settings without listening itself.

/** The settings the address follows: these fields of proxy/config.ts's Config (named here, not
 *  imported, so that http/ does not import the folder that imports it). */
export interface AddressSettings {
  publicUrl?: string;
  host: string;
  port: number;
  tlsCert?: string;
}

/** The base URL ending in '/', or undefined when the settings do not say (port 0: the OS picks one). */
export function publicBase(config: AddressSettings, listening?: string): string | undefined {
  if (config.publicUrl) return config.publicUrl.replace(/\/?$/, '/');
  if (listening) return `${listening}/`;
  if (config.port === 0) return undefined;
  // A wildcard address is not one a browser can open; the machine itself answers on loopback.
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '[::1]' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return `${config.tlsCert ? 'https' : 'http'}://${host}:${config.port}/`;
}

export function signinUrlOf(base: string, token: string): string {
  return `${base}#/signin/${token}`;
}
