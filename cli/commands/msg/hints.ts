import { FerryError } from '../../../server/client/index.js';
import { CliError } from '../../errors.js';

/** A message id that is not there: say where the ids are, keep the daemon's code and details. */
export function explainMissing(where: 'inbox' | 'outbox'): (err: unknown) => never {
  return (err) => {
    if (err instanceof FerryError && err.code === 'message-not-found') {
      throw new CliError(err.code, err.message, {
        details: err.details,
        hint: where === 'inbox' ? 'the received messages are in `ferry msg inbox`' : 'the sent messages are in `ferry msg outbox`',
      });
    }
    throw err;
  };
}
