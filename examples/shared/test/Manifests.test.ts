/**
 * The Kubernetes manifests of every replay (`examples/<name>/k8s/*.yaml`) are what a user would deploy, so their
 * numbers are held to the options of the program they run, read from the example's own source: each shutdown
 * ends on its own bound before `terminationGracePeriodSeconds`, each Job's run ends itself before
 * `activeDeadlineSeconds`, the patrol loop's probes restart a pod only once its loop is stale and soon after, and
 * the death-log controller's Role grants what it does and nothing more. Every rule is also shown failing on a
 * deliberately bad manifest (`fixtures/k8s/`). The alerting rules (`examples/k8s/alerts.yaml`) name only metrics
 * that exist, and docs/operations.md lists exactly the metrics the packages define.
 */
import { Duration, Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { parseAllDocuments } from "yaml"
import { incidents } from "../../incidents.ts"
import * as K8s from "../../k8s/Manifests.ts"
import * as MetricList from "../../k8s/MetricList.ts"
import * as LoadgenReplay from "../../loadgen-exit-code/replay.ts"
import * as ShipperLifeline from "../../log-shipper-oom/lifeline.ts"
import * as ShipperReplay from "../../log-shipper-oom/replay.ts"
import * as PatrolReplay from "../../patrol-loop-stall/replay.ts"
import * as DeathLogReplay from "../../runner-death-log/replay.ts"
import * as ShutdownReplay from "../../runner-shutdown-hang/replay.ts"
import { parseArgs } from "../Example.ts"
import { examplesDir } from "../Spawn.ts"

const root = path.resolve(examplesDir, "..")
const manifest = (name: string, file: string) => K8s.load(path.join(examplesDir, name, "k8s", file))
const fixtures = path.join(examplesDir, "shared", "test", "fixtures", "k8s")
const fixture = (file: string, name?: string): ReadonlyArray<K8s.K8sObject> => {
  const objects = K8s.load(path.join(fixtures, file))
  return name === undefined ? objects : objects.filter((o) => o.metadata.name === name)
}
const fixtureJob = (name: string) => K8s.one(fixture("jobs.yaml", name), "Job")
const fixtureDeployment = (name: string) => K8s.one(fixture("deployments.yaml", name), "Deployment")
const operations = fs.readFileSync(path.join(root, "docs", "operations.md"), "utf8")

/** Violations are reported with the numbers, so a failing check says what to change. */
const show = (rule: string, violations: ReadonlyArray<string>) => {
  console.log(`${rule}: ${violations.length === 0 ? "kept" : violations.join(" | ")}`)
  return violations
}

// The numbers each manifest is held to, from the examples' sources.
const toMs = Duration.toMillis
const shutdownHang = {
  flush: {
    what: "flushTimeout + the deadline's grace",
    ms: toMs(ShutdownReplay.flushTimeout) + toMs(ShutdownReplay.grace)
  },
  run: { what: "the replay's time limit", ms: ShutdownReplay.watchdogMs }
}
const loadgenArgs = (job: K8s.K8sObject) => parseArgs(K8s.commandLine(job).slice(4))
const loadgen = {
  grace: { what: "Main.run's gracePeriod", ms: toMs(LoadgenReplay.gracePeriod) },
  run: (job: K8s.K8sObject) => {
    const durationMs = LoadgenReplay.settingsOf(loadgenArgs(job)).durationMs ?? Number.NaN
    return { what: "runFor (--duration) + gracePeriod", ms: durationMs + toMs(LoadgenReplay.gracePeriod) }
  }
}
const shipperOptions = ShipperLifeline.options("http://log-api")
const shipper = {
  flush: {
    what: "flushTimeout + the deadline's grace",
    ms: toMs(shipperOptions.flushTimeout) + ShipperLifeline.graceMs
  },
  run: { what: "the replay's time limit", ms: ShipperReplay.watchdog.lifeline.afterMs },
  memory: {
    what: "the runtime's baseline + GC headroom + the buffers' worst case",
    mb: K8s.runtimeBaselineMb + ShipperLifeline.gcHeadroomMb +
      ShipperLifeline.memoryBound(shipperOptions, ShipperLifeline.shortestLineBytes).total / ShipperReplay.MiB
  }
}
const patrolLoop: K8s.Loop = {
  staleAfterMs: PatrolReplay.staleAfter,
  stallAfterMs: PatrolReplay.sweepTimeout + PatrolReplay.sweepGrace,
  restartWithinMs: PatrolReplay.restartWithin
}
const patrolListen = (deployment: K8s.K8sObject) =>
  Effect.runSync(PatrolReplay.listenOf(parseArgs(K8s.commandLine(deployment).slice(4))))
const patrolProbes = (deployment: K8s.K8sObject) => ({
  liveness: "/healthz",
  readiness: "/healthz",
  port: patrolListen(deployment).port
})
const deathLogStop = { what: "stopping a runner: killAfter, then its exit", ms: DeathLogReplay.stopRunnerWithinMs }

describe("every replay's manifests", () => {
  const expectedFiles: Readonly<Record<string, ReadonlyArray<string>>> = {
    "runner-shutdown-hang": ["job.yaml"],
    "patrol-loop-stall": ["deployment.yaml"],
    "loadgen-exit-code": ["job.yaml"],
    "runner-death-log": ["deployment.yaml", "rbac.yaml"],
    "log-shipper-oom": ["job.yaml"]
  }

  it("are there for every replay, parse as Kubernetes objects and are shown on the operations page", () => {
    for (const incident of incidents.filter((i) => i.replay === "ready")) {
      const dir = path.join(examplesDir, incident.name, "k8s")
      const files = fs.readdirSync(dir).sort()
      expect(files, incident.name).toEqual(expectedFiles[incident.name])
      for (const file of files) {
        const objects = K8s.load(path.join(dir, file))
        expect(objects.length, file).toBeGreaterThan(0)
        expect(operations, `docs/operations.md imports ${incident.name}/k8s/${file}`).toContain(
          `<<< @/../examples/${incident.name}/k8s/${file}{yaml}`
        )
      }
    }
    expect(operations).toContain("<<< @/../examples/k8s/alerts.yaml{yaml}")
  })

  it("a file that is not valid YAML is an error naming the file, not an empty manifest", () => {
    expect(() => K8s.parse("kind: Job\nmetadata:\n  name: broken\n spec: {}\n", "broken.yaml")).toThrow(/broken\.yaml/)
    expect(() => K8s.parse("just: a map\n", "plain.yaml")).toThrow(/without kind/)
  })

  it("each runs its example from the repository, in a placeholder image", () => {
    const runs: ReadonlyArray<[K8s.K8sObject, string]> = [
      [K8s.one(manifest("runner-shutdown-hang", "job.yaml"), "Job"), "examples/runner-shutdown-hang/main.ts"],
      [K8s.one(manifest("loadgen-exit-code", "job.yaml"), "Job"), "examples/loadgen-exit-code/container.ts"],
      [K8s.one(manifest("log-shipper-oom", "job.yaml"), "Job"), "examples/log-shipper-oom/main.ts"],
      [K8s.one(manifest("patrol-loop-stall", "deployment.yaml"), "Deployment"), "examples/patrol-loop-stall/main.ts"],
      [K8s.one(manifest("runner-death-log", "deployment.yaml"), "Deployment"), "examples/runner-death-log/main.ts"]
    ]
    for (const [workload, script] of runs) {
      expect(show(`runs ${script}`, K8s.runsExample(workload, root, script))).toEqual([])
    }
    const bad = show(
      "runs a missing script",
      K8s.runsExample(fixtureJob("not-the-example"), root, "examples/runner-shutdown-hang/main.ts")
    )
    expect(bad.join("\n")).toMatch(/must start/)
    expect(bad.join("\n")).toMatch(/placeholder/)
  })
})

describe("runner-shutdown-hang: the Job", () => {
  const job = K8s.one(manifest("runner-shutdown-hang", "job.yaml"), "Job")

  it("is a Job with both deadlines, not restarted in place", () => {
    expect(show("job", K8s.isJob(job))).toEqual([])
    expect(show("job (bad)", K8s.isJob(fixtureJob("not-the-example")))).toEqual([
      `restartPolicy must be Never, is "OnFailure"`
    ])
  })

  it("gives the shutdown flushTimeout + the deadline's grace, and room to exit, before SIGKILL", () => {
    console.log(`flush bound ${shutdownHang.flush.ms} ms`)
    expect(show("flush", K8s.shutdownFits(job, shutdownHang.flush))).toEqual([])
  })

  it("lets the run end itself before activeDeadlineSeconds", () => {
    expect(show("run", K8s.runFitsDeadline(job, shutdownHang.run))).toEqual([])
  })
})

describe("loadgen-exit-code: the Job", () => {
  const job = K8s.one(manifest("loadgen-exit-code", "job.yaml"), "Job")

  it("runs the load generator under Main.run with a run duration (runFor)", () => {
    expect(show("job", K8s.isJob(job))).toEqual([])
    const args = loadgenArgs(job)
    expect(args["mode"]).toBe("lifeline")
    const { durationMs } = LoadgenReplay.settingsOf(args)
    expect(durationMs).toBeGreaterThan(0)
    expect(Number.isSafeInteger(durationMs)).toBe(true)
  })

  it("has the termination grace period the replay's kubelet gives the container", () => {
    expect(K8s.at(K8s.podSpec(job), "terminationGracePeriodSeconds")).toBe(
      LoadgenReplay.terminationGracePeriodMs / 1000
    )
  })

  it("gives Main.run's gracePeriod, and room to exit, before SIGKILL", () => {
    expect(show("grace", K8s.shutdownFits(job, loadgen.grace))).toEqual([])
  })

  it("lets runFor + gracePeriod end the run before activeDeadlineSeconds", () => {
    const run = loadgen.run(job)
    console.log(`run bound ${run.ms} ms, activeDeadlineSeconds ${K8s.at(job, "spec", "activeDeadlineSeconds")}`)
    expect(show("run", K8s.runFitsDeadline(job, run))).toEqual([])
  })
})

describe("log-shipper-oom: the Job", () => {
  const job = K8s.one(manifest("log-shipper-oom", "job.yaml"), "Job")

  it("gives the final flush flushTimeout + the deadline's grace, and room to exit, before SIGKILL", () => {
    expect(show("job", K8s.isJob(job))).toEqual([])
    expect(show("flush", K8s.shutdownFits(job, shipper.flush))).toEqual([])
  })

  it("lets the run end itself before activeDeadlineSeconds", () => {
    expect(show("run", K8s.runFitsDeadline(job, shipper.run))).toEqual([])
  })

  it("sizes the memory limit from the formula of the buffers, plus the runtime and GC headroom", () => {
    console.log(`memory bound ${shipper.memory.mb.toFixed(1)} MiB`)
    expect(show("memory", K8s.memoryFits(job, shipper.memory))).toEqual([])
  })
})

describe("patrol-loop-stall: the Deployment", () => {
  const deployment = K8s.one(manifest("patrol-loop-stall", "deployment.yaml"), "Deployment")

  it("serves /healthz and /metrics on all interfaces, where the probes and Prometheus ask", () => {
    const listen = patrolListen(deployment)
    expect(listen.host).toBe("0.0.0.0")
    expect(show("probes", K8s.probesTarget(deployment, patrolProbes(deployment)))).toEqual([])
    const annotations = K8s.at(deployment, "spec", "template", "metadata", "annotations")
    expect(annotations).toMatchObject({ "prometheus.io/port": String(listen.port), "prometheus.io/path": "/metrics" })
  })

  it("does not restart a pod before its loop is stale", () => {
    console.log(`staleAfter ${patrolLoop.staleAfterMs} ms, timeout + grace ${patrolLoop.stallAfterMs} ms`)
    expect(show("not before stale", K8s.livenessNotBeforeStale(deployment, patrolLoop))).toEqual([])
    expect(show("startup", K8s.startupCovered(deployment))).toEqual([])
  })

  it("restarts a pod within restartWithin of its loop going stale", () => {
    expect(show("within bound", K8s.livenessWithinBound(deployment, patrolLoop))).toEqual([])
  })

  it("takes a stalled pod out of its Service no later than it restarts it", () => {
    expect(show("readiness", K8s.readinessBeforeLiveness(deployment))).toEqual([])
  })

  it("gives the supervisor's stopTimeout, and room to exit, before SIGKILL", () => {
    expect(
      show("stop", K8s.shutdownFits(deployment, { what: "the supervisor's stopTimeout", ms: PatrolReplay.stopTimeout }))
    )
      .toEqual([])
  })

  it("has an observation window the replay's watchdog can wait for", () => {
    const args = parseArgs(K8s.commandLine(deployment).slice(4))
    expect(PatrolReplay.watchdogMs(args)).toBeGreaterThan(PatrolReplay.windowMs(args))
    expect(PatrolReplay.windowMs(args)).toBe(Number(args["for"]))
  })
})

describe("runner-death-log: the controller", () => {
  const deployment = K8s.one(manifest("runner-death-log", "deployment.yaml"), "Deployment")
  const rbac = manifest("runner-death-log", "rbac.yaml")

  it("runs under a Role that grants what the controller does and nothing more", () => {
    expect(show("rbac", K8s.leastPrivilege(rbac, deployment, DeathLogReplay.controllerAccess))).toEqual([])
  })

  it("gives stopping a runner (killAfter, then its exit), and room to exit, before SIGKILL", () => {
    expect(show("stop", K8s.shutdownFits(deployment, deathLogStop))).toEqual([])
  })
})

describe("each rule fails on a manifest that breaks it", () => {
  it("grace: Main.run's gracePeriod above the termination grace period", () => {
    const bad = show("grace (bad)", K8s.shutdownFits(fixtureJob("grace-above-termination-grace"), loadgen.grace))
    expect(bad).toHaveLength(1)
    expect(bad[0]).toMatch(/terminationGracePeriodSeconds \(3 s\) must be at least Main.run's gracePeriod \(2 s\)/)
  })

  it("flush: flushTimeout + grace above the termination grace period", () => {
    const bad = show("flush (bad)", K8s.shutdownFits(fixtureJob("flush-above-termination-grace"), shutdownHang.flush))
    expect(bad).toHaveLength(1)
    expect(bad[0]).toMatch(/\(4 s\) must be at least flushTimeout \+ the deadline's grace \(3 s\)/)
  })

  it("run: runFor + gracePeriod past activeDeadlineSeconds", () => {
    const job = fixtureJob("run-past-deadline")
    const bad = show("run (bad)", K8s.runFitsDeadline(job, loadgen.run(job)))
    expect(bad).toHaveLength(1)
    expect(bad[0]).toMatch(/activeDeadlineSeconds \(1800 s\) must be at least/)
  })

  it("memory: a limit below the formula", () => {
    const bad = show("memory (bad)", K8s.memoryFits(fixtureJob("memory-below-bound"), shipper.memory))
    expect(bad).toHaveLength(1)
    expect(bad[0]).toMatch(/128Mi/)
  })

  it("liveness before stale: one failed probe restarts the pod", () => {
    const bad = show(
      "not before stale (bad)",
      K8s.livenessNotBeforeStale(fixtureDeployment("liveness-before-stale"), patrolLoop)
    )
    expect(bad).toHaveLength(1)
    expect(bad[0]).toMatch(/\(failureThreshold − 1\) × periodSeconds = 0 s/)
  })

  it("liveness too late: a stale loop keeps its pod past restartWithin", () => {
    const bad = show("within bound (bad)", K8s.livenessWithinBound(fixtureDeployment("liveness-too-late"), patrolLoop))
    expect(bad).toHaveLength(1)
    expect(bad[0]).toMatch(/= 31 s after the loop is stale; the bound is 5 s/)
  })

  it("startup: no startup probe, so liveness fails while Node starts", () => {
    const bad = show("startup (bad)", K8s.startupCovered(fixtureDeployment("no-startup-probe")))
    expect(bad).toHaveLength(1)
  })

  it("readiness on /healthz slower than liveness", () => {
    const bad = show("readiness (bad)", K8s.readinessBeforeLiveness(fixtureDeployment("readiness-after-liveness")))
    expect(bad).toHaveLength(1)
    expect(bad[0]).toMatch(/30 s, later than liveness \(3 s\)/)
  })

  it("probes on a port or path the program does not serve", () => {
    const deployment = fixtureDeployment("probe-elsewhere")
    const bad = show("probes (bad)", K8s.probesTarget(deployment, patrolProbes(deployment)))
    expect(bad.join("\n")).toMatch(/livenessProbe must ask \/healthz, asks \/health/)
    expect(bad.join("\n")).toMatch(/must ask port 8080, where the program listens, asks 9090/)
  })

  it("readiness on /readyz that sees the flip only after the drain (and kept when tuned)", () => {
    // A service under Main.run: a 5 s drain after /readyz flips, within a 20 s gracePeriod.
    const drain: K8s.Drain = { drainMs: 5_000, gracePeriodMs: 20_000 }
    const bad = show("readyz (bad)", K8s.readyzFlipSeen(fixtureDeployment("readyz-flip-unseen"), drain))
    expect(bad).toHaveLength(1)
    expect(bad[0]).toMatch(/up to 31 s after the shutdown starts, but the program stops its work after 5 s/)
    expect(show("readyz (tuned)", K8s.readyzFlipSeen(fixtureDeployment("readyz-flip-seen"), drain))).toEqual([])
    // No replay serves /readyz (none runs under Main.run with a server), so no manifest may probe it unchecked.
    for (const [name, file] of [["patrol-loop-stall", "deployment.yaml"], ["runner-death-log", "deployment.yaml"]]) {
      expect(K8s.probe(K8s.one(manifest(name!, file!), "Deployment"), "readinessProbe")?.path ?? "none").not.toBe(
        "/readyz"
      )
    }
  })

  it("least privilege: wildcard verbs and secrets; a ClusterRole without pod logs", () => {
    const deployment = K8s.one(manifest("runner-death-log", "deployment.yaml"), "Deployment")
    const wildcard = show(
      "rbac wildcard (bad)",
      K8s.leastPrivilege(fixture("rbac-wildcard.yaml"), deployment, DeathLogReplay.controllerAccess)
    )
    expect(wildcard).toContain("grants * on pods, which the controller does not need")
    expect(wildcard).toContain("grants * on secrets, which the controller does not need")
    expect(wildcard).toContain("does not grant watch on pods, which the controller needs")
    const cluster = show(
      "rbac cluster (bad)",
      K8s.leastPrivilege(fixture("rbac-cluster.yaml"), deployment, DeathLogReplay.controllerAccess)
    )
    expect(cluster).toContain("ClusterRole runners-controller: cluster-wide, not namespaced")
    expect(cluster).toContain("does not grant get on pods/log, which the controller needs")
  })
})

/** The kube-state-metrics series the alerting rules may use: each is named on the operations page too. */
const kubeStateMetrics = [
  "kube_job_failed",
  "kube_job_status_failed",
  "kube_pod_container_status_last_terminated_reason",
  "kube_pod_container_status_restarts_total",
  "kube_pod_container_status_terminated_reason"
]

interface AlertRule {
  readonly alert: string
  readonly expr: string
  readonly labels: { readonly severity: string; readonly incident: string }
  readonly annotations: { readonly summary: string }
}

const alertRules = (file: string): ReadonlyArray<AlertRule> => {
  const docs = parseAllDocuments(fs.readFileSync(file, "utf8"))
  expect(docs).toHaveLength(1)
  expect(docs[0]!.errors).toEqual([])
  const groups = K8s.at(docs[0]!.toJS(), "groups")
  expect(Array.isArray(groups)).toBe(true)
  return (groups as ReadonlyArray<{ readonly rules: ReadonlyArray<AlertRule> }>).flatMap((g) => g.rules)
}

/** What is wrong with a rule file: metrics that do not exist, incidents not on the list, missing fields. */
const alertProblems = (rules: ReadonlyArray<AlertRule>): ReadonlyArray<string> => {
  const listed = new Set(MetricList.fromDocs(operations).flatMap(MetricList.seriesOf))
  const problems: Array<string> = []
  for (const rule of rules) {
    if (
      typeof rule.alert !== "string" || typeof rule.expr !== "string" || typeof rule.annotations?.summary !== "string"
    ) {
      problems.push(`${rule.alert}: alert, expr and annotations.summary are required`)
      continue
    }
    if (!["info", "warning", "critical"].includes(rule.labels?.severity)) problems.push(`${rule.alert}: severity`)
    if (!incidents.some((i) => i.name === rule.labels?.incident)) {
      problems.push(`${rule.alert}: incident ${rule.labels?.incident} is not on the list`)
    }
    for (const metric of MetricList.referencedBy(rule.expr)) {
      if (!listed.has(metric) && !kubeStateMetrics.includes(metric)) {
        problems.push(`${rule.alert}: ${metric} does not exist`)
      }
    }
  }
  return problems
}

describe("the alerting rules (examples/k8s/alerts.yaml)", () => {
  const rules = alertRules(path.join(examplesDir, "k8s", "alerts.yaml"))

  it("name only metrics the packages define (or kube-state-metrics' own), for incidents on the list", () => {
    console.log(`${rules.length} rules: ${rules.map((r) => r.alert).join(", ")}`)
    expect(show("alerts", alertProblems(rules))).toEqual([])
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length)
  })

  it("cover every incident", () => {
    for (const incident of incidents.filter((i) => i.replay === "ready")) {
      expect(rules.filter((r) => r.labels.incident === incident.name).length, incident.name).toBeGreaterThan(0)
    }
  })

  it("use kube-state-metrics series the operations page names", () => {
    const used = new Set(rules.flatMap((r) => MetricList.referencedBy(r.expr)).filter((m) => m.startsWith("kube_")))
    for (const metric of used) expect(operations, metric).toContain(metric)
  })

  it("a rule file with a metric that does not exist, or an unknown incident, fails", () => {
    const bad = show("alerts (bad)", alertProblems(alertRules(path.join(fixtures, "alerts.yaml"))))
    expect(bad).toEqual([
      "ShipperDrops: lifeline_shipper_drops_total does not exist",
      "NodeDown: incident node-down is not on the list",
      "NodeDown: kube_node_status_condition does not exist"
    ])
  })
})

describe("the metrics list on docs/operations.md", () => {
  it("lists exactly the lifeline_* metrics the packages define, with their labels and type", () => {
    const defined = MetricList.fromSources(path.join(root, "packages"))
    const listed = MetricList.fromDocs(operations).map(({ labels, name, type }) => ({ labels, name, type }))
    console.log(`${defined.length} metrics defined: ${defined.map((m) => m.name).join(", ")}`)
    expect(defined.length).toBeGreaterThanOrEqual(17)
    expect([...listed].sort((a, b) => a.name.localeCompare(b.name))).toEqual(defined)
  })

  it("reads the labels from the packages' sources, through a const of tags too", () => {
    const runs = MetricList.fromSources(path.join(root, "packages")).find((m) =>
      m.name === "lifeline_death_log_records_total"
    )
    expect(runs?.labels).toEqual(["name"])
  })

  it("finds the metrics an expression selects, not its functions or grouping labels", () => {
    expect(MetricList.referencedBy(
      `sum by (shipper, le) (rate(lifeline_shipper_batch_size_bucket{shipper="x"}[5m])) unless on (pod) kube_pod_info`
    )).toEqual(["kube_pod_info", "lifeline_shipper_batch_size_bucket"])
  })
})
