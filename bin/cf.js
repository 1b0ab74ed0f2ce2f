#!/usr/bin/env node
// Thin shim: the CLI lives in dist/cli/main.js (built by `npm install` via the prepare script).
import "../dist/cli/main.js";
