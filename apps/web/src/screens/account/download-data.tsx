import { useMutation } from '@tanstack/react-query';
import { formError } from '../../api/api-error';
import { fetchExport, saveDownload } from '../../api/export';
import { useAnnounce } from '../../components/announcer';
import { ErrorNotice } from '../../components/notices';
import { useApi } from '../../session-context';

/** "Download my data": the server's export, saved as the file it names. */
export function DownloadData() {
  const api = useApi();
  const announce = useAnnounce();
  const download = useMutation({
    mutationFn: () => fetchExport(api),
    onSuccess: (file) => {
      saveDownload(file);
      announce(`Downloaded ${file.filename}`);
    },
  });
  return (
    <section className="card" aria-labelledby="your-data">
      <h2 id="your-data">Your data</h2>
      <p>
        One JSON file with your account and every task, project and note, as the API gives them.
      </p>
      {download.error === null ? null : <ErrorNotice>{formError(download.error)}</ErrorNotice>}
      <button
        type="button"
        aria-disabled={download.isPending}
        onClick={() => !download.isPending && download.mutate()}
      >
        {download.isPending ? 'Preparing…' : 'Download my data'}
      </button>
    </section>
  );
}
