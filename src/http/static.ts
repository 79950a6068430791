import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ParleyApp } from './server.js';
import type { AppContext } from '../context.js';
import { handleNotFound } from './error-handler.js';

/**
 * The web app's pages may load only what this server serves: no inline or third-party
 * script, no framing (clickjacking). Inline styles are allowed for React's `style` props.
 */
export const HTML_SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
} as const;

/** Paths that belong to the API or its documentation; never answered with the web app. */
const SERVER_PATHS = /^\/(v1|docs|healthz)(\/|$)/;
/** Vite's hashed bundles: a missing one is a 404, not the app's page (which would be parsed as script). */
const ASSET_PATHS = /^\/assets\//;

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Parley</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The web app is not built</h1>
<p>Parley's API is running (see <a href="/docs">/docs</a>), but the inbox has not been built yet.
Build it with</p>
<pre>npm run build:web</pre>
<p>then restart Parley and reload this page.</p>
</body>
</html>
`;

/**
 * Serves the built web inbox (`config.webDistDir`, `npm run build:web`) at `/`. Any other GET
 * that is not an API, docs or health path and not a file is the app's own route
 * (`/conversations/…`, `/invite/<token>`): it gets `index.html` and the app routes in the
 * browser. Without a build, such paths get a page that says how to make one.
 *
 * The files are found once, at start-up, and each gets its own route (no `/*` wildcard: it
 * would also catch API paths the router refuses, such as an over-long id, and turn their
 * 400 into a 404). So a build made while the server runs is served after a restart.
 */
export async function registerWebApp(app: ParleyApp, ctx: AppContext): Promise<void> {
  const root = ctx.config.webDistDir;
  const built = fs.existsSync(path.join(root, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      index: ['index.html'],
      // Dotfiles (.env, .git) are never served even if someone copied them into the directory.
      serveDotFiles: false,
      dotfiles: 'ignore',
      // index.html names the current hashed bundles: browsers must ask for it again every
      // time; the bundles themselves never change under the same name.
      cacheControl: false,
      setHeaders: (reply, filePath) => {
        void reply.header('x-content-type-options', 'nosniff');
        if (filePath.endsWith('.html')) {
          void reply.headers(HTML_SECURITY_HEADERS);
          void reply.header('cache-control', 'no-cache');
        } else if (filePath.startsWith(path.join(root, 'assets') + path.sep)) {
          void reply.header('cache-control', 'public, max-age=31536000, immutable');
        }
      },
    });
  } else {
    ctx.log.info({ webDistDir: root }, 'the web app is not built (npm run build:web); / explains how to build it');
  }

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    const isPage =
      (request.method === 'GET' || request.method === 'HEAD') && !SERVER_PATHS.test(pathname) && !ASSET_PATHS.test(pathname);
    if (!isPage) {
      handleNotFound(request, reply);
      return;
    }
    if (built) {
      void reply.sendFile('index.html');
      return;
    }
    void reply
      .status(200)
      .headers({ ...HTML_SECURITY_HEADERS, 'cache-control': 'no-cache' })
      .type('text/html; charset=utf-8')
      .send(NOT_BUILT_PAGE);
  });
}
