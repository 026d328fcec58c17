import { useEffect, useRef, useState } from 'react';

interface Props {
  /** The button's text, e.g. "Delete task". */
  label: string;
  /** Its accessible name where the text alone is ambiguous in a list ("Delete note: Buy…"). */
  accessibleLabel?: string;
  /** What is asked once pressed: "Delete the task “Buy milk”? This cannot be undone." */
  question: string;
  pending: boolean;
  onConfirm: () => void;
}

/**
 * A delete that asks first, in place: one press shows the question with "Yes, delete" and
 * "Cancel" (the focus on Cancel, so a second Enter or a double click deletes nothing;
 * Escape cancels too). A delete cannot be undone here, since a re-created item is a new one.
 */
export function ConfirmDelete({ label, accessibleLabel, question, pending, onConfirm }: Props) {
  const [asking, setAsking] = useState(false);
  const cancel = useRef<HTMLButtonElement>(null);
  const start = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) cancel.current?.focus();
    // Back from the question: the focus returns to the button that asked it.
    else if (wasAsking.current) start.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <button
        ref={start}
        type="button"
        className="danger"
        aria-label={accessibleLabel}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    );
  }
  return (
    <span
      className="confirm"
      role="group"
      aria-label={question}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && !pending) setAsking(false);
      }}
    >
      <span className="confirm-question">{question}</span>
      <button
        type="button"
        className="danger"
        aria-disabled={pending}
        onClick={() => !pending && onConfirm()}
      >
        {pending ? 'Deleting…' : 'Yes, delete'}
      </button>
      <button ref={cancel} type="button" onClick={() => !pending && setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
