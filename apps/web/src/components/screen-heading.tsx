import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A screen's h1. It takes focus when the screen appears, so a keyboard or screen-reader user
 * starts from the new screen's top, as after a page load, rather than from a link that is gone.
 */
export function ScreenHeading({ children }: { children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}
