import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { applyChange, invalidateAll } from './api/live-changes';
import { useApi } from './session-context';

/**
 * Keeps the signed-in user's cached data current with their changes made elsewhere, over the
 * change stream, for as long as it is mounted (while signed in). Renders nothing.
 */
export function LiveChanges() {
  const api = useApi();
  const queryClient = useQueryClient();
  useEffect(() => {
    let subscription = follow();
    // A new subscription follows from the moment its stream opens; the lists read before
    // (at start-up, or before a cursor too old to resume) may lack a change made just before
    // it, so they are read again once, then kept current by the stream.
    function follow() {
      let opened = false;
      return api.subscribe((change) => applyChange(queryClient, api.userId, change), {
        onOpen: () => {
          if (opened) return; // a reconnection resumes from its cursor: nothing was missed
          opened = true;
          invalidateAll(queryClient, api.userId);
        },
        onStop: (reason) => {
          if (reason === 'refused') return; // the session ends too, and this with it
          // The stream could not resume: follow from now, reading everything again.
          subscription = follow();
        },
      });
    }
    return () => subscription.unsubscribe();
  }, [api, queryClient]);
  return null;
}
