// The demo machine's SSH server: the library's server role (src/ssh/server) with the machine's
// accounts as its sign-in policy and the machine's name on its identification line.

import { SshServer, type SshServerOptions } from '../../ssh/server/index';
import { accountPolicy, type AccountBook } from './accounts';

export const DEMO_SERVER_VERSION = 'SSH-2.0-PosternDemo_1.0';

export interface DemoServerOptions extends Omit<SshServerOptions, 'authenticate'> {
  accounts: AccountBook;
}

export class DemoServer extends SshServer {
  readonly accounts: AccountBook;

  constructor(options: DemoServerOptions) {
    super({ version: DEMO_SERVER_VERSION, ...options, authenticate: accountPolicy(options.accounts) });
    this.accounts = options.accounts;
  }
}
