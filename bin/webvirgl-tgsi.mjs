#!/usr/bin/env node
// TGSI text → GLSL ES 3.00. Node cannot run TypeScript directly: register tsx, then load the TS CLI.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/shader/cli.ts");
process.exitCode = main(process.argv.slice(2));
