#!/usr/bin/env bash
# Re-records test/fixtures/streams/*.vtstream.gz from real Mesa clients (Debian bookworm Mesa
# 22.3 + mesa-utils + piglit + xvfb) through scripts/vtest-run.sh and our recording server.
# Each fixture: TRANSFER_GET reply payloads stripped, animations cut after 10 frames, gzipped.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$repo/test/fixtures/streams"
piglit=/usr/lib/x86_64-linux-gnu/piglit
[[ -d $piglit/bin ]] || piglit=/usr/lib/piglit
for need in glxinfo glxgears es2gears_x11 Xvfb; do
  command -v "$need" >/dev/null || { echo "vtest-record-fixtures: $need missing (apt-get install mesa-utils mesa-utils-bin xvfb)" >&2; exit 1; }
done
[[ -x $piglit/bin/shader_runner ]] || { echo "vtest-record-fixtures: piglit missing (apt-get install piglit)" >&2; exit 1; }
work=$(mktemp -d /tmp/webvirgl-fixtures.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# record NAME FRAMES -- vtest-run args and command
record() {
  local name=$1 frames=$2; shift 3
  rm -rf "$work/rec"
  "$repo/scripts/vtest-run.sh" --record "$work/rec" --server-arg --quiet --server-arg --renderer=recording "$@" >"$work/$name.log" 2>&1 || true
  local files=("$work"/rec/*.vtstream)
  [[ -e ${files[0]} ]] || { echo "vtest-record-fixtures: $name produced no stream; log:" >&2; cat "$work/$name.log" >&2; exit 1; }
  local args=()
  ((frames > 0)) && args=(--frames "$frames")
  (cd "$repo" && node --import tsx src/vtest/make-fixture.ts "${files[0]}" "$out/$name.vtstream.gz" "${args[@]}")
}

export PIGLIT_PLATFORM=surfaceless_egl PIGLIT_SOURCE_DIR=$piglit
record glxinfo 0 -- --xvfb glxinfo -B
record glxgears 10 -- --xvfb timeout -s INT 0.5 glxgears
record es2gears 10 -- --xvfb timeout -s INT 0.5 es2gears_x11
record piglit-glsl-fs-flat-color 0 -- "$piglit/bin/glsl-fs-flat-color" -auto -fbo
record piglit-vbo-subdata-sync 0 -- "$piglit/bin/vbo-subdata-sync" -auto -fbo
record piglit-gl-2.0-vertexattribpointer 0 -- "$piglit/bin/gl-2.0-vertexattribpointer" -auto -fbo
record piglit-gl-1.0-readpixsanity 0 -- "$piglit/bin/gl-1.0-readpixsanity" -auto -fbo
record piglit-fragment-center 0 -- "$piglit/bin/fragment-center" -auto -fbo
record piglit-gl-1.0-textured-triangle 0 -- "$piglit/bin/gl-1.0-textured-triangle" -auto -fbo
record piglit-shader-chained-assignment 0 -- "$piglit/bin/shader_runner" \
  "$piglit/tests/spec/glsl-1.10/execution/chained-assignment.shader_test" -auto -fbo
ls -l "$out"
du -sh "$out"
