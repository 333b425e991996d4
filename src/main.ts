// Entry point: chooses the back end once, builds the app's services from it, and mounts the router shell.
// Every page is loaded on demand from there (see App.svelte) and is handed the services; no page asks
// which back end it runs on.
import { mount } from 'svelte';
import App from './App.svelte';
import './styles/app.css';
import { demoChosen } from './app/mode';
import { proxyServices } from './app/proxy';
import type { AppServices } from './app/services';
import { loadRuntimeConfig } from './config/runtime';
import { registerServiceWorker } from './sw/register';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
registerServiceWorker();
// Which proxy to talk to is decided at run time (config.json beside the site), never at build time.
await loadRuntimeConfig();
// The offline demo's API, records and SSH machine load only when the demo is chosen. A chunk that
// cannot load leaves no services: the shell then says so.
const services: AppServices | undefined = demoChosen()
  ? await import('./demo/services').then((m) => m.demoServices(), () => undefined)
  : proxyServices();
mount(App, { target, props: { services } });
