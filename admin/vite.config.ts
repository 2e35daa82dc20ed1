import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const adminDir = path.resolve(fileURLToPath(new URL('.', import.meta.url)));

// SvelteKit finds svelte.config.js, src/, .svelte-kit/ and the Vite root through process.cwd(),
// read once when its Vite plugin module is first evaluated (it overrides `root` with it).
// `npm run build:admin` runs from the repository root (`vite build --config admin/vite.config.ts`),
// so switch into admin/ before loading the plugin. Kit's worker threads reload this file: they
// already share the new cwd (and may not call chdir), hence the check.
if (path.resolve(process.cwd()) !== adminDir) process.chdir(adminDir);
const { sveltekit } = await import('@sveltejs/kit/vite');

export default defineConfig({
  plugins: [sveltekit()],
  // Rolldown's plugin-timing report is advice for plugin authors, not for people building Ferry.
  build: { rolldownOptions: { checks: { pluginTimings: false } } },
});
