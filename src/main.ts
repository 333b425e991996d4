// Entry point: mount the router shell. Every page is loaded on demand from there (see App.svelte).
import { mount } from 'svelte';
import App from './App.svelte';
import './styles/app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, { target });
