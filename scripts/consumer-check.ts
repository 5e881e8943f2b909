/**
 * Proves the packaging from the outside, the way a user meets it: the published packages are built and packed
 * (`pnpm pack` applies `publishConfig` and rewrites `workspace:` ranges), each packed `package.json` is checked,
 * and a consumer project in a temporary folder outside the workspace installs the tarballs with npm (their
 * dependencies from the npm registry), typechecks `runtime-tests/consumer/main.ts` with `module: NodeNext`, and
 * runs the compiled program on Node 20 (this `node`), Node 22 and Node 24 (the npm `node` package's binary), Deno
 * (the real binary, resolving the consumer's `node_modules`) and Bun.
 *
 * Prints `ok - <check>` / `not ok - <check>: <reason>` per check (the program's own lines are checks too), the
 * time of each phase, and last `consumer-check: N passed, N failed`; exits 1 if any check failed. Everything it
 * downloads (npm cache included) lives in the temporary folder, removed at the end (`--keep` keeps it).
 *
 * Usage: pnpm exec tsx scripts/consumer-check.ts [--keep]
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const keep = process.argv.includes("--keep")
const started = performance.now()
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)}s`

let passed = 0
let failed = 0
const ok = (name: string) => {
  passed++
  console.log(`ok - ${name}`)
}
const notOk = (name: string, reason: string) => {
  failed++
  console.log(`not ok - ${name}: ${reason.replace(/\s+/g, " ").trim().slice(0, 600)}`)
}
/** One check: `body` returns a problem (string) or nothing; a throw is a problem too. */
const check = async (name: string, body: () => Promise<string | void> | string | void): Promise<boolean> => {
  try {
    const problem = await body()
    if (typeof problem === "string") {
      notOk(name, problem)
      return false
    }
    ok(name)
    return true
  } catch (error) {
    notOk(name, error instanceof Error ? error.message : String(error))
    return false
  }
}

interface Ran {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

/** Runs a command to its end, killing it after `timeoutMs`. */
const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number } = {}
): Promise<Ran> =>
  new Promise((resolve) => {
    const t0 = performance.now()
    const child = spawn(command, args, {
      cwd: options.cwd ?? root,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => stdout += chunk)
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk)
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${options.timeoutMs} ms)`
      child.kill("SIGKILL")
    }, options.timeoutMs ?? 120_000)
    child.on("error", (error) => stderr += `\n${error.message}`)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 })
    })
  })

const failure = (ran: Ran) =>
  `exit ${ran.code ?? ran.signal}: ${(ran.stderr.trim() || ran.stdout.trim()).split("\n").slice(-8).join(" | ")}`

interface Manifest {
  readonly name: string
  readonly version: string
  readonly private?: boolean
  readonly exports?: unknown
  readonly dependencies?: Readonly<Record<string, string>>
  readonly peerDependencies?: Readonly<Record<string, string>>
  readonly devDependencies?: Readonly<Record<string, string>>
}
const readJson = <A>(file: string): A => JSON.parse(fs.readFileSync(file, "utf8")) as A

// The published packages: every package in packages/ that is not private (the test kit is never packed).
const packages = fs.readdirSync(path.join(root, "packages")).sort()
  .map((dir) => path.join(root, "packages", dir, "package.json"))
  .filter((file) => fs.existsSync(file))
  .map((file) => readJson<Manifest>(file))
  .filter((manifest) => manifest.private !== true)
const rootManifest = readJson<Manifest>(path.join(root, "package.json"))
/** The versions the repository itself pins (npm's `latest` of effect is 4; the packages are for effect 3). */
const pinned = (name: string): string => {
  const range = rootManifest.devDependencies?.[name]
  if (range === undefined) throw new Error(`the root package.json does not pin ${name}`)
  return range
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lifeline-consumer-"))
const packs = path.join(tmp, "packs")
const consumer = path.join(tmp, "consumer")
const npmEnv = {
  npm_config_cache: path.join(tmp, "npm-cache"),
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false"
}
const npmInstall = (cwd: string, args: ReadonlyArray<string>) =>
  run("npm", ["install", ...args], { cwd, env: npmEnv, timeoutMs: 150_000 })

console.log(`consumer-check: ${packages.map((p) => p.name).join(", ")} → ${tmp}`)

/** The consumer's package.json: the registry dependencies it pins, and the tarballs once they exist. */
const writeConsumerManifest = (lifeline: Readonly<Record<string, string>>) =>
  fs.writeFileSync(
    path.join(consumer, "package.json"),
    JSON.stringify(
      {
        name: "lifeline-consumer",
        private: true,
        type: "module",
        dependencies: {
          ...lifeline,
          "effect": pinned("effect"),
          "@effect/platform": pinned("@effect/platform"),
          "@effect/platform-node": pinned("@effect/platform-node")
        },
        devDependencies: { "typescript": pinned("typescript"), "@types/node": pinned("@types/node") }
      },
      null,
      2
    ) + "\n"
  )
fs.mkdirSync(consumer)
fs.copyFileSync(path.join(root, "runtime-tests", "consumer", "main.ts"), path.join(consumer, "main.ts"))
fs.copyFileSync(path.join(root, "runtime-tests", "fixtures", "child.mjs"), path.join(consumer, "child.mjs"))
fs.writeFileSync(
  path.join(consumer, "tsconfig.json"),
  JSON.stringify(
    {
      compilerOptions: {
        target: "ES2022",
        lib: ["ES2022"],
        types: ["node"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        exactOptionalPropertyTypes: true,
        // the packages' declarations are checked too, so a broken .d.ts cannot pass as `any`
        skipLibCheck: false,
        outDir: "out"
      },
      files: ["main.ts"]
    },
    null,
    2
  ) + "\n"
)

// Phase 1, concurrently: build and pack (CPU); download Node 22 and 24 and the consumer's registry dependencies
// (network). The consumer's second install, of the tarballs, then finds the rest of its tree in place.
const phase1 = performance.now()
const filters = packages.flatMap((p) => ["--filter", p.name])
const packed = (async () => {
  const build = await run("pnpm", ["-r", "--workspace-concurrency=6", ...filters, "build"], { timeoutMs: 150_000 })
  if (build.code !== 0) return { build, pack: undefined }
  // Built just above: the `prepack` script would build each package again, one after the other.
  const pack = await run("pnpm", ["-r", ...filters, "pack", "--pack-destination", packs], {
    env: { npm_config_ignore_scripts: "true" }
  })
  return { build, pack }
})()
const nodes = [22, 24].map(async (major) => {
  const dir = path.join(tmp, `node${major}`)
  fs.mkdirSync(dir)
  fs.writeFileSync(path.join(dir, "package.json"), "{}\n")
  const ran = await npmInstall(dir, [`node@${major}`])
  return { major, ran, binary: path.join(dir, "node_modules", "node", "bin", "node") }
})
writeConsumerManifest({})
const registryInstall = npmInstall(consumer, [])
const { build, pack } = await packed
console.log(`(build ${(build.ms / 1000).toFixed(1)}s, pack ${((pack?.ms ?? 0) / 1000).toFixed(1)}s)`)

await check("npm build of the published packages", () => build.code === 0 ? undefined : failure(build))
const tarballs = new Map<string, string>()
await check("pnpm pack makes one tarball per published package and none for a private one", () => {
  if (pack === undefined) return "not packed: the build failed"
  if (pack.code !== 0) return failure(pack)
  const files = fs.readdirSync(packs).filter((f) => f.endsWith(".tgz"))
  for (const p of packages) {
    const file = `${p.name.replace(/^@/, "").replace("/", "-")}-${p.version}.tgz`
    if (files.includes(file)) tarballs.set(p.name, path.join(packs, file))
  }
  if (tarballs.size !== packages.length || files.length !== packages.length) {
    return `expected ${packages.length} tarballs, found ${files.join(", ")}`
  }
})

// The packed manifests, as npm will see them.
const unpacked = path.join(tmp, "unpacked")
for (const [name, tarball] of tarballs) {
  const dir = path.join(unpacked, name)
  fs.mkdirSync(dir, { recursive: true })
  const untar = await run("tar", ["-xzf", tarball, "-C", dir])
  await check(`${name}: packed package.json publishes dist/ and no workspace range`, () => {
    if (untar.code !== 0) return failure(untar)
    const base = path.join(dir, "package")
    const manifest = readJson<Manifest>(path.join(base, "package.json"))
    const text = JSON.stringify(manifest)
    if (text.includes("workspace:")) return `a workspace: range is left: ${text}`
    const entry = (manifest.exports as Record<string, unknown> | undefined)?.["."]
    if (typeof entry !== "object" || entry === null) return `exports["."] is ${JSON.stringify(entry)}`
    const targets = entry as Record<string, unknown>
    if (targets.types !== "./dist/index.d.ts" || targets.import !== "./dist/index.js") {
      return `exports["."] is ${JSON.stringify(entry)}, expected types ./dist/index.d.ts and import ./dist/index.js`
    }
    for (const target of ["dist/index.js", "dist/index.d.ts", "README.md"]) {
      if (!fs.existsSync(path.join(base, target))) return `${target} is missing from the tarball`
    }
    // Every relative import of the compiled JavaScript points at a file that was packed.
    const distDir = path.join(base, "dist")
    for (const file of fs.readdirSync(distDir, { recursive: true, encoding: "utf8" })) {
      if (!file.endsWith(".js")) continue
      const source = fs.readFileSync(path.join(distDir, file), "utf8")
      for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
        if (!specifier!.endsWith(".js")) return `dist/${file} imports ${specifier}`
        const target = path.resolve(path.dirname(path.join(distDir, file)), specifier!)
        if (!fs.existsSync(target)) return `dist/${file} imports ${specifier}, not in the tarball`
      }
    }
    if (fs.existsSync(path.join(base, "test"))) return "the tests were packed"
    for (const peer of ["effect", "@effect/platform"]) {
      if (manifest.peerDependencies?.[peer] === undefined) return `${peer} is not a peer dependency`
      if (manifest.dependencies?.[peer] !== undefined) return `${peer} is a dependency, it must be a peer`
    }
    for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
      const sibling = packages.find((p) => p.name === dep)
      if (sibling === undefined) {
        if (dep.startsWith("@lifeline/")) return `depends on ${dep}, which is not published`
        continue
      }
      if (range.replace(/^[\^~]/, "") !== sibling.version) {
        return `depends on ${dep}@${range}, not on the packed version ${sibling.version}`
      }
    }
  })
}
console.log(`(phase 1: build, pack and manifests ${seconds(phase1)})`)

// Phase 2: the consumer project, outside the workspace.
const phase2 = performance.now()
const preinstalled = await registryInstall
if (tarballs.size === packages.length) {
  writeConsumerManifest(Object.fromEntries([...tarballs].map(([name, tarball]) => [name, `file:${tarball}`])))
}
const installed = tarballs.size === packages.length && preinstalled.code === 0
  ? await npmInstall(consumer, [])
  : undefined
const consumerReady = await check("npm installs the tarballs and their dependencies from the registry", () => {
  if (preinstalled.code !== 0) return failure(preinstalled)
  if (installed === undefined) return "no tarballs to install"
  if (installed.code !== 0) return failure(installed)
  // Each @lifeline package comes from its tarball, once: none from the registry, none nested.
  const lock = readJson<{ packages: Record<string, { version?: string; resolved?: string }> }>(
    path.join(consumer, "package-lock.json")
  )
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (!key.includes("@lifeline/")) continue
    const name = key.slice(key.lastIndexOf("@lifeline/"))
    if (key !== `node_modules/${name}`) return `${name} is installed twice (${key})`
    if (!tarballs.has(name)) return `${name} is not a published package`
    const expected = `file:../packs/${path.basename(tarballs.get(name)!)}`
    if (entry.resolved !== expected) return `${name} resolved to ${entry.resolved}, not ${expected}`
  }
  const effect = readJson<Manifest>(path.join(consumer, "node_modules", "effect", "package.json"))
  if (!effect.version.startsWith("3.")) return `effect ${effect.version} installed`
  console.log(
    `(npm install: registry ${(preinstalled.ms / 1000).toFixed(1)}s, tarballs ${(installed.ms / 1000).toFixed(1)}s; ` +
      `effect ${effect.version})`
  )
})

const tsc = path.join(consumer, "node_modules", "typescript", "bin", "tsc")
// One compile: `--listFiles` names every file the program loaded, then the errors, if any.
const compiled = consumerReady
  ? await run(process.execPath, [tsc, "-p", ".", "--listFiles"], { cwd: consumer })
  : undefined
const emitted = await check(
  "tsc (NodeNext, strict, exactOptionalPropertyTypes, skipLibCheck off) typechecks and compiles the program",
  () => {
    if (compiled === undefined) return "not installed"
    if (compiled.code !== 0) {
      return `exit ${compiled.code}: ${compiled.stdout.split("\n").filter((l) => l.includes("error TS")).join(" | ")}`
    }
    console.log(`(tsc ${(compiled.ms / 1000).toFixed(1)}s)`)
  }
)
await check("the types come from each package's dist/*.d.ts, never from its src/*.ts", () => {
  if (compiled === undefined) return "not compiled"
  const files = compiled.stdout.split("\n")
  for (const name of tarballs.keys()) {
    const base = path.join(consumer, "node_modules", name)
    if (!files.includes(path.join(base, "dist", "index.d.ts"))) return `${name}: dist/index.d.ts not loaded`
    const source = files.find((f) => f.startsWith(path.join(base, "src")))
    if (source !== undefined) return `${name}: ${source} loaded`
  }
})
console.log(`(phase 2: consumer install and typecheck ${seconds(phase2)})`)

// Phase 3: the program on every runtime.
const phase3 = performance.now()
const runtimes: Array<{ readonly name: string; readonly command: ReadonlyArray<string> }> = [
  // This Node, the one the repository runs on (20).
  { name: `Node ${process.versions.node.split(".")[0]}`, command: [process.execPath] }
]
for (const pending of nodes) {
  const { binary, major, ran } = await pending
  const version = ran.code === 0 ? await run(binary, ["--version"]) : undefined
  const good = await check(`npm node@${major} runs as Node ${major}`, () => {
    if (version === undefined) return failure(ran)
    if (!version.stdout.startsWith(`v${major}.`)) return `${binary} --version printed ${version.stdout.trim()}`
    console.log(`(node@${major}: ${version.stdout.trim()}, installed in ${(ran.ms / 1000).toFixed(1)}s)`)
  })
  if (good) runtimes.push({ name: `Node ${major}`, command: [binary] })
}
runtimes.push(
  // The real binary: its npm launcher is a Node wrapper. `manual`: resolve from the consumer's node_modules, as npm
  // installed it, with no install of Deno's own.
  {
    name: "Deno",
    command: [path.join(root, "node_modules", "deno", "deno"), "run", "-A", "--node-modules-dir=manual"]
  },
  { name: "Bun", command: [path.join(root, "node_modules", "bun", "bin", "bun.exe")] }
)
for (const runtime of runtimes) {
  if (!emitted) {
    notOk(`the program on ${runtime.name}`, "not compiled")
    continue
  }
  const [binary, ...args] = runtime.command
  const ran = await run(binary!, [...args, path.join("out", "main.js")], {
    cwd: consumer,
    // Deno's module cache and Bun's transpiler cache stay in the temporary folder too.
    env: { DENO_DIR: path.join(tmp, "deno-dir"), BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0" },
    timeoutMs: 60_000
  })
  // The program's own lines, `ok <runtime> <check>: <seen>` / `not ok <runtime> <check>: <why>`, are checks.
  let lines = 0
  for (const line of ran.stdout.split("\n")) {
    const reported = /^(ok|not ok) (.*?): (.*)$/.exec(line)
    if (reported === null) continue
    lines++
    if (reported[1] === "ok") ok(`${reported[2]} (${reported[3]})`)
    else notOk(reported[2]!, reported[3]!)
  }
  await check(
    `${runtime.name}: every check ran, Main.run exited 0 with its summary line (${Math.round(ran.ms)} ms)`,
    () => {
      // The program announces how many checks it has (`plan N`): a crash halfway cannot pass for fewer checks.
      const plan = Number(/^plan (\d+)$/m.exec(ran.stdout)?.[1] ?? Number.NaN)
      if (!(lines === plan && plan > 0)) return `${lines} checks reported of a plan of ${plan}; ${failure(ran)}`
      const summary = ran.stderr.split("\n").find((line) => line.startsWith(`{"event":"exit"`))
      if (ran.code !== 0) return failure(ran)
      if (summary === undefined) return `no summary line on stderr: ${ran.stderr.trim().slice(-300)}`
      const parsed = JSON.parse(summary) as { code?: number; reason?: string }
      if (parsed.code !== 0 || parsed.reason !== "completed") return `summary ${summary}`
    }
  )
}
console.log(`(phase 3: ${runtimes.length} runtimes ${seconds(phase3)})`)

if (keep) console.log(`kept ${tmp}`)
else fs.rmSync(tmp, { recursive: true, force: true })
console.log(`(consumer check ${seconds(started)})`)
console.log(`consumer-check: ${passed} passed, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : 0
