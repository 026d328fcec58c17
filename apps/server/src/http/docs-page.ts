import express, { type Router } from 'express';
import swaggerUi from 'swagger-ui-express';

// The interactive docs at /docs: Swagger UI's own files, served from here (swagger-ui-express
// serves them from the swagger-ui-dist package), around a page and a start script of ours.
// Swagger UI runs on the API's origin, where a browser holds a user's token: it may run only
// its own scripts, talk only to this origin, never be framed, and read only this API's
// document. Not swagger-ui-express's page: it reads a spec URL from the page's query and
// embeds the document in a generated script, and the package's own index.html loads the
// stock petstore document from the internet.

/** The only files of Swagger UI served; anything else under /docs/ is the API's 404. */
const ASSETS = new Set(['/swagger-ui.css', '/swagger-ui-bundle.js', '/favicon-32x32.png']);

/** The page's own script: Swagger UI on the document /openapi.json serves, and no other. */
const START = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '../openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    // The default posts the document to validator.swagger.io on every load.
    validatorUrl: null,
    // A spec URL in the page's query would be fetched and shown as this API's.
    queryConfigEnabled: false,
    persistAuthorization: true,
  });
});
`;

const STYLE =
  'html { box-sizing: border-box; } *, *::before, *::after { box-sizing: inherit; } ' +
  'body { margin: 0; background: #fafafa; }\n';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Enclave API</title>
<link rel="icon" type="image/png" href="./favicon-32x32.png" sizes="32x32">
<link rel="stylesheet" href="./swagger-ui.css">
<link rel="stylesheet" href="./docs.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="./swagger-ui-bundle.js"></script>
<script src="./docs.js"></script>
</body>
</html>
`;

/**
 * The headers of every answer under /docs. Swagger UI sets inline `style` attributes (React),
 * hence 'unsafe-inline' for styles only; its icons are `data:` images.
 */
export const DOCS_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; " +
    "frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

/** Serves the docs page, its script and style, and Swagger UI's files, at /docs/. */
export function docsPage(): Router {
  const router = express.Router({ strict: true });
  router.use((_req, res, next) => {
    res.set(DOCS_HEADERS);
    next();
  });
  // Relative asset URLs need the trailing slash.
  router.get('/', (req, res) => {
    if (req.originalUrl.split('?', 1)[0]!.endsWith('/')) res.type('html').send(PAGE);
    else res.redirect(301, `${req.baseUrl}/`);
  });
  router.get('/docs.js', (_req, res) => {
    res.type('js').send(START);
  });
  router.get('/docs.css', (_req, res) => {
    res.type('css').send(STYLE);
  });
  router.use((req, _res, next) => {
    next(ASSETS.has(req.path) ? undefined : 'router');
  });
  router.use(swaggerUi.serve);
  return router;
}
