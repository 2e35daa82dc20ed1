import adapter from '@sveltejs/adapter-static';

/**
 * The admin is a single-page app served by the daemon at /admin (same origin as the API, so no
 * CORS and the session cookie just works). Every unknown path falls back to index.html and the
 * client-side router takes over.
 *
 * @type {import('@sveltejs/kit').Config}
 */
const config = {
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
    paths: { base: '/admin' },
    // The typed client and the wire contract live with the daemon; `$ferry/...` reaches them.
    alias: { $ferry: '../server' },
  },
};

export default config;
