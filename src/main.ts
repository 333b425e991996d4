// Entry point: mount the router shell. Every page is loaded on demand from there (see App.svelte).
import { mount } from 'svelte';
import App from './App.svelte';
import './styles/app.css';
import { loadRuntimeConfig } from './config/runtime';
import { registerServiceWorker } from './sw/register';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
registerServiceWorker();
// Which proxy to talk to is decided at run time (config.json beside the site), never at build time.
await loadRuntimeConfig();
mount(App, { target });
