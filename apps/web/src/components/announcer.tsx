import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';

// A polite live region that says what an action did ("Task added") to screen readers, where
// the change itself may be out of sight. It is in the page from the start: regions added with
// their message are often not read.

const AnnounceContext = createContext<(message: string) => void>(() => undefined);

export function Announcer({ children }: { children: ReactNode }) {
  const [message, setMessage] = useState({ text: '', serial: 0 });
  const announce = useCallback((text: string) => {
    setMessage(({ serial }) => ({ text, serial: serial + 1 }));
  }, []);
  return (
    <AnnounceContext.Provider value={announce}>
      {children}
      <div className="visually-hidden" role="status" aria-live="polite" data-testid="announcer">
        {/* The key remounts the text, so the same message twice is read twice. */}
        <span key={message.serial}>{message.text}</span>
      </div>
    </AnnounceContext.Provider>
  );
}

export function useAnnounce(): (message: string) => void {
  return useContext(AnnounceContext);
}
