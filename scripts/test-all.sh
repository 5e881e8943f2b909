#!/usr/bin/env bash
# Every check the project has, in one run: typecheck, the generated tables, format and lint, the vitest suite on
# Node and on Deno, the minimal patterns on Node's, Deno's and Bun's own test runners, deno check, the JSDoc examples,
# the JSR dry run, a smoke run of every benchmark, the packed packages in a consumer project on five runtimes, the
# docs build and its browser check. Steps run even after a failure so one run shows everything; the last line is the
# plain total `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
out=.ci-out
rm -rf "$out" && mkdir -p "$out"
passed=0
failed=0
failures=()

count() { # name passed failed
  # A count that is not a number (an unparsable report) is a failure of that step, not of the whole run.
  if ! [[ "$2" =~ ^[0-9]+$ && "$3" =~ ^[0-9]+$ ]]; then set -- "$1 (unreadable counts: '$2' '$3')" 0 1; fi
  passed=$((passed + $2))
  failed=$((failed + $3))
  [ "$3" -gt 0 ] && failures+=("$1 ($3 failed)")
  printf '== %s: %s passed, %s failed\n' "$1" "$2" "$3"
}

step() { # name command… — a step that is one check
  local name=$1
  shift
  printf '\n== %s\n' "$name"
  local t0=$SECONDS
  if "$@"; then count "$name [$((SECONDS - t0))s]" 1 0; else count "$name [$((SECONDS - t0))s]" 0 1; fi
}

vitest_json() { # name json-file exit-code — counts from vitest's JSON report
  local name=$1 file=$2 code=$3
  if [ -f "$file" ]; then
    # A file that fails to load counts as a failure even when no single test failed.
    read -r p f < <(node -e 'const r = require(process.argv[1]); const f = r.numFailedTests; console.log(r.numPassedTests, f > 0 ? f : (process.argv[2] !== "0" || !r.success ? 1 : 0))' "$PWD/$file" "$code")
    count "$name" "$p" "$f"
    if [ "$p" -eq 0 ]; then count "$name ran no test" 0 1; fi
  else
    count "$name (no report, exit $code)" 0 1
  fi
}

step "typecheck (tsc)" pnpm exec tsc -p tsconfig.json
step "README and incident tables match examples/incidents.ts" pnpm exec tsx scripts/incidents.ts --check
step "format and lint (deno fmt --check, deno lint)" bash -c 'pnpm exec deno fmt --check >/dev/null 2>&1 || { pnpm exec deno fmt --check; exit 1; }; pnpm exec deno lint'

printf '\n== vitest on Node\n'
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$out/vitest-node.json"
vitest_json "vitest on Node $(node --version)" "$out/vitest-node.json" $?

printf '\n== the same suite under Deno (deno task test)\n'
pnpm exec deno task test --reporter=default --reporter=json --outputFile.json="$out/vitest-deno.json"
vitest_json "vitest under Deno $(pnpm exec deno --version | head -1 | cut -d' ' -f2)" "$out/vitest-deno.json" $?

# The minimal pattern of every package on each runtime's own test runner (runtime-tests/), a real signal included.
printf '\n== runtime-tests on Node (node:test)\n'
node --import tsx --test --test-reporter=spec runtime-tests/node/*.test.ts 2>&1 | tee "$out/node-test.txt"
node_pass=$(grep -E '^ℹ pass [0-9]+$' "$out/node-test.txt" | tail -1 | tr -dc 0-9)
node_fail=$(grep -E '^ℹ fail [0-9]+$' "$out/node-test.txt" | tail -1 | tr -dc 0-9)
if [ -n "$node_pass" ] && [ "$node_pass" -gt 0 ]; then count "node:test $(node --version)" "$node_pass" "${node_fail:-0}"; else count "node:test (no result)" 0 1; fi

printf '\n== runtime-tests on Deno (deno test, the real binary)\n'
NO_COLOR=1 node_modules/deno/deno test -A runtime-tests/deno 2>&1 | tee "$out/deno-test.txt"
deno_line=$(grep -E '^(ok|FAILED) \| [0-9]+ passed.*\| [0-9]+ failed' "$out/deno-test.txt" | tail -1)
if [ -n "$deno_line" ]; then
  count "deno test" "$(echo "$deno_line" | grep -oE '[0-9]+ passed' | tr -dc 0-9)" "$(echo "$deno_line" | grep -oE '[0-9]+ failed' | tr -dc 0-9)"
else
  count "deno test (no result)" 0 1
fi

printf '\n== runtime-tests on Bun (bun test)\n'
pnpm exec bun test runtime-tests/bun 2>&1 | tee "$out/bun.txt"
bun_pass=$(grep -E '^ *[0-9]+ pass$' "$out/bun.txt" | tail -1 | tr -dc 0-9)
bun_fail=$(grep -E '^ *[0-9]+ fail$' "$out/bun.txt" | tail -1 | tr -dc 0-9)
if [ -n "$bun_pass" ] && [ "$bun_pass" -gt 0 ]; then count "bun test $(pnpm exec bun --version)" "$bun_pass" "${bun_fail:-0}"; else count "bun test (no result)" 0 1; fi

step "deno check (package sources)" bash -c 'pnpm exec deno check packages/*/src'
step "every JSDoc @example typechecks" bash -c 'pnpm exec tsx scripts/check-examples.ts && pnpm exec tsc -p examples/.doc-examples/tsconfig.json'
step "deno publish --dry-run (JSR)" pnpm exec deno publish --dry-run --allow-dirty
step "benchmarks run (pnpm bench --smoke: each once, small, timings not judged)" pnpm exec tsx bench/run.ts --smoke
# Build, pack and install the packages in a consumer project outside the workspace (npm, registry dependencies),
# typecheck it with NodeNext and run it on Node 20, 22 and 24, Deno and Bun.
printf '\n== packed packages in a consumer project (scripts/consumer-check.ts)\n'
pnpm exec tsx scripts/consumer-check.ts 2>&1 | tee "$out/consumer-check.txt"
line=$(grep -E '^consumer-check: [0-9]+ passed, [0-9]+ failed' "$out/consumer-check.txt" | tail -1)
if [ -n "$line" ]; then
  count "consumer check" "$(echo "$line" | sed -E 's/.* ([0-9]+) passed.*/\1/')" "$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')"
else
  count "consumer check (no result line)" 0 1
fi
step "docs build (VitePress)" pnpm --filter @lifeline/docs build

printf '\n== docs in headless Chromium\n'
if bash scripts/ensure-chromium.sh; then
  pnpm exec tsx scripts/docs-check.ts | tee "$out/docs-check.txt"
  line=$(grep -E '^docs-check: [0-9]+ passed, [0-9]+ failed' "$out/docs-check.txt" | tail -1)
  if [ -n "$line" ]; then
    count "docs browser check" "$(echo "$line" | sed -E 's/.* ([0-9]+) passed.*/\1/')" "$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')"
  else
    count "docs browser check (no result line)" 0 1
  fi
else
  count "docs browser check (no Chromium)" 0 1
fi

printf '\n'
if [ "${#failures[@]}" -gt 0 ]; then printf 'failed: %s\n' "${failures[@]}"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
