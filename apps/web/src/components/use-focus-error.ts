import { useEffect, type RefObject } from 'react';

/**
 * After a refused submit, puts the focus on the first field the server named, so the user
 * lands on what to fix (its message is read with it).
 */
export function useFocusFirstError(form: RefObject<HTMLFormElement | null>, error: unknown): void {
  useEffect(() => {
    if (error === null || error === undefined) return;
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [form, error]);
}
