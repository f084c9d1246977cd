#!/usr/bin/env node
// webvirgl vtest server: serves Mesa's virgl driver (GALLIUM_DRIVER=virpipe) over a UNIX socket.
// See src/vtest/README.md. Runs the TypeScript sources through tsx.
import { register } from "tsx/esm/api";
register();
await import("../src/vtest/cli.ts");
