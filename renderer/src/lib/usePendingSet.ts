/**
 * A value the operator changes through a Set: the asked value is shown (busy) until the server's Update confirms it,
 * then kept until the store's copy has it too (the confirming Update and the patch that carries it to the page travel
 * separately) or, if it changed again meanwhile (another panel), for a moment at most. A refusal or timeout puts it
 * back to what the server holds and hands the error to `onFailure`.
 */
import { useEffect, useState } from 'react';

export function usePendingSet<T>(value: T | undefined, send: (want: T) => Promise<void>, onFailure: (error: unknown, want: T) => void) {
  const [pending, setPending] = useState<{ want: T; confirmed: boolean } | null>(null);

  useEffect(() => {
    if (!pending?.confirmed) return;
    if (value === pending.want) {
      setPending(null);
      return;
    }
    const timer = setTimeout(() => setPending(null), 2000);
    return () => clearTimeout(timer);
  }, [pending, value]);

  const request = async (want: T): Promise<void> => {
    setPending({ want, confirmed: false });
    try {
      await send(want);
      setPending({ want, confirmed: true });
    } catch (error) {
      setPending(null);
      onFailure(error, want);
    }
  };

  return { shown: pending ? pending.want : value, busy: pending !== null && !pending.confirmed, pending: pending !== null, request };
}
