// The page of the Inspect viewer test: Inspect's log viewer (the npm
// library) reading a log folder over plain HTTP, as a static deployment of
// the viewer does (listing.json plus the log files). The folder is the
// page's ?log_dir= parameter.
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { App, clientApi, initializeStore, simpleHttpApi } from '@metrevals/inspect-log-viewer';
import '@metrevals/inspect-log-viewer/styles/index.css';

const logDir = new URLSearchParams(window.location.search).get('log_dir');
const api = clientApi(simpleHttpApi(logDir));
initializeStore(api, { downloadFiles: false, webWorkers: false, streamSamples: false,
  streamSampleData: false, nativeFind: false }, undefined);
createRoot(document.getElementById('app')).render(createElement(App, { api }));
