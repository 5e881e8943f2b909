/**
 * The rules a replay's Kubernetes manifests (`examples/<name>/k8s/*.yaml`) are held to, so that the platform's
 * limits and the program's own deadlines line up the way docs/operations.md explains: the program always ends on
 * its own terms — its finalizers run, its summary is written, its exit code is its own — before Kubernetes ends
 * it, and a liveness probe restarts a pod only once its loop is stale, and soon after.
 *
 * Each rule takes the parsed manifest and the numbers of the program it runs, read from the example's own source
 * (`replay.ts`, `lifeline.ts`), and returns its violations: sentences that name the field and the numbers, empty
 * when the manifest keeps the rule. `examples/shared/test/Manifests.test.ts` applies them to every manifest, and
 * shows each one failing on a deliberately bad fixture.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { parseAllDocuments } from "yaml"

/** A Kubernetes object, as parsed: only its kind and name are known to be there. */
export interface K8sObject {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: { readonly name: string; readonly namespace?: string }
  readonly [key: string]: unknown
}

/** Between a program's own shutdown bound and the kubelet's SIGKILL: the summary line, the runtime's exit. */
export const exitMarginSeconds = 2
/** Scheduling, pulling the image and starting Node with tsx's loader, before the program's own clock starts. */
export const startupSeconds = 60
/**
 * A replay's resident memory before its buffers hold anything: Node 20 with tsx's loader, Effect and the replay's
 * modules (log-shipper-oom measures 172 MiB as its `baselineRssMb`). A compiled program needs less: measure yours.
 */
export const runtimeBaselineMb = 192

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The value at `keys` under `value`, if every step is an object that has it. */
export const at = (value: unknown, ...keys: ReadonlyArray<string | number>): unknown =>
  keys.reduce<unknown>(
    (v, key) => (Array.isArray(v) && typeof key === "number" ? v[key] : isRecord(v) ? v[key] : undefined),
    value
  )

/** Every object of a YAML file of one or more documents; a file that is not valid YAML throws, naming the error. */
export const parse = (text: string, file = "<text>"): ReadonlyArray<K8sObject> =>
  parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`)
    const value: unknown = doc.toJS()
    if (value === null || value === undefined) return []
    if (!isRecord(value) || typeof value.kind !== "string" || typeof at(value, "metadata", "name") !== "string") {
      throw new Error(`${file}: a document without kind and metadata.name`)
    }
    return [value as K8sObject]
  })

export const load = (file: string): ReadonlyArray<K8sObject> => parse(fs.readFileSync(file, "utf8"), file)

/** The one object of `kind` among `objects`. */
export const one = (objects: ReadonlyArray<K8sObject>, kind: string): K8sObject => {
  const found = objects.filter((o) => o.kind === kind)
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`)
  return found[0]!
}

/** The pod template's spec of a Job or a Deployment. */
export const podSpec = (workload: K8sObject): unknown => at(workload, "spec", "template", "spec")

/** The pod's first container (every manifest here runs one). */
export const container = (workload: K8sObject): unknown => at(podSpec(workload), "containers", 0)

/** The container's command line, `command` then `args`. */
export const commandLine = (workload: K8sObject): ReadonlyArray<string> => {
  const c = container(workload)
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : [])
  return [...list(at(c, "command")), ...list(at(c, "args"))]
}

const positiveInteger = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value > 0

const seconds = (ms: number): string => `${Math.round(ms) / 1000} s`

/** A number of whole seconds the manifest must have at `field`, or the violation that it has not. */
const secondsAt = (value: unknown, field: string): { readonly s?: number; readonly violations: Array<string> } =>
  positiveInteger(value)
    ? { s: value, violations: [] }
    : { violations: [`${field} must be a positive integer, is ${JSON.stringify(value)}`] }

// --- The command ----------------------------------------------------------------------------------------------

/**
 * The container runs the example: `node --import tsx examples/<name>/<script>` from the repository's root, a script
 * that exists, in an image whose name says it is a placeholder.
 */
export const runsExample = (workload: K8sObject, root: string, script: string): ReadonlyArray<string> => {
  const line = commandLine(workload)
  const violations: Array<string> = []
  const expected = ["node", "--import", "tsx", script]
  if (expected.some((word, i) => line[i] !== word)) {
    violations.push(`the command must start ${JSON.stringify(expected)}, is ${JSON.stringify(line.slice(0, 4))}`)
  }
  if (!fs.existsSync(path.join(root, script))) violations.push(`${script} does not exist`)
  if (at(container(workload), "workingDir") !== "/app") violations.push("workingDir must be /app, the repository")
  const image = at(container(workload), "image")
  if (typeof image !== "string" || !image.startsWith("registry.example.com/")) {
    violations.push(`the image must be a placeholder under registry.example.com/, is ${JSON.stringify(image)}`)
  }
  return violations
}

// --- Shutdown: the program's own bound inside terminationGracePeriodSeconds -----------------------------------

/** What bounds a program's shutdown after SIGTERM: Main.run's gracePeriod, a flush and its deadline's grace, … */
export interface ShutdownBound {
  readonly what: string
  readonly ms: number
}

/**
 * The program's shutdown ends on its own bound, with `exitMarginSeconds` to spare, before the kubelet's SIGKILL:
 * `bound + margin ≤ terminationGracePeriodSeconds`.
 */
export const shutdownFits = (workload: K8sObject, bound: ShutdownBound): ReadonlyArray<string> => {
  const { s, violations } = secondsAt(
    at(podSpec(workload), "terminationGracePeriodSeconds"),
    "terminationGracePeriodSeconds"
  )
  if (s === undefined) return violations
  const needed = bound.ms + exitMarginSeconds * 1000
  return needed <= s * 1000 ? [] : [
    `terminationGracePeriodSeconds (${s} s) must be at least ${bound.what} (${seconds(bound.ms)}) + ` +
    `${exitMarginSeconds} s to exit: ${seconds(needed)}; the kubelet would SIGKILL the shutdown`
  ]
}

// --- Jobs: the run ends itself before activeDeadlineSeconds ---------------------------------------------------

/** The longest a run lasts once started, by its own options: `runFor` + gracePeriod, or the replay's time limit. */
export interface RunBound {
  readonly what: string
  readonly ms: number
}

/** A Job, whose pod is not restarted in place, with both deadlines set. */
export const isJob = (workload: K8sObject): ReadonlyArray<string> => {
  const violations: Array<string> = []
  if (workload.apiVersion !== "batch/v1" || workload.kind !== "Job") violations.push("must be a batch/v1 Job")
  const restart = at(podSpec(workload), "restartPolicy")
  if (restart !== "Never") violations.push(`restartPolicy must be Never, is ${JSON.stringify(restart)}`)
  violations.push(...secondsAt(at(workload, "spec", "activeDeadlineSeconds"), "activeDeadlineSeconds").violations)
  violations.push(
    ...secondsAt(at(podSpec(workload), "terminationGracePeriodSeconds"), "terminationGracePeriodSeconds").violations
  )
  return violations
}

/**
 * `activeDeadlineSeconds` is the backstop, never the plan: startup + the run's own bound + margin fit below it, so
 * the run ends itself (exit 0: the Job is Complete) before Kubernetes fails the Job with DeadlineExceeded.
 */
export const runFitsDeadline = (job: K8sObject, bound: RunBound): ReadonlyArray<string> => {
  const { s, violations } = secondsAt(at(job, "spec", "activeDeadlineSeconds"), "activeDeadlineSeconds")
  if (s === undefined) return violations
  const needed = startupSeconds * 1000 + bound.ms + exitMarginSeconds * 1000
  return needed <= s * 1000 ? [] : [
    `activeDeadlineSeconds (${s} s) must be at least startup (${startupSeconds} s) + ${bound.what} ` +
    `(${seconds(bound.ms)}) + ${exitMarginSeconds} s: ${seconds(needed)}; the Job would be failed with DeadlineExceeded`
  ]
}

// --- Probes ---------------------------------------------------------------------------------------------------

export interface Probe {
  readonly path: string
  readonly port: number | undefined
  readonly periodSeconds: number
  readonly timeoutSeconds: number
  readonly failureThreshold: number
  readonly initialDelaySeconds: number
}

/** A container's HTTP probe, with Kubernetes' defaults, its named port resolved to a number. */
export const probe = (
  workload: K8sObject,
  kind: "livenessProbe" | "readinessProbe" | "startupProbe"
): Probe | undefined => {
  const c = container(workload)
  const p = at(c, kind)
  if (p === undefined) return undefined
  const rawPort = at(p, "httpGet", "port")
  const ports = at(c, "ports")
  const named = Array.isArray(ports) ? ports.find((entry) => at(entry, "name") === rawPort) : undefined
  const port = typeof rawPort === "number" ? rawPort : at(named, "containerPort")
  const num = (key: string, fallback: number) => {
    const v = at(p, key)
    return v === undefined ? fallback : typeof v === "number" ? v : Number.NaN
  }
  return {
    path: String(at(p, "httpGet", "path")),
    port: typeof port === "number" ? port : undefined,
    periodSeconds: num("periodSeconds", 10),
    timeoutSeconds: num("timeoutSeconds", 1),
    failureThreshold: num("failureThreshold", 3),
    initialDelaySeconds: num("initialDelaySeconds", 0)
  }
}

/** The probes a pod has ask `path` on the port the program serves it on. */
export const probesTarget = (
  workload: K8sObject,
  expected: { readonly liveness: string; readonly readiness: string; readonly port: number }
): ReadonlyArray<string> => {
  const violations: Array<string> = []
  for (const [kind, path] of [["livenessProbe", expected.liveness], ["readinessProbe", expected.readiness]] as const) {
    const p = probe(workload, kind)
    if (p === undefined) violations.push(`a ${kind} is missing`)
    else {
      if (p.path !== path) violations.push(`the ${kind} must ask ${path}, asks ${p.path}`)
      if (p.port !== expected.port) {
        violations.push(`the ${kind} must ask port ${expected.port}, where the program listens, asks ${p.port}`)
      }
    }
  }
  return violations
}

/** What a periodic loop's `/healthz` goes by (`Supervisor.periodic`). */
export interface Loop {
  /** No success for this long: stalled. */
  readonly staleAfterMs: number
  /** A run in progress for longer than this (`timeout + grace`): stalled too, until the loop moves on. */
  readonly stallAfterMs: number
  /** The most a stale loop's pod may keep running before the kubelet restarts it. */
  readonly restartWithinMs: number
}

/**
 * Liveness must not fire before a loop is stale. `/healthz` also says 503 for a run stuck past `timeout + grace`
 * that the loop may yet recover from; such a 503 lasts at most `staleAfter − (timeout + grace)` before the loop is
 * stale anyway. The kubelet restarts after `failureThreshold` failures in a row, `(failureThreshold − 1) ×
 * periodSeconds` apart: that span must cover it.
 */
export const livenessNotBeforeStale = (workload: K8sObject, loop: Loop): ReadonlyArray<string> => {
  const p = probe(workload, "livenessProbe")
  if (p === undefined) return ["a livenessProbe is missing"]
  const span = (p.failureThreshold - 1) * p.periodSeconds * 1000
  const transient = loop.staleAfterMs - loop.stallAfterMs
  return span >= transient ? [] : [
    `the livenessProbe restarts after (failureThreshold − 1) × periodSeconds = ${seconds(span)} of 503s, ` +
    `but a 503 lasts up to staleAfter − (timeout + grace) = ${seconds(transient)} before the loop is stale`
  ]
}

/**
 * Liveness must fire within a bounded time after the loop is stale: the first failing probe comes within a period,
 * the last of `failureThreshold` within `failureThreshold × periodSeconds + timeoutSeconds`.
 */
export const livenessWithinBound = (workload: K8sObject, loop: Loop): ReadonlyArray<string> => {
  const p = probe(workload, "livenessProbe")
  if (p === undefined) return ["a livenessProbe is missing"]
  const worst = (p.failureThreshold * p.periodSeconds + p.timeoutSeconds) * 1000
  return worst <= loop.restartWithinMs ? [] : [
    `the livenessProbe restarts up to failureThreshold × periodSeconds + timeoutSeconds = ${seconds(worst)} ` +
    `after the loop is stale; the bound is ${seconds(loop.restartWithinMs)}`
  ]
}

/** No liveness verdict while the program starts: a startup probe (or a delay) covers `startupSeconds`. */
export const startupCovered = (workload: K8sObject): ReadonlyArray<string> => {
  const startup = probe(workload, "startupProbe")
  const liveness = probe(workload, "livenessProbe")
  const covered = Math.max(
    startup === undefined ? 0 : startup.periodSeconds * startup.failureThreshold + startup.initialDelaySeconds,
    liveness?.initialDelaySeconds ?? 0
  )
  return covered >= startupSeconds ? [] : [
    `the program may take ${startupSeconds} s to start, but probes give it ${covered} s ` +
    `(startupProbe periodSeconds × failureThreshold, or the livenessProbe's initialDelaySeconds)`
  ]
}

/**
 * Readiness on `/healthz` takes a stalled pod out of its Service no later than liveness restarts it:
 * `periodSeconds × failureThreshold` of readiness at most that of liveness.
 */
export const readinessBeforeLiveness = (workload: K8sObject): ReadonlyArray<string> => {
  const readiness = probe(workload, "readinessProbe")
  const liveness = probe(workload, "livenessProbe")
  if (readiness === undefined || liveness === undefined) return ["a readinessProbe and a livenessProbe are needed"]
  const r = readiness.periodSeconds * readiness.failureThreshold
  const l = liveness.periodSeconds * liveness.failureThreshold
  return r <= l ? [] : [
    `readiness reacts after periodSeconds × failureThreshold = ${r} s, later than liveness (${l} s) restarts the pod`
  ]
}

/** How a program under Main.run drains: `/readyz` flips at the shutdown's start, the work stops `drainMs` later. */
export interface Drain {
  readonly drainMs: number
  readonly gracePeriodMs: number
}

/**
 * Readiness on `/readyz` (`Main.readinessApp`, 503 from the moment the shutdown starts) must be seen before the work
 * stops: `periodSeconds × failureThreshold + timeoutSeconds ≤ drain ≤ gracePeriod`, and gracePeriod + margin ≤
 * terminationGracePeriodSeconds.
 */
export const readyzFlipSeen = (workload: K8sObject, drain: Drain): ReadonlyArray<string> => {
  const readiness = probe(workload, "readinessProbe")
  if (readiness === undefined || readiness.path !== "/readyz") return ["a readinessProbe on /readyz is missing"]
  const violations: Array<string> = []
  const seen = (readiness.periodSeconds * readiness.failureThreshold + readiness.timeoutSeconds) * 1000
  if (seen > drain.drainMs) {
    violations.push(
      `the readinessProbe sees /readyz's 503 up to ${seconds(seen)} after the shutdown starts, ` +
        `but the program stops its work after ${seconds(drain.drainMs)}`
    )
  }
  if (drain.drainMs > drain.gracePeriodMs) {
    violations.push(`the drain (${seconds(drain.drainMs)}) must fit in gracePeriod (${seconds(drain.gracePeriodMs)})`)
  }
  return [...violations, ...shutdownFits(workload, { what: "Main.run's gracePeriod", ms: drain.gracePeriodMs })]
}

// --- Memory ---------------------------------------------------------------------------------------------------

const units: Readonly<Record<string, number>> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30
}

/** A Kubernetes memory quantity (`320Mi`, `1Gi`, `500M`, `1048576`) in bytes. */
export const bytesOf = (quantity: unknown): number => {
  const match = /^(\d+(?:\.\d+)?)(|k|M|G|Ki|Mi|Gi)$/.exec(String(quantity))
  return match === null ? Number.NaN : Number(match[1]) * units[match[2]!]!
}

/** The container's memory limit holds the program's worst case: `limits.memory ≥ bound`. */
export const memoryFits = (
  workload: K8sObject,
  bound: { readonly what: string; readonly mb: number }
): ReadonlyArray<string> => {
  const limit = at(container(workload), "resources", "limits", "memory")
  const mb = bytesOf(limit) / 2 ** 20
  if (Number.isNaN(mb)) return [`resources.limits.memory must be a quantity such as 320Mi, is ${JSON.stringify(limit)}`]
  return mb >= bound.mb ? [] : [
    `resources.limits.memory (${limit}) is below ${bound.what} (${
      Math.ceil(bound.mb)
    } MiB): the OOM killer would end the run`
  ]
}

// --- RBAC -----------------------------------------------------------------------------------------------------

/**
 * Least privilege for a controller: a namespaced Role granting exactly `access` (verbs by core resource; no
 * wildcard, nothing else), bound to the ServiceAccount the Deployment runs as, in the Deployment's namespace.
 */
export const leastPrivilege = (
  objects: ReadonlyArray<K8sObject>,
  deployment: K8sObject,
  access: Readonly<Record<string, ReadonlyArray<string>>>
): ReadonlyArray<string> => {
  const violations: Array<string> = []
  const namespace = deployment.metadata.namespace
  const account = at(podSpec(deployment), "serviceAccountName")
  if (typeof account !== "string") return ["the Deployment must run as its own serviceAccountName"]
  for (const o of objects) {
    if (o.kind === "ClusterRole" || o.kind === "ClusterRoleBinding") {
      violations.push(`${o.kind} ${o.metadata.name}: cluster-wide, not namespaced`)
    } else if (o.metadata.namespace !== namespace) {
      violations.push(`${o.kind} ${o.metadata.name} is in namespace ${o.metadata.namespace}, not ${namespace}`)
    }
  }
  if (!objects.some((o) => o.kind === "ServiceAccount" && o.metadata.name === account)) {
    violations.push(`no ServiceAccount ${account}`)
  }
  const bindings = objects.filter((o) => o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding")
  const bound = bindings.filter((b) => {
    const subjects = at(b, "subjects")
    return Array.isArray(subjects) &&
      subjects.some((s) =>
        at(s, "kind") === "ServiceAccount" && at(s, "name") === account && at(s, "namespace") === namespace
      )
  })
  if (bound.length === 0) violations.push(`no RoleBinding for ServiceAccount ${namespace}/${account}`)
  const granted = new Map<string, Set<string>>()
  for (const binding of bound) {
    const ref = at(binding, "roleRef")
    const role = objects.find((o) => o.kind === at(ref, "kind") && o.metadata.name === at(ref, "name"))
    if (role === undefined) {
      violations.push(
        `${binding.metadata.name} refers to ${String(at(ref, "kind"))} ${String(at(ref, "name"))}, which is not here`
      )
      continue
    }
    const rules = at(role, "rules")
    for (const rule of Array.isArray(rules) ? rules : []) {
      const list = (key: string): ReadonlyArray<string> => {
        const v = at(rule, key)
        return Array.isArray(v) ? v.map(String) : []
      }
      if (list("apiGroups").join() !== "") {
        violations.push(`${role.metadata.name}: only the core API group ("") is needed`)
      }
      if (list("resourceNames").length > 0 || at(rule, "nonResourceURLs") !== undefined) {
        violations.push(`${role.metadata.name}: unexpected resourceNames or nonResourceURLs`)
      }
      for (const resource of list("resources")) {
        for (const verb of list("verbs")) {
          if (!granted.has(resource)) granted.set(resource, new Set())
          granted.get(resource)!.add(verb)
        }
      }
    }
  }
  for (const [resource, verbs] of granted) {
    const needed = new Set(access[resource] ?? [])
    for (const verb of verbs) {
      if (!needed.has(verb)) violations.push(`grants ${verb} on ${resource}, which the controller does not need`)
    }
  }
  for (const [resource, verbs] of Object.entries(access)) {
    for (const verb of verbs) {
      if (!granted.get(resource)?.has(verb)) {
        violations.push(`does not grant ${verb} on ${resource}, which the controller needs`)
      }
    }
  }
  return violations
}
