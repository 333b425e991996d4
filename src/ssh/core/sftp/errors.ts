// What can go wrong in a file transfer session, as a kind code branches on and a sentence a person
// reads. An SftpError ends at most the SFTP session (its channel), never the SSH connection.

export type SftpErrorKind =
  | 'no-such-file'
  | 'permission-denied'
  | 'file-exists' // found out by looking after a generic failure (version 3 has no code for it)
  | 'failure' // SSH_FX_FAILURE: the server gives no reason (a full disk is one of them)
  | 'unsupported'
  | 'bad-message' // the other end sent something malformed; the session is over
  | 'connection-lost' // the channel or the SSH connection went away
  | 'cancelled';

export class SftpError extends Error {
  constructor(
    readonly kind: SftpErrorKind,
    message: string,
    /** The request the error answers, when there is one (the server part replies to it). */
    readonly requestId?: number,
    /** The server's own words, when it sent any. */
    readonly serverMessage?: string,
  ) {
    super(message);
    this.name = 'SftpError';
  }
}

/** What the client was doing, for the sentence: "upload to", "list", "delete"... */
export interface Doing {
  /** A verb phrase: "open", "create the folder", "rename". */
  what: string;
  path: string;
}

/** A STATUS code other than OK and EOF as a sentence about `doing`. */
export function statusError(code: number, serverMessage: string, doing: Doing): SftpError {
  const target = `“${doing.path}”`;
  const said = saidBy(serverMessage);
  switch (code) {
    case 2:
      return new SftpError('no-such-file', `Could not ${doing.what} ${target}: no such file or folder.${said}`, undefined, serverMessage);
    case 3:
      return new SftpError('permission-denied', `Could not ${doing.what} ${target}: permission denied.${said}`, undefined, serverMessage);
    case 4:
      return new SftpError(
        'failure',
        `Could not ${doing.what} ${target}: the server reported a failure without saying why (a full disk, a name that already exists or a folder that is not empty are common causes).${said}`,
        undefined,
        serverMessage,
      );
    case 5:
      return new SftpError('bad-message', `Could not ${doing.what} ${target}: the server did not understand the request.${said}`, undefined, serverMessage);
    case 6:
    case 7:
      return new SftpError('connection-lost', `Could not ${doing.what} ${target}: the connection to the server was lost.`, undefined, serverMessage);
    case 8:
      return new SftpError('unsupported', `Could not ${doing.what} ${target}: the server does not support this operation.${said}`, undefined, serverMessage);
    default:
      return new SftpError('failure', `Could not ${doing.what} ${target}: the server answered with status ${code}.${said}`, undefined, serverMessage);
  }
}

/** A write failed with SSH_FX_FAILURE: say honestly that the usual cause is a full disk, and that the server did not say. */
export function writeFailure(path: string, serverMessage: string): SftpError {
  return new SftpError('failure', `Could not write “${path}”: the server reported a failure without saying why; the disk may be full or over quota.${saidBy(serverMessage)}`, undefined, serverMessage);
}

/** The server's own words, unless they only repeat the status's name. */
function saidBy(serverMessage: string): string {
  const text = serverMessage.trim();
  return text && !/^(failure|no such file|permission denied|success)$/i.test(text) ? ` The server said: “${text}”` : '';
}

export function lostError(reason?: string): SftpError {
  return new SftpError('connection-lost', `The file transfer session ended: ${reason ?? 'the connection to the server was lost.'}`);
}
