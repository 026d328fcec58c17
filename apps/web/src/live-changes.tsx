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
    function follow() {
      return api.subscribe(
        (change) => applyChange(queryClient, api.userId, change),
        (reason) => {
          if (reason === 'refused') return; // the session ends too, and this with it
          // The stream could not resume: read everything again and follow from now.
          invalidateAll(queryClient, api.userId);
          subscription = follow();
        },
      );
    }
    return () => subscription.unsubscribe();
  }, [api, queryClient]);
  return null;
}
