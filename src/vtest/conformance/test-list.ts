// The checked-in test list (conformance/piglit-tests.txt): one test per line,
// `name<TAB>program<TAB>arg...`, `#` comments. Names are piglit's (`spec@glsl-1.10@...`);
// program and args are those of piglit's profile (quick_gl / quick_shader), before piglit
// adds `-auto -fbo`. Shader tests name their .shader_test relative to the piglit root.

export interface ListedTest {
  name: string;
  program: string;
  args: string[];
}

export function parseTestList(text: string, source = "test list"): ListedTest[] {
  const out: ListedTest[] = [];
  const seen = new Set<string>();
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (!line.trim() || line.startsWith("#")) return;
    const [name, program, ...args] = line.split("\t");
    if (!name || !program) throw new Error(`${source}:${i + 1}: expected "name<TAB>program[<TAB>arg...]", got ${JSON.stringify(line)}`);
    if (seen.has(name)) throw new Error(`${source}:${i + 1}: duplicate test ${name}`);
    seen.add(name);
    out.push({ name, program, args });
  });
  return out;
}

export function formatTestList(tests: readonly ListedTest[], header: string[]): string {
  const lines = header.map((h) => `# ${h}`);
  for (const t of tests) {
    if ([t.name, t.program, ...t.args].some((f) => f.includes("\t") || f.includes("\n"))) throw new Error(`test ${t.name}: a field contains a tab or newline`);
    lines.push([t.name, t.program, ...t.args].join("\t"));
  }
  return `${lines.join("\n")}\n`;
}

export interface PiglitLayout {
  /** Directory with the test binaries (Debian: /usr/lib/x86_64-linux-gnu/piglit/bin). */
  binDir: string;
  /** piglit root (tests/, generated_tests/; PIGLIT_SOURCE_DIR). */
  rootDir: string;
}

const SHADER_RUNNERS = new Set(["shader_runner", "shader_runner_gles2", "shader_runner_gles3", "shader_runner_gles31"]);

/** The argv piglit would run: binaries from binDir, shader files from the root, `-auto -fbo` added. */
export function commandFor(t: ListedTest, layout: PiglitLayout): string[] {
  const prog = `${layout.binDir}/${t.program}`;
  if (SHADER_RUNNERS.has(t.program) && t.args[0]) return [prog, `${layout.rootDir}/${t.args[0]}`, ...t.args.slice(1), "-auto", "-fbo"];
  // piglit's BuiltInConstantsTest (profile type gl_builtin) names its file relative to tests/.
  if (t.program.startsWith("built-in-constants") && t.args[0]) return [prog, `${layout.rootDir}/tests/${t.args[0]}`, ...t.args.slice(1), "-auto", "-fbo"];
  return [prog, ...t.args, "-auto", "-fbo"];
}

/** Deterministic subset selection: `--shard i/n` keeps every n-th test starting at i (0-based). */
export function shard<T>(items: readonly T[], index: number, count: number): T[] {
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new Error(`--shard: bad shard ${index}/${count} (want I/N with 0 <= I < N)`);
  }
  return items.filter((_, i) => i % count === index);
}
