import { errorBodyOf, retryAfterMs } from '@enclave/client';
import { ApiError } from './api-error';
import type { Api } from './client';

/** A file the server sent, to hand to the browser's downloads. */
export interface Download {
  blob: Blob;
  filename: string;
}

const FALLBACK_NAME = 'enclave-export.json';

/** The file name a Content-Disposition header gives (RFC 6266), or undefined. */
export function filenameOf(disposition: string | null): string | undefined {
  if (disposition === null) return undefined;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (extended !== undefined) {
    try {
      return decodeURIComponent(extended.trim());
    } catch {
      // A malformed escape: fall back to the plain parameter.
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(disposition);
  const name = plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2];
  return name === undefined || name === '' ? undefined : name;
}

/**
 * The user's whole export (`GET /api/{user_id}/export`) as the bytes the server streamed, not
 * parsed: it goes to a file, and however large, the page holds it once.
 */
export async function fetchExport(api: Api, signal?: AbortSignal): Promise<Download> {
  const response = await api.fetchRaw(
    `/api/${encodeURIComponent(api.userId)}/export`,
    signal === undefined ? {} : { signal },
  );
  if (response.status !== 200) {
    const body: unknown = await response.json().catch(() => undefined);
    throw new ApiError(
      response.status,
      errorBodyOf(body),
      retryAfterMs(response.headers.get('retry-after')),
    );
  }
  return {
    blob: await response.blob(),
    filename: filenameOf(response.headers.get('content-disposition')) ?? FALLBACK_NAME,
  };
}

/** Hands `download` to the browser as a file save (an object URL on a transient link). */
export function saveDownload({ blob, filename }: Download): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by now; the URL only keeps the blob alive.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
