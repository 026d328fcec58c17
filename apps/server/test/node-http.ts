import { request, type RequestOptions } from 'node:http';

/** An answer read whole through node:http. */
export interface NodeHttpAnswer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

/**
 * One request through node:http, for what fetch will not do: any method (TRACE included), and
 * the answer of a server that closes the connection mid-request.
 */
export function nodeHttp(url: string, options: RequestOptions = {}): Promise<NodeHttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
