import type { Note } from '@enclave/client';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, fieldErrors, formError } from '../api/api-error';
import { newIdempotencyKey } from '@enclave/client';
import {
  createNoteMutation,
  deleteNoteMutation,
  noteKeys,
  noteListQuery,
  updateNoteMutation,
  type NoteFilters,
} from '../api/notes';
import { FORM_TEXTS } from '../api/form-texts';
import { ConfirmDelete } from '../components/confirm-delete';
import { Timestamps } from '../components/timestamps';
import { useAnnounce } from '../components/announcer';
import { TextAreaField } from '../components/field';
import { ErrorNotice, Loading } from '../components/notices';
import { ScreenHeading } from '../components/screen-heading';
import { useFocusFirstError } from '../components/use-focus-error';
import { useApi } from '../session-context';
import { textOf } from '../components/form-data';
import { LoadMore } from '../components/load-more';

function NoteCreateForm() {
  const api = useApi();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const form = useRef<HTMLFormElement>(null);
  const create = useMutation(createNoteMutation(api, queryClient));
  const errors = fieldErrors(create.error, FORM_TEXTS.note);
  useFocusFirstError(form, create.error);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (create.isPending) return;
    const data = new FormData(event.currentTarget);
    create.mutate(
      {
        body: { body: textOf(data, 'body'), pinned: data.get('pinned') === 'on' },
        idempotencyKey: newIdempotencyKey(),
      },
      {
        onSuccess: () => {
          form.current?.reset();
          form.current?.querySelector<HTMLTextAreaElement>('textarea')?.focus();
          announce('Note added');
        },
      },
    );
  };

  const problem = formError(create.error, ['body', 'pinned']);
  return (
    <form ref={form} className="card" onSubmit={submit} noValidate aria-labelledby="new-note">
      <h2 id="new-note">New note</h2>
      {problem === undefined ? null : <ErrorNotice>{problem}</ErrorNotice>}
      <TextAreaField label="Note" name="body" rows={3} error={errors.body} />
      <div className="field checkbox">
        <input id="note-pinned" type="checkbox" name="pinned" />
        <label htmlFor="note-pinned">Pin it</label>
      </div>
      <button type="submit" aria-disabled={create.isPending}>
        {create.isPending ? 'Adding…' : 'Add note'}
      </button>
    </form>
  );
}

function NoteEditForm({ note, onDone }: { note: Note; onDone: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const form = useRef<HTMLFormElement>(null);
  const update = useMutation(updateNoteMutation(api, queryClient));
  const errors = fieldErrors(update.error, FORM_TEXTS.note);
  useFocusFirstError(form, update.error);
  useEffect(() => {
    form.current?.querySelector('textarea')?.focus();
  }, []);
  const changedElsewhere =
    update.error instanceof ApiError && update.error.kind === 'changed-elsewhere';

  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (update.isPending) return;
    const body = textOf(new FormData(event.currentTarget), 'body');
    if (body === note.body) {
      onDone();
      return;
    }
    update.mutate(
      { note, changes: { body } },
      {
        onSuccess: () => {
          announce('Note saved');
          onDone();
        },
        onError: (failure) => {
          // An old copy: read the list again; the user's text stays in the form meanwhile.
          if (failure instanceof ApiError && failure.kind === 'changed-elsewhere') {
            void queryClient.invalidateQueries({ queryKey: noteKeys.lists(api.userId) });
          }
        },
      },
    );
  };

  const problem = changedElsewhere
    ? 'Changed elsewhere: this note was edited in another tab. Cancel to see its current text.'
    : formError(update.error, ['body']);
  return (
    <form ref={form} onSubmit={save} noValidate aria-label="Edit note">
      {problem === undefined ? null : <ErrorNotice>{problem}</ErrorNotice>}
      <TextAreaField
        label="Note"
        name="body"
        rows={4}
        defaultValue={note.body}
        error={errors.body}
      />
      <div className="actions">
        <button type="submit" aria-disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save note'}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function NoteRow({ note }: { note: Note }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const [editing, setEditing] = useState(false);
  const pin = useMutation(updateNoteMutation(api, queryClient));
  const remove = useMutation(deleteNoteMutation(api, queryClient));
  const error = pin.error ?? remove.error;
  const onError = (failure: unknown) => {
    // An old copy: read the list again so the next try starts from the current note.
    if (failure instanceof ApiError && failure.kind === 'changed-elsewhere') {
      void queryClient.invalidateQueries({ queryKey: noteKeys.lists(api.userId) });
    }
  };
  const problem =
    error instanceof ApiError && error.kind === 'changed-elsewhere'
      ? 'Changed elsewhere: this note was edited in another tab, so it was reloaded. Try again.'
      : formError(error);
  const excerpt = note.body.length > 40 ? `${note.body.slice(0, 40)}…` : note.body;
  const edit = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  useEffect(() => {
    // Back from the form: the focus returns to the button that opened it.
    if (!editing && wasEditing.current) edit.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  if (editing) {
    return (
      <li className={note.pinned ? 'note-row pinned' : 'note-row'}>
        <NoteEditForm note={note} onDone={() => setEditing(false)} />
      </li>
    );
  }
  return (
    <li className={note.pinned ? 'note-row pinned' : 'note-row'}>
      <p className="note-body">
        {note.pinned ? <span className="tag">Pinned</span> : null}
        {note.body}
      </p>
      <Timestamps item={note} />
      {problem === undefined ? null : (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      <div className="actions">
        <button
          type="button"
          aria-pressed={note.pinned}
          aria-label={`Pin note: ${excerpt}`}
          aria-disabled={pin.isPending}
          onClick={() =>
            !pin.isPending &&
            pin.mutate(
              { note, changes: { pinned: !note.pinned } },
              {
                onSuccess: (changed) => announce(changed.pinned ? 'Note pinned' : 'Note unpinned'),
                onError,
              },
            )
          }
        >
          Pin
        </button>
        <button
          ref={edit}
          type="button"
          className="secondary"
          aria-label={`Edit note: ${excerpt}`}
          onClick={() => setEditing(true)}
        >
          Edit
        </button>
        <ConfirmDelete
          label="Delete"
          accessibleLabel={`Delete note: ${excerpt}`}
          question="Delete this note? This cannot be undone."
          pending={remove.isPending}
          // The promise, not mutate's callbacks: the row unmounts once the note is gone.
          onConfirm={() =>
            void remove.mutateAsync(note).then(() => announce('Note deleted'), onError)
          }
        />
      </div>
    </li>
  );
}

/** `#/notes`: free text with a pin. */
export function NotesScreen() {
  const api = useApi();
  const [filters, setFilters] = useState<NoteFilters>({});
  const list = useInfiniteQuery(noteListQuery(api, filters));
  const notes = list.data?.pages.flatMap((page) => page.notes) ?? [];
  return (
    <section>
      <ScreenHeading>Notes</ScreenHeading>
      <NoteCreateForm />
      <div className="filters">
        <label>
          Show{' '}
          <select
            value={filters.pinned === true ? 'pinned' : ''}
            onChange={(event) =>
              setFilters(event.target.value === 'pinned' ? { pinned: true } : {})
            }
          >
            <option value="">All notes</option>
            <option value="pinned">Pinned only</option>
          </select>
        </label>
      </div>
      {list.isPending ? (
        <Loading>Loading notes…</Loading>
      ) : list.isError ? (
        <ErrorNotice>{formError(list.error)}</ErrorNotice>
      ) : notes.length === 0 ? (
        <p className="empty">
          {filters.pinned === true ? 'No pinned notes.' : 'No notes yet. Write one above.'}
        </p>
      ) : (
        <>
          <ul className="items" aria-label="Notes">
            {notes.map((note) => (
              <NoteRow key={note.id} note={note} />
            ))}
          </ul>
          <LoadMore
            hasMore={list.hasNextPage}
            loading={list.isFetchingNextPage}
            onLoad={() => void list.fetchNextPage({ cancelRefetch: false })}
          />
        </>
      )}
    </section>
  );
}
