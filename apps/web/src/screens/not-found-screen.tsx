import { Link } from '../components/link';
import { ScreenHeading } from '../components/screen-heading';

export function NotFoundScreen({ path }: { path: string }) {
  return (
    <section>
      <ScreenHeading>Page not found</ScreenHeading>
      <p>
        There is nothing at <code>{path}</code>.{' '}
        <Link to={{ name: 'tasks', filters: {} }}>Go to your tasks</Link>
      </p>
    </section>
  );
}
