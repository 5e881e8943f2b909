/**
 * The load generator's container: the process the kubelet (`kubelet.ts`) starts, with
 * `--mode naive|lifeline --endpoint <url> [--duration <ms>]`. Nothing runs in it but the load test and the
 * boundary of its mode — the incident's in `naive.ts`, `Main.run` in `lifeline.ts` — so its exit code is the one
 * that boundary chose, as a real container's is. Not meant to be run by hand: `main.ts` starts it.
 */
import { parseArgs } from "../shared/Example.ts"
import * as Lifeline from "./lifeline.ts"
import * as Naive from "./naive.ts"
import * as Replay from "./replay.ts"

const args = parseArgs(process.argv.slice(2))
const settings = Replay.settingsOf(args)
if (args["mode"] === "naive") Naive.container(settings)
else Lifeline.container(settings)
