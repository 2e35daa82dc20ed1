// A client-only app: the daemon serves index.html for every /admin path and the router takes over.
export const ssr = false;
export const prerender = false;
