// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
  namespace App {
    // The admin is a client-only SPA: no server load, no locals, no platform.
  }
}

export {};
