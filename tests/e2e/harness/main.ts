// Test pages for the specs that drive production modules with nothing of the SPA around them:
// ?page=demo-api (demo-api.spec.ts) or ?page=demo-machine (demo-machine.spec.ts). Each page sets
// #status to "ready" once it can be driven.
const pages: Record<string, () => Promise<unknown>> = {
  'demo-api': () => import('./demo-api'),
  'demo-machine': () => import('./demo-machine'),
};

const page = new URLSearchParams(location.search).get('page') ?? '';
if (!pages[page]) throw new Error(`no harness page "${page}"`);
void pages[page]();

export {};
